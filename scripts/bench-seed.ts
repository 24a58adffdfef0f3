// Measures the demo seed on its own embedded PostgreSQL: npx tsx scripts/bench-seed.ts --contacts 1000000
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { runMigrations } from "@/db/migrate";
import { seedDemo } from "@/db/seed";
import { startEmbeddedPostgres, type RunningPostgres } from "@/scripts/lib/embedded-postgres";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

const contacts = Number(arg("contacts") ?? 1_000_000);
const seed = arg("seed") === undefined ? undefined : Number(arg("seed"));
if (!Number.isInteger(contacts) || contacts < 0) {
  console.error("uso: npx tsx scripts/bench-seed.ts --contacts 1000000 [--seed 42]");
  process.exit(2);
}

const dataDir = path.join(process.cwd(), ".data", "bench-seed", "postgres");
const t0 = performance.now();
const since = (t: number) => `${((performance.now() - t) / 1000).toFixed(1)} s`;

let pg: RunningPostgres | undefined;
let sql: postgres.Sql | undefined;
try {
  rmSync(dataDir, { recursive: true, force: true });
  pg = await startEmbeddedPostgres({ dataDir });
  await pg.createDatabase("bench");
  console.log(`postgres (porta ${pg.port}): ${since(t0)}`);

  const tMigrate = performance.now();
  await runMigrations(pg.url("bench"));
  console.log(`migrações: ${since(tMigrate)}`);

  sql = postgres(pg.url("bench"), { max: 1, onnotice: () => {} });
  const result = await seedDemo(sql, {
    contacts,
    seed,
    encryptionKey: randomBytes(32).toString("base64"),
    log: (line) => console.log(`  ${line}`),
  });
  const [counts] = await sql`
    select (select count(*) from contacts)::int as contacts,
           (select count(*) from contact_chips)::int as contact_chips,
           (select count(*) from consent_events)::int as consent_events,
           pg_size_pretty(pg_database_size(current_database())) as size`;
  console.log(
    `linhas: ${counts.contacts} contatos, ${counts.contact_chips} contact_chips, ` +
      `${counts.consent_events} consent_events; banco com ${counts.size}`,
  );
  console.log(`seed total: ${(result.ms / 1000).toFixed(1)} s`);
  console.log(
    JSON.stringify({
      contacts: result.contacts,
      seed_ms: result.ms,
      contacts_per_s: Math.round(result.contacts / (result.ms / 1000)),
    }),
  );
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
} finally {
  await sql?.end({ timeout: 5 });
  await pg?.stop();
}
