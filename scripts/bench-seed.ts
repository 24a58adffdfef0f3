// Measures the demo seed on its own embedded PostgreSQL: npx tsx scripts/bench-seed.ts --contacts 1000000
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { runMigrations } from "@/db/migrate";
import { seedDemo } from "@/db/seed";
import { startEmbeddedPostgres, type RunningPostgres } from "@/scripts/lib/embedded-postgres";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

// Server settings default to PostgreSQL's own, like the development database; `--set key=value` (repeatable)
// measures a tuned server instead.
const settings: Record<string, string> = {};
process.argv.forEach((a, i) => {
  const [key, value] = a === "--set" ? (process.argv[i + 1] ?? "").split("=", 2) : [];
  if (key && value !== undefined) settings[key] = value;
});
const contacts = Number(arg("contacts") ?? 1_000_000);
const seed = arg("seed") === undefined ? undefined : Number(arg("seed"));
if (!Number.isInteger(contacts) || contacts < 0) {
  console.error("uso: npx tsx scripts/bench-seed.ts --contacts 1000000 [--seed 42] [--set chave=valor]");
  process.exit(2);
}

const dataDir = path.join(process.cwd(), ".data", "bench-seed", "postgres");
const t0 = performance.now();
const since = (t: number) => `${((performance.now() - t) / 1000).toFixed(1)} s`;

// CPU seconds used by one postgres backend (Linux only): on a shared machine, wall time also measures the
// neighbours, CPU time measures the seed.
const backendCpu = (pid: number) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
};

let pg: RunningPostgres | undefined;
let sql: postgres.Sql | undefined;
// Ctrl-C must not leave the benchmark's postgres running on a data directory the next run wipes.
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => {
    void (async () => {
      await sql?.end({ timeout: 1 }).catch(() => {});
      await pg?.stop().catch(() => {});
      process.exit(130);
    })();
  });

try {
  rmSync(dataDir, { recursive: true, force: true });
  pg = await startEmbeddedPostgres({ dataDir, settings });
  await pg.createDatabase("bench");
  const extra = Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(", ");
  console.log(`postgres (porta ${pg.port}${extra ? `; ${extra}` : ""}): ${since(t0)}`);

  const tMigrate = performance.now();
  await runMigrations(pg.url("bench"));
  console.log(`migrações: ${since(tMigrate)}`);

  sql = postgres(pg.url("bench"), { max: 1, onnotice: () => {} });
  const [{ pid }] = await sql<{ pid: number }[]>`select pg_backend_pid() as pid`;
  const cpuBefore = backendCpu(pid);
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
  const cpuAfter = backendCpu(pid);
  const cpu = cpuBefore === undefined || cpuAfter === undefined ? "" : `; CPU do postgres ${(cpuAfter - cpuBefore).toFixed(1)} s`;
  console.log(`seed total: ${(result.ms / 1000).toFixed(1)} s${cpu}`);
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
