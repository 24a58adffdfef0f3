import postgres from "postgres";
import { ensureDatabase, runMigrations } from "../db/migrate";
import { loadSecrets, log, startDatabase } from "./lib/stack";

// npm run db:migrate | npm run db:seed [-- --contacts N]
// Without DATABASE_URL both use the embedded PostgreSQL of `npm run dev` (./.data/dev).
const [command, ...args] = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};

const main = async () => {
  const dataDir = ".data/dev";
  // The development keys (.data/dev/secrets.json) belong to the embedded database. A database at DATABASE_URL
  // is seeded with the server's own ENCRYPTION_KEY (chip tokens must open with it), and no key file is written.
  const external = Boolean(process.env.DATABASE_URL);
  if (external && command === "seed" && !process.env.ENCRYPTION_KEY)
    throw new Error("db:seed com DATABASE_URL: defina ENCRYPTION_KEY, a mesma chave do servidor (ela cifra os tokens dos chips).");
  const secrets = external ? { ENCRYPTION_KEY: process.env.ENCRYPTION_KEY ?? "" } : loadSecrets(dataDir);
  const db = await startDatabase(dataDir);
  try {
    await ensureDatabase(db.url);
    await runMigrations(db.url);
    log("db", "migrações aplicadas");
    if (command === "migrate") return;
    if (command !== "seed") throw new Error(`comando desconhecido: ${command} (use migrate ou seed)`);
    if (process.env.NODE_ENV === "production") throw new Error("db:seed apaga dados: recusado com NODE_ENV=production");
    const contacts = Number(flag("contacts") ?? 5000);
    if (!Number.isInteger(contacts) || contacts < 0 || contacts > 5_000_000)
      throw new Error("--contacts deve ser um inteiro entre 0 e 5.000.000");
    const sql = postgres(db.url, { max: 2, onnotice: () => {} });
    try {
      // The demo seed recreates the demo data from scratch: wipe every table first.
      const tables = await sql<{ tablename: string }[]>`
        select tablename from pg_tables where schemaname = 'public'`;
      if (tables.length)
        await sql.unsafe(`truncate ${tables.map((t) => `"${t.tablename}"`).join(", ")} restart identity cascade`);
      const t = Date.now();
      const { seedDemo } = await import("../db/seed");
      const result = await seedDemo(sql, { contacts, encryptionKey: secrets.ENCRYPTION_KEY, log: (l) => log("seed", l) });
      log("seed", `${result.contacts} contatos em ${((Date.now() - t) / 1000).toFixed(1)} s`);
    } finally {
      await sql.end({ timeout: 5 });
    }
  } finally {
    await db.stop();
  }
};

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
