import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";

// What an operator sets before `npm start` (README, Produção), and what one missing variable looks like.
const production = {
  NODE_ENV: "production",
  DATABASE_URL: "postgres://disparo@db.interno:5432/disparo",
  AUTH_SECRET: "x".repeat(40),
  ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
  AUTH_URL: "https://disparo.lojaexemplo.com.br",
  DISPATCH_ENGINE: "local",
  WHATSAPP_APP_SECRET: "segredo-do-app",
  WHATSAPP_VERIFY_TOKEN: "token-de-verificacao",
} as const;

const message = (raw: Record<string, string | undefined>) => {
  try {
    parseEnv(raw as NodeJS.ProcessEnv);
    return null;
  } catch (err) {
    return (err as Error).message;
  }
};

describe("the environment in production", () => {
  it("a complete environment starts", () => {
    expect(message(production)).toBeNull();
    expect(message({ ...production, AUTH_URL: undefined, AUTH_TRUST_HOST: "true" })).toBeNull();
  });

  it("names every missing or invalid variable in one message, not one per attempt", () => {
    const text = message({ ...production, AUTH_SECRET: "curto", WHATSAPP_VERIFY_TOKEN: undefined, DISPATCH_ENGINE: undefined, AUTH_URL: undefined });
    expect(text).toMatch(/^Configuração inválida:/);
    expect(text).toContain("AUTH_SECRET: AUTH_SECRET precisa de pelo menos 32 caracteres");
    expect(text).toContain("WHATSAPP_VERIFY_TOKEN: obrigatório em produção");
    expect(text).toContain("DISPATCH_ENGINE: defina inngest ou local em produção");
    expect(text).toContain("AUTH_URL: defina o endereço público do app");
  });

  it("without AUTH_URL or AUTH_TRUST_HOST=true every sign-in would fail (Auth.js's UntrustedHost): refused at start", () => {
    expect(message({ ...production, AUTH_URL: undefined })).toContain("AUTH_URL: defina o endereço público do app (https://…), ou AUTH_TRUST_HOST=true");
    // Auth.js reads any non-empty value as true, "false" included: say so instead of trusting silently.
    expect(message({ ...production, AUTH_TRUST_HOST: "false" })).toContain("AUTH_TRUST_HOST: use true");
  });

  it("development needs none of the production-only variables", () => {
    expect(
      message({ NODE_ENV: "development", DATABASE_URL: production.DATABASE_URL, AUTH_SECRET: production.AUTH_SECRET, ENCRYPTION_KEY: production.ENCRYPTION_KEY }),
    ).toBeNull();
  });
});
