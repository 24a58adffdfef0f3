import { afterEach, describe, expect, it, vi } from "vitest";
import { parseEnv } from "./env";

const base = {
  DATABASE_URL: "postgres://u:p@localhost:5432/db",
  AUTH_SECRET: "x".repeat(32),
  ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"),
};

const load = async (vars: Record<string, string | undefined>) => {
  vi.resetModules();
  for (const [k, v] of Object.entries(vars)) vi.stubEnv(k, v as string);
  return (await import("./env")).env;
};

afterEach(() => vi.unstubAllEnvs());

describe("environment", () => {
  it("defaults the dispatch engine to local outside production", async () => {
    const env = await load({ ...base, NODE_ENV: "development", DISPATCH_ENGINE: undefined });
    const { dispatchEngine } = await import("./env");
    expect(dispatchEngine(env())).toBe("local");
    expect(env().WHATSAPP_API_VERSION).toBe("v23.0");
  });

  it("refuses to start in production without an explicit engine and the webhook secret", async () => {
    const env = await load({ ...base, NODE_ENV: "production", DISPATCH_ENGINE: undefined, WHATSAPP_APP_SECRET: undefined });
    expect(() => env()).toThrow(/DISPATCH_ENGINE[\s\S]*WHATSAPP_APP_SECRET/);
  });

  it("names every missing variable in one message, production's included, the verify token too", async () => {
    const env = await load({ NODE_ENV: "production", DATABASE_URL: undefined, AUTH_SECRET: undefined, ENCRYPTION_KEY: undefined, DISPATCH_ENGINE: undefined, WHATSAPP_APP_SECRET: undefined, WHATSAPP_VERIFY_TOKEN: undefined });
    let message = "";
    try {
      env();
    } catch (err) {
      message = (err as Error).message;
    }
    for (const key of ["DATABASE_URL", "AUTH_SECRET", "ENCRYPTION_KEY", "DISPATCH_ENGINE", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN", "AUTH_URL"])
      expect(message).toContain(key);
    const ok = await load({ ...base, NODE_ENV: "production", DISPATCH_ENGINE: "local", WHATSAPP_APP_SECRET: "s", WHATSAPP_VERIFY_TOKEN: "t", AUTH_URL: "https://disparo.exemplo.com.br" });
    expect(ok().DISPATCH_ENGINE).toBe("local");
  });

  it("explains a bad encryption key in Portuguese", async () => {
    const env = await load({ ...base, ENCRYPTION_KEY: "curta" });
    expect(() => env()).toThrow(/ENCRYPTION_KEY deve ter 32 bytes/);
  });
});

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
