import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { ensureDatabase, runMigrations } from "../../db/migrate";
import { startEmbeddedPostgres, type RunningPostgres } from "./embedded-postgres";

export type Secrets = {
  AUTH_SECRET: string;
  ENCRYPTION_KEY: string;
  WHATSAPP_APP_SECRET: string;
  WHATSAPP_VERIFY_TOKEN: string;
};

export const log = (scope: string, line: string) => console.log(`\x1b[2m[${scope}]\x1b[0m ${line}`);

// Development secrets are generated once per data directory and kept there, so sessions and encrypted
// chip tokens survive restarts. Values already in the environment win.
export const loadSecrets = (dataDir: string): Secrets => {
  const file = path.join(dataDir, "secrets.json");
  mkdirSync(dataDir, { recursive: true });
  const stored: Partial<Secrets> = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  const secrets: Secrets = {
    AUTH_SECRET: stored.AUTH_SECRET ?? randomBytes(32).toString("base64url"),
    ENCRYPTION_KEY: stored.ENCRYPTION_KEY ?? randomBytes(32).toString("base64"),
    WHATSAPP_APP_SECRET: stored.WHATSAPP_APP_SECRET ?? randomBytes(24).toString("hex"),
    WHATSAPP_VERIFY_TOKEN: stored.WHATSAPP_VERIFY_TOKEN ?? randomBytes(12).toString("hex"),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  for (const key of Object.keys(secrets) as (keyof Secrets)[]) {
    const fromEnv = process.env[key];
    if (fromEnv) secrets[key] = fromEnv;
  }
  return secrets;
};

export type Database = { url: string; embedded: RunningPostgres | null; stop: () => Promise<void> };

/** DATABASE_URL when set (nothing started), else embedded PostgreSQL in `${dataDir}/postgres`. */
export const startDatabase = async (dataDir: string, database = "disparo"): Promise<Database> => {
  if (process.env.DATABASE_URL) {
    log("db", "usando DATABASE_URL (nenhum PostgreSQL iniciado)");
    await ensureDatabase(process.env.DATABASE_URL);
    return { url: process.env.DATABASE_URL, embedded: null, stop: async () => {} };
  }
  const t = Date.now();
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "postgres") });
  await embedded.createDatabase(database);
  log("db", `PostgreSQL embutido na porta ${embedded.port} (${Date.now() - t} ms, dados em ${dataDir}/postgres)`);
  return { url: embedded.url(database), embedded, stop: () => embedded.stop() };
};

export const prepareDatabase = async (url: string, secrets: Secrets, seedContacts = 5000) => {
  let t = Date.now();
  await runMigrations(url);
  log("db", `migrações aplicadas (${Date.now() - t} ms)`);
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  try {
    const [{ count }] = await sql<{ count: number }[]>`select count(*)::int as count from organizations`;
    if (count > 0) return;
    t = Date.now();
    const { seedDemo } = await import("../../db/seed");
    await seedDemo(sql, { contacts: seedContacts, encryptionKey: secrets.ENCRYPTION_KEY });
    log("db", `dados de demonstração criados: ${seedContacts} contatos (${Date.now() - t} ms)`);
  } finally {
    await sql.end({ timeout: 5 });
  }
};

/** Polls `url` until it answers with a status `ok` accepts (default: anything but a 5xx). */
export const waitForHttp = async (url: string, timeoutMs: number, ok = (status: number) => status < 500) => {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(url, { redirect: "manual" });
      if (ok(res.status)) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} não respondeu em ${timeoutMs / 1000} s`);
};
