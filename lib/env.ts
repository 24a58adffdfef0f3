import { z } from "zod";

const bool = z
  .enum(["1", "0", "true", "false", ""])
  .optional()
  .transform((v) => v === "1" || v === "true");

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: z.url({ message: "DATABASE_URL deve ser uma URL postgres://" }),
    DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
    AUTH_SECRET: z.string().min(32, "AUTH_SECRET precisa de pelo menos 32 caracteres"),
    // base64 of 32 random bytes: the AES-256-GCM key for chip tokens and bot secrets.
    ENCRYPTION_KEY: z
      .string()
      .refine((v) => Buffer.from(v, "base64").length === 32, "ENCRYPTION_KEY deve ter 32 bytes em base64"),
    APP_URL: z.url().default("http://localhost:3000"),
    DISPATCH_ENGINE: z.enum(["inngest", "local"]).optional(),
    INNGEST_EVENT_KEY: z.string().optional(),
    INNGEST_SIGNING_KEY: z.string().optional(),
    INNGEST_DEV: bool,
    WHATSAPP_API_BASE_URL: z.url().default("https://graph.facebook.com"),
    WHATSAPP_API_VERSION: z
      .string()
      .regex(/^v\d+\.\d+$/, "WHATSAPP_API_VERSION no formato v23.0")
      .default("v23.0"),
    WHATSAPP_APP_SECRET: z.string().min(1).optional(),
    WHATSAPP_VERIFY_TOKEN: z.string().min(1).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== "production") return;
    if (!env.DISPATCH_ENGINE)
      ctx.addIssue({ code: "custom", path: ["DISPATCH_ENGINE"], message: "defina inngest ou local em produção" });
    if (!env.WHATSAPP_APP_SECRET)
      ctx.addIssue({ code: "custom", path: ["WHATSAPP_APP_SECRET"], message: "obrigatório em produção" });
    if (env.DISPATCH_ENGINE === "inngest" && !env.INNGEST_DEV && !env.INNGEST_SIGNING_KEY)
      ctx.addIssue({ code: "custom", path: ["INNGEST_SIGNING_KEY"], message: "obrigatório com o Inngest em produção" });
  });

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

// Read once, on first use (not at import time, so `next build` needs no secrets).
export const env = (): Env => {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Configuração inválida:\n${lines.join("\n")}`);
  }
  cached = parsed.data;
  return cached;
};

export const dispatchEngine = (e: Env = env()) => e.DISPATCH_ENGINE ?? "local";
