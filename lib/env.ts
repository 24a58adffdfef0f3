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
;

/**
 * What production also needs. Checked on the raw variables, beside the schema, so one message names every
 * missing or invalid variable at once (a refinement of the schema ran only once its fields were valid: a
 * second round of errors after the first was fixed).
 */
const productionIssues = (raw: NodeJS.ProcessEnv) => {
  if (raw.NODE_ENV !== "production") return [];
  const issues: string[] = [];
  const missing = (key: string, why: string) => {
    if (!raw[key]) issues.push(`  ${key}: ${why}`);
  };
  missing("DISPATCH_ENGINE", "defina inngest ou local em produção");
  missing("WHATSAPP_APP_SECRET", "obrigatório em produção (assinatura dos webhooks)");
  missing("WHATSAPP_VERIFY_TOKEN", "obrigatório em produção (sem ele a verificação do webhook na Meta nunca passa)");
  // Auth.js answers every sign-in with a server error (UntrustedHost) unless it knows the public address or is
  // told to trust the Host header; and it reads any non-empty AUTH_TRUST_HOST, "false" included, as true.
  const trustHost = raw.AUTH_TRUST_HOST;
  if (trustHost && trustHost !== "true" && trustHost !== "1")
    issues.push(`  AUTH_TRUST_HOST: use true (atrás de um proxy que define o Host) ou remova a variável e defina AUTH_URL`);
  else if (!raw.AUTH_URL && !trustHost)
    issues.push("  AUTH_URL: defina o endereço público do app (https://…), ou AUTH_TRUST_HOST=true atrás de um proxy que define o Host");
  const inngestDev = raw.INNGEST_DEV === "1" || raw.INNGEST_DEV === "true";
  if (raw.DISPATCH_ENGINE === "inngest" && !inngestDev) missing("INNGEST_SIGNING_KEY", "obrigatório com o Inngest em produção");
  return issues;
};

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

// Read once, on first use (not at import time, so `next build` needs no secrets).
export const env = (): Env => {
  if (cached) return cached;
  cached = parseEnv(process.env);
  return cached;
};

/** The environment validated, or one error naming every missing or invalid variable. */
export const parseEnv = (raw: NodeJS.ProcessEnv): Env => {
  const parsed = schema.safeParse(raw);
  const lines = [...(parsed.success ? [] : parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`)), ...productionIssues(raw)];
  if (lines.length || !parsed.success) throw new Error(`Configuração inválida:\n${lines.join("\n")}`);
  return parsed.data;
};

export const dispatchEngine = (e: Env = env()) => e.DISPATCH_ENGINE ?? "local";
