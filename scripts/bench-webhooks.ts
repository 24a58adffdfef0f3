// Webhook throughput as production runs it: `npm run bench:webhooks [-- --rate 3300]`.
//
// Builds the app only when .next has no BUILD_ID; starts its own embedded PostgreSQL in a fresh
// .data/bench-webhooks/ (the recommended settings of lib/pg-settings.ts, durable commits; `--set key=value`
// overrides one), migrates, seeds the
// demo organization, creates one campaign whose recipients are all `sending` with unique wamids, starts the
// production server (server.ts; `--server next` measures `next start` and its App Router route instead), and
// runs scripts/bench-webhooks-load.ts in a separate process: sent, delivered and read for every recipient, one
// status per signed POST, plus inbound replies quoting the campaign message, at a fixed offered rate. Then it
// checks in the database that every status and reply was applied. The last line is one JSON object.
//
// Before the measured run, a warm-up at the same rate on a second, small campaign (its own recipients, not
// counted): a production server has been answering for a while, not since a second ago — its JIT, its pool's
// connections and prepared statements, PostgreSQL's caches. The warm-up's own figures are printed, not hidden.
//
// The default offer is 3,300 statuses/s, 10 % above the goal of 3,000: the measured rate can never exceed the
// offer (it is the offer less the stretch of the last answers), so offering exactly the goal would print 2,99x
// however fast the server is. The JSON says against which goals it was measured and whether it met them.
//
// Options: --rate 3300 (statuses/s) --recipients 100000 --warmup 5000 (recipients, 0 = none)
//          --contacts max(100000, recipients + warmup) --reply-ratio 0.1 --callback-ratio 0.5 --connections 128
//          --server fast|next --set key=value (repeatable) --max-seconds N
//
// Connections: Meta delivers webhooks concurrently and publishes no per-endpoint connection cap. Every POST waits
// for a durable commit (~10–20 ms with group commit), so 3,300 POSTs/s need ~50–70 in flight: with 64
// connections the run would measure the load generator's connection count rather than the server.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { runMigrations } from "@/db/migrate";
import { DEMO_CHIPS, seedDemo } from "@/db/seed";
import { RECOMMENDED_PG_SETTINGS } from "@/lib/pg-settings";
import { cpuReferenceMs } from "@/scripts/lib/cpu-reference";
import { waitForHttp } from "@/scripts/lib/stack";
import { freePort, startEmbeddedPostgres, type RunningPostgres } from "@/scripts/lib/embedded-postgres";
import type { LoadConfig } from "@/scripts/bench-webhooks-load";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
};
// The recommended production settings (lib/pg-settings.ts), each overridable with --set key=value
// (--set max_wal_size=1GB puts a default back).
const settings: Record<string, string> = Object.fromEntries(Object.entries(RECOMMENDED_PG_SETTINGS).map(([k, v]) => [k, String(v)]));
process.argv.forEach((a, i) => {
  const [key, value] = a === "--set" ? (process.argv[i + 1] ?? "").split("=", 2) : [];
  if (key && value !== undefined) settings[key] = value;
});
const rate = Number(arg("rate", "3300"));
// Issue "WhatsApp layer", item 8: what a chip at 1,000 messages/s makes Meta send.
const GOALS = { statuses_per_s: 3000, median_ms: 250, p99_ms: 1000 };
const recipients = Number(arg("recipients", "100000"));
const warmup = Number(arg("warmup", "5000"));
const contacts = Number(arg("contacts", String(Math.max(recipients + warmup, 100_000))));
const replyRatio = Number(arg("reply-ratio", "0.1"));
const callbackRatio = Number(arg("callback-ratio", "0.5"));
const connections = Number(arg("connections", "128"));
const serverKind = arg("server", "fast");
const expectedSeconds = (3 * recipients) / rate;
const maxSeconds = Number(arg("max-seconds", String(Math.ceil(expectedSeconds * 3 + 60))));
if (
  ![rate, recipients, contacts, connections, maxSeconds].every((n) => Number.isFinite(n) && n > 0) ||
  !(Number.isInteger(warmup) && warmup >= 0) ||
  contacts < recipients + warmup ||
  !(replyRatio >= 0 && replyRatio <= 1 / 3) ||
  !(callbackRatio >= 0 && callbackRatio <= 1) ||
  (serverKind !== "fast" && serverKind !== "next")
) {
  console.error(
    "uso: npm run bench:webhooks -- [--rate 3300] [--recipients 100000] [--warmup 5000] [--contacts N≥recipients+warmup]\n" +
      "     [--reply-ratio 0.1] [--callback-ratio 0.5] [--connections 128] [--server fast|next] [--set chave=valor] [--max-seconds N]",
  );
  process.exit(2);
}

const root = process.cwd();
const dataDir = path.join(root, ".data", "bench-webhooks");
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
const t0 = performance.now();
const since = (t: number) => `${((performance.now() - t) / 1000).toFixed(1)} s`;
const say = (line: string) => console.log(`[bench] ${line}`);

let pg: RunningPostgres | undefined;
let sql: postgres.Sql | undefined;
const children = new Set<ChildProcess>();
const cleanup = async () => {
  for (const c of children) c.kill("SIGKILL");
  await sql?.end({ timeout: 1 }).catch(() => {});
  await pg?.stop().catch(() => {});
};
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => void cleanup().then(() => process.exit(130)));

const exited = (child: ChildProcess) =>
  new Promise<number>((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });

/** Spawns a node process; keeps its output lines (and echoes the ones `echo` picks). */
const node = (args: string[], env: NodeJS.ProcessEnv, echo: (line: string) => boolean) => {
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  child.once("exit", () => children.delete(child));
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = "";
    stream.on("data", (b: Buffer) => {
      const parts = (rest + b.toString()).split("\n");
      rest = parts.pop()!;
      for (const line of parts) {
        if (lines.length < 20_000) lines.push(line);
        if (echo(line)) console.log(`  ${line}`);
      }
    });
  }
  return { child, lines };
};

// CPU seconds of a process (and, for the postmaster, of its backends, alive or reaped) from /proc.
const TICKS = 100;
const procStat = (pid: number) => {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(f[1]), self: (Number(f[11]) + Number(f[12])) / TICKS, reaped: (Number(f[13]) + Number(f[14])) / TICKS };
  } catch {
    return null;
  }
};
// By process title: client backends ("postgres: postgres bench 127.0.0.1(…)"), walwriter, checkpointer,
// autovacuum…; processes that exited in between (autovacuum workers) show up as the postmaster's "reaped" time.
const postgresCpu = (postmaster: number) => {
  const pm = procStat(postmaster);
  const byKind: Record<string, number> = { postmaster: pm?.self ?? 0, reaped: pm?.reaped ?? 0 };
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const st = procStat(Number(entry));
    if (st?.ppid !== postmaster) continue;
    let title = "";
    try {
      title = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
    } catch {}
    const kind = /postgres: \S+ \S+ \d/.test(title) ? "backends" : (/postgres: ([a-z ]+?)(?: worker| launcher)?\s*$/.exec(title.trim())?.[1] ?? "other");
    byKind[kind] = (byKind[kind] ?? 0) + st.self;
  }
  return byKind;
};
const cpuSnapshot = (serverPid: number, postmaster: number) => ({
  server: procStat(serverPid)?.self ?? NaN,
  postgres: postgresCpu(postmaster),
});
const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);

try {
  const load0 = os.loadavg();
  const cpuRef = cpuReferenceMs();
  say(`laço de referência da CPU: ${cpuRef} ms (~390 ms nesta máquina quando calma)`);
  say(`carga da máquina (1/5/15 min): ${load0.map((x) => x.toFixed(2)).join(" ")} · ${os.cpus().length} núcleos`);

  // 1. The production build (reused when present).
  if (existsSync(path.join(root, ".next", "BUILD_ID"))) say("usando o build existente (.next/BUILD_ID)");
  else {
    say("next build…");
    const build = spawn(process.execPath, [nextBin, "build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    children.add(build);
    if ((await exited(build)) !== 0) throw new Error("next build falhou");
  }

  // 2. A fresh PostgreSQL with the demo organization.
  rmSync(dataDir, { recursive: true, force: true });
  // BENCH_PG_LOG=file keeps PostgreSQL's log (with auto_explain settings, the plans of slow statements).
  const pgLog = process.env.BENCH_PG_LOG;
  if (pgLog) writeFileSync(pgLog, "");
  pg = await startEmbeddedPostgres({
    dataDir: path.join(dataDir, "postgres"),
    settings,
    log: pgLog ? (line) => appendFileSync(pgLog, `${line}\n`) : undefined,
  });
  await pg.createDatabase("bench");
  const url = pg.url("bench");
  const extra = Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(", ");
  say(`postgres na porta ${pg.port} (${extra}; commits duráveis)`);
  await runMigrations(url);
  sql = postgres(url, { max: 2, onnotice: () => {} });
  const encryptionKey = randomBytes(32).toString("base64");
  let t = performance.now();
  await seedDemo(sql, { contacts, encryptionKey, campaigns: false });
  say(`seed: ${contacts} contatos (${since(t)})`);

  // 3. One campaign in flight: every recipient `sending`, with the wamid Meta returned for it.
  t = performance.now();
  const chip = DEMO_CHIPS[0];
  const [ids] = await sql<{ org: string; chip: number; template: number }[]>`
    select c.organization_id as org, c.id as chip,
           (select t.id from templates t where t.organization_id = c.organization_id and t.status = 'approved'
                and t.category = 'marketing' order by t.id limit 1) as template
      from chips c where c.phone_number_id = ${chip.phoneNumberId}`;
  if (!ids?.template) throw new Error("seed sem chip ou template aprovado");
  // The measured campaign takes the first `recipients` contacts, the warm-up campaign the next `warmup`.
  const createCampaign = async (name: string, offset: number, count: number, file: string) => {
    const [{ id }] = await sql!<{ id: number }[]>`
      insert into campaigns (organization_id, name, chip_id, template_id, status, opt_in_confirmed, confirmed_at, started_at)
      values (${ids.org}, ${name}, ${ids.chip}, ${ids.template}, 'sending', true, now(), now()) returning id`;
    await sql!`
      insert into campaign_recipients (organization_id, campaign_id, contact_id, chip_id, phone, status, wamid, attempts, last_attempt_at)
      select c.organization_id, ${id}, c.id, ${ids.chip}, c.phone, 'sending',
             'wamid.HBgN' || lpad(to_hex(c.id), 10, '0') || upper(md5(c.id::text)) || 'AA==', 1, now()
        from (select id, organization_id, phone from contacts where organization_id = ${ids.org}
               order by id offset ${offset} limit ${count}) c`;
    const rows = await sql!<{ id: number; wamid: string; phone: string }[]>`
      select id::int, wamid, phone from campaign_recipients where campaign_id = ${id} order by id`;
    if (rows.length !== count) throw new Error(`só ${rows.length} destinatários criados (contatos insuficientes?)`);
    writeFileSync(file, JSON.stringify(rows.map((r) => [r.id, r.wamid, r.phone])));
    return id;
  };
  const targetsFile = path.join(dataDir, "targets.json");
  const warmupFile = path.join(dataDir, "warmup-targets.json");
  const campaignId = await createCampaign("Bench webhooks", 0, recipients, targetsFile);
  if (warmup) await createCampaign("Bench webhooks (aquecimento)", recipients, warmup, warmupFile);
  await sql`vacuum analyze campaign_recipients`;
  say(`campanha ${campaignId}: ${recipients} destinatários em envio${warmup ? ` (+ ${warmup} de aquecimento)` : ""} (${since(t)})`);

  // 4. The app as production runs it.
  const port = await freePort();
  const secrets = {
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    WHATSAPP_APP_SECRET: randomBytes(24).toString("hex"),
    WHATSAPP_VERIFY_TOKEN: randomBytes(12).toString("hex"),
  };
  const serverEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...secrets,
    NODE_ENV: "production",
    DATABASE_URL: url,
    ENCRYPTION_KEY: encryptionKey,
    DISPATCH_ENGINE: "local",
    AUTH_TRUST_HOST: "true",
    APP_URL: `http://127.0.0.1:${port}`,
    // Nothing in this run talks to the Cloud API (the campaign has no chatbot flow); if it did, it stays on loopback.
    WHATSAPP_API_BASE_URL: "http://127.0.0.1:9",
    NEXT_TELEMETRY_DISABLED: "1",
  };
  t = performance.now();
  // BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the server.
  const nodeArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const server =
    serverKind === "fast"
      ? node([...nodeArgs, "--import", "tsx", "server.ts", "--port", String(port), "--hostname", "127.0.0.1"], serverEnv, (l) => /^\[(server|disparo)\]|não gravado|Error/.test(l))
      : node([...nodeArgs, nextBin, "start", "--port", String(port), "--hostname", "127.0.0.1"], serverEnv, (l) => /^\[disparo\]|Ready|▲/.test(l));
  const verify = `http://127.0.0.1:${port}/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${secrets.WHATSAPP_VERIFY_TOKEN}&hub.challenge=1`;
  await Promise.race([
    waitForHttp(verify, 90_000, (status) => status === 200),
    exited(server.child).then((code) => {
      throw new Error(`o servidor saiu (código ${code}):\n${server.lines.slice(-30).join("\n")}`);
    }),
  ]);
  say(`servidor ${serverKind === "fast" ? "server.ts (caminho rápido)" : "next start (rota App Router)"} pronto (${since(t)})`);

  // 5. The load, from another process.
  const postmaster = Number(readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);
  const load: LoadConfig = {
    host: "127.0.0.1",
    port,
    secret: secrets.WHATSAPP_APP_SECRET,
    targetsFile,
    rate,
    replyRatio,
    callbackRatio,
    connections,
    maxSeconds,
    timeoutMs: 30_000,
    phoneNumberId: chip.phoneNumberId,
    displayPhone: chip.displayNumber.replace(/\D/g, ""),
    timelineFile: path.join(dataDir, "timeline.json"),
    wabaId: chip.wabaId,
    seed: 42,
  };
  const replies = Math.min(recipients, Math.round(replyRatio * 3 * recipients));
  say(
    `carga: ${3 * recipients} status a ${rate}/s + ${replies} respostas, ${connections} conexões keep-alive ` +
      `(~${expectedSeconds.toFixed(0)} s, limite ${maxSeconds} s)`,
  );
  if (warmup) {
    // The warm-up: same rate, same mix, its own recipients and inbound wamids (seed 7); figures printed, not counted.
    const warm: LoadConfig = { ...load, targetsFile: warmupFile, timelineFile: "", seed: 7, maxSeconds: Math.ceil((3 * warmup) / rate) * 3 + 30 };
    const warmLoader = node(["--import", "tsx", "scripts/bench-webhooks-load.ts"], { ...process.env, BENCH_LOAD: JSON.stringify(warm) }, () => false);
    await exited(warmLoader.child);
    const w = JSON.parse(warmLoader.lines.filter((l) => l.startsWith("{")).pop() ?? "{}") as Record<string, unknown>;
    say(`aquecimento (não contado): ${3 * warmup} status, ${w.statuses_per_s} status/s, mediana ${w.median_ms} ms, p99 ${w.p99_ms} ms, não-200 ${w.non_200}`);
  }
  const cpuBefore = cpuSnapshot(server.child.pid!, postmaster);
  const wall0 = performance.now();
  const loader = node(["--import", "tsx", "scripts/bench-webhooks-load.ts"], { ...process.env, BENCH_LOAD: JSON.stringify(load) }, (l) => !l.startsWith("{"));
  const loaderCode = await exited(loader.child);
  const wall = (performance.now() - wall0) / 1000;
  const cpuAfter = cpuSnapshot(server.child.pid!, postmaster);
  const resultLine = loader.lines.filter((l) => l.startsWith("{")).pop();
  if (loaderCode !== 0 || !resultLine) throw new Error(`o gerador de carga falhou (código ${loaderCode}):\n${loader.lines.slice(-20).join("\n")}`);
  const result = JSON.parse(resultLine) as Record<string, unknown> & { complete: boolean; non_200: number; loader_cpu_s: number; statuses_per_s: number; median_ms: number; p99_ms: number };

  // 6. Everything applied?
  const [check] = await sql<{ total: number; read: number; replied: number; inbound: number }[]>`
    select count(*)::int as total,
           count(*) filter (where status = 'read' and sent_at is not null and delivered_at is not null
                              and read_at is not null)::int as read,
           count(*) filter (where replied_at is not null)::int as replied,
           (select count(*) from inbound_messages m join campaign_recipients r on r.id = m.campaign_recipient_id
             where r.campaign_id = ${campaignId})::int as inbound
      from campaign_recipients where campaign_id = ${campaignId}`;
  const allApplied = check!.read === recipients && check!.replied === replies && check!.inbound === replies;
  say(
    `banco: ${check!.read}/${recipients} destinatários em read com os três horários, ` +
      `${check!.replied}/${replies} marcados como respondidos, ${check!.inbound} mensagens recebidas ligadas à campanha`,
  );

  // Profiling: with `--set shared_preload_libraries=pg_stat_statements` (and `--set pg_stat_statements.track_planning=on`),
  // where the database time went, by statement.
  if (/pg_stat_statements/.test(settings.shared_preload_libraries ?? "")) {
    await sql`create extension if not exists pg_stat_statements`;
    const top = await sql<{ calls: number; exec_ms: number; plan_ms: number; rows: number; query: string }[]>`
      select calls::int, round(total_exec_time)::int as exec_ms, round(total_plan_time)::int as plan_ms, rows::int,
             regexp_replace(left(query, 110), '[[:space:]]+', ' ', 'g') as query
        from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
       order by total_exec_time + total_plan_time desc limit 12`;
    say("pg_stat_statements (tempo de execução + planejamento):");
    for (const q of top) console.log(`  ${String(q.exec_ms).padStart(7)} ms exec ${String(q.plan_ms).padStart(6)} ms plan ${String(q.calls).padStart(7)}× ${q.query}`);
  }

  // 7. Stop the server (it prints its batching figures on the way out).
  server.child.kill("SIGTERM");
  await Promise.race([exited(server.child), new Promise((r) => setTimeout(r, 15_000))]);
  const batching = server.lines.filter((l) => l.startsWith("[webhook] lotes:")).pop()?.replace("[webhook] lotes: ", "");
  const load1 = os.loadavg();
  const cpuRefEnd = cpuReferenceMs();
  const valid = result.complete && result.non_200 === 0 && allApplied;
  const r1 = (x: number) => Math.round(x * 10) / 10;
  const summary = {
    ...result,
    statuses_per_s: valid ? result.statuses_per_s : 0,
    measured_statuses_per_s: result.statuses_per_s,
    valid,
    goals: GOALS,
    meets_goals:
      valid &&
      result.statuses_per_s >= GOALS.statuses_per_s &&
      result.median_ms <= GOALS.median_ms &&
      result.p99_ms <= GOALS.p99_ms,
    all_applied: allApplied,
    server: serverKind === "fast" ? "server.ts" : "next start",
    postgres_settings: extra,
    recipients,
    warmup_recipients: warmup,
    cpu_s: {
      wall: r1(wall),
      server: r1(cpuAfter.server - cpuBefore.server),
      postgres: r1(sum(cpuAfter.postgres) - sum(cpuBefore.postgres)),
      postgres_by_process: Object.fromEntries(
        Object.entries(cpuAfter.postgres)
          .map(([k, v]) => [k, r1(v - (cpuBefore.postgres[k] ?? 0))] as const)
          .filter(([, v]) => v > 0),
      ),
      loader: result.loader_cpu_s,
    },
    batching: batching ?? null,
    loadavg_before: load0.map(r1),
    cpu_ref_ms: [cpuRef, cpuRefEnd],
    loadavg_after: load1.map(r1),
    total_s: r1((performance.now() - t0) / 1000),
  };
  if (!valid)
    say(
      `INVÁLIDO: ${result.complete ? "" : "carga incompleta; "}${result.non_200 ? `${result.non_200} respostas não-200; ` : ""}` +
        `${allApplied ? "" : "nem tudo aplicado no banco"}`,
    );
  await cleanup();
  console.log(JSON.stringify(summary));
  process.exit(valid ? 0 : 1);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  await cleanup();
  process.exit(1);
}
