import { afterEach, describe, expect, it, vi } from "vitest";

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
    for (const key of ["DATABASE_URL", "AUTH_SECRET", "ENCRYPTION_KEY", "DISPATCH_ENGINE", "WHATSAPP_APP_SECRET", "WHATSAPP_VERIFY_TOKEN"]) expect(message).toContain(key);
    const ok = await load({ ...base, NODE_ENV: "production", DISPATCH_ENGINE: "local", WHATSAPP_APP_SECRET: "s", WHATSAPP_VERIFY_TOKEN: "t" });
    expect(ok().DISPATCH_ENGINE).toBe("local");
  });

  it("explains a bad encryption key in Portuguese", async () => {
    const env = await load({ ...base, ENCRYPTION_KEY: "curta" });
    expect(() => env()).toThrow(/ENCRYPTION_KEY deve ter 32 bytes/);
  });
});
