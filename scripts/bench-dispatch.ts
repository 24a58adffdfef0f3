// Campaign dispatch end to end, as the launcher wires it: `npm run bench:dispatch [-- --recipients 100000 --snapshot 1000000]`.
//
// On its own embedded PostgreSQL (a fresh .data/bench-dispatch/, the recommended settings of lib/pg-settings.ts,
// durable commits; `--set key=value` overrides one), migrated, with the demo organization of `--snapshot`
// contacts (seedDemo, no demo campaigns), and its own WhatsApp simulator (in this process). The local engine
// runs as production runs it: `scripts/worker.ts` in a child process (NODE_ENV=production, its own pool), so it
// never competes for this process's event loop; it reaches the simulator over loopback HTTP like the real API.
//
// 1. Without webhooks: a campaign of `--recipients` contacts (opted in, on chip 1, none of them with a phone
//    ending the simulator turns into an error), built like the screens do (saveAudience, saveCampaign,
//    confirmCampaign), chip 1 and its simulator number raised to `--mps` messages/s (default 100,000: the
//    limit out of the way; the organization's messaging limit set to TIER_UNLIMITED). msgs/s = messages the
//    simulator accepted ÷ wall time from the first claim (min(last_attempt_at)) to the campaign's completion
//    (finished_at), both read from the database.
// 2. Raw HTTP capacity of the machine: a bare node:http server in this process answering the simulator's answer
//    body, a bare client in a child process (node:http with a keep-alive agent, then fetch — the worker's
//    client) posting the worker's request body, at the concurrency the worker reached (its peak of open
//    connections to the simulator, read from /proc/net/tcp; `--raw-concurrency` overrides). The better of the
//    two is the physical limit; ratio_to_raw = msgs/s ÷ that.
// 3. With webhooks: the production server (server.ts, built when .next has no BUILD_ID) and a second simulator
//    on the same port whose webhookUrl points at it, signed with the app secret: sent, delivered and read for
//    every message (`--read-share`, default 1; no replies), `--webhook-concurrency` POSTs in flight (default
//    128, as bench:webhooks). A second campaign of the same size, on other contacts. After completion, waits
//    until the simulator's webhooks are idle, then counts the recipients whose status is what the simulator
//    sent (read with its three timestamps; delivered for those it sent no read).
// 4. The snapshot: the worker stopped, a campaign on a list of every contact (all opt-in statuses, both chips:
//    `--snapshot` rows), confirmed, then startCampaign timed in this process.
//
// duplicates: destinations either simulator accepted more than once (must be 0). The LAST line is one JSON
// object. BENCH_WORKER_NODE_ARGS / BENCH_SERVER_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profile
// the worker / the server; `--set shared_preload_libraries=pg_stat_statements` prints the top statements.
//
// Options: --recipients 100000 --snapshot 1000000 (contacts seeded; ≥ 3.5 × recipients) --mps 100000
//          --webhook-concurrency 128 --read-share 1 --raw-concurrency N --raw-requests N --max-minutes 45 --set k=v
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { eq, sql as dsql } from "drizzle-orm";
import postgres from "postgres";
import { createDb, type Db } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { campaigns, chips } from "@/db/schema";
import { DEMO_CHIPS, seedDemo } from "@/db/seed";
import { saveAudience } from "@/lib/audiences";
import { confirmCampaign, saveCampaign } from "@/lib/campaigns/campaigns";
import { startCampaign } from "@/lib/campaigns/dispatch";
import { RECOMMENDED_PG_SETTINGS } from "@/lib/pg-settings";
import { assertFilter, OPT_IN_STATUSES } from "@/lib/segments/filter";
import { cpuReferenceMs } from "@/scripts/lib/cpu-reference";
import { freePort, startEmbeddedPostgres, type RunningPostgres } from "@/scripts/lib/embedded-postgres";
import { waitForHttp } from "@/scripts/lib/stack";
import { demoSimulatorConfig } from "@/scripts/whatsapp-simulator/default-config";
import { startSimulator, type RunningSimulator, type SimStats } from "@/scripts/whatsapp-simulator/server";

// ---- the raw client (this file again, in a child process) ----

type RawConfig = { url: string; headers: Record<string, string>; body: string; requests: number; warmup: number; concurrency: number; client: "http" | "fetch" };
const RAW_ENV = "BENCH_DISPATCH_RAW_CLIENT";

const rawClient = async (c: RawConfig) => {
  const target = new URL(c.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: c.concurrency });
  const once = (): Promise<boolean> =>
    c.client === "fetch"
      ? fetch(c.url, { method: "POST", headers: c.headers, body: c.body }).then(
          async (r) => (await r.text(), r.ok),
          () => false,
        )
      : new Promise((resolve) => {
          const req = http.request(
            { agent, host: target.hostname, port: target.port, path: target.pathname, method: "POST", headers: { ...c.headers, "content-length": Buffer.byteLength(c.body) } },
            (res) => {
              res.on("data", () => {});
              res.on("end", () => resolve(res.statusCode === 200));
              res.on("error", () => resolve(false));
            },
          );
          req.on("error", () => resolve(false));
          req.end(c.body);
        });
  const run = async (total: number) => {
    let issued = 0;
    let errors = 0;
    const lane = async () => {
      while (issued < total) {
        issued++;
        if (!(await once())) errors++;
      }
    };
    const t = performance.now();
    await Promise.all(Array.from({ length: Math.min(c.concurrency, total) }, lane));
    return { seconds: (performance.now() - t) / 1000, errors };
  };
  await run(c.warmup);
  const cpu0 = process.cpuUsage();
  const r = await run(c.requests);
  const cpu = process.cpuUsage(cpu0);
  agent.destroy();
  console.log(
    JSON.stringify({
      client: c.client,
      requests: c.requests,
      concurrency: c.concurrency,
      seconds: Math.round(r.seconds * 1000) / 1000,
      requests_per_s: Math.round((c.requests / r.seconds) * 10) / 10,
      errors: r.errors,
      client_cpu_s: Math.round(((cpu.user + cpu.system) / 1e6) * 10) / 10,
    }),
  );
};

if (process.env[RAW_ENV]) {
  await rawClient(JSON.parse(process.env[RAW_ENV]) as RawConfig);
  process.exit(0);
}

// ---- options ----

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
};
const settings: Record<string, string> = Object.fromEntries(Object.entries(RECOMMENDED_PG_SETTINGS).map(([k, v]) => [k, String(v)]));
process.argv.forEach((a, i) => {
  const [key, value] = a === "--set" ? (process.argv[i + 1] ?? "").split("=", 2) : [];
  if (key && value !== undefined) settings[key] = value;
});
const RECIPIENTS = Number(arg("recipients", "100000"));
const SNAPSHOT = Number(arg("snapshot", "1000000"));
const MPS = Number(arg("mps", "100000"));
const WEBHOOK_CONCURRENCY = Number(arg("webhook-concurrency", "128"));
const READ_SHARE = Number(arg("read-share", "1"));
const RAW_CONCURRENCY = Number(arg("raw-concurrency", "0")); // 0 = the worker's measured peak
const RAW_REQUESTS = Number(arg("raw-requests", String(Math.max(20_000, RECIPIENTS))));
const MAX_MINUTES = Number(arg("max-minutes", "45"));
if (
  ![RECIPIENTS, SNAPSHOT, MPS, WEBHOOK_CONCURRENCY, RAW_REQUESTS, MAX_MINUTES].every((n) => Number.isInteger(n) && n > 0) ||
  !(Number.isInteger(RAW_CONCURRENCY) && RAW_CONCURRENCY >= 0) ||
  !(READ_SHARE >= 0 && READ_SHARE <= 1) ||
  RECIPIENTS < 100 ||
  SNAPSHOT < Math.ceil(3.5 * RECIPIENTS) ||
  SNAPSHOT > 9_999_999
) {
  console.error(
    "uso: npm run bench:dispatch -- [--recipients 100000 (≥ 100)] [--snapshot 1000000 (contatos; ≥ 3,5 × recipients)] [--mps 100000]\n" +
      "     [--webhook-concurrency 128] [--read-share 1] [--raw-concurrency N] [--raw-requests N] [--max-minutes 45] [--set chave=valor]",
  );
  process.exit(2);
}
const GOALS = { msgs_per_s: 1000, ratio_to_raw: 0.25, with_webhooks_msgs_per_s: 1000, statuses_applied_pct: 100, snapshot_s: 15, duplicates: 0 };

const root = process.cwd();
const dataDir = path.join(root, ".data", "bench-dispatch");
const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
const TZ = "America/Sao_Paulo";
const t0 = performance.now();
const say = (line: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${line}`);
const n = (x: number) => x.toLocaleString("pt-BR");
const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const deadline = t0 + MAX_MINUTES * 60_000;

// ---- processes ----

let pg: RunningPostgres | undefined;
let admin: postgres.Sql | undefined;
let app: { sql: postgres.Sql; db: Db } | undefined;
let sim: RunningSimulator | undefined;
let rawServer: http.Server | undefined;
const children = new Set<ChildProcess>();
const cleanup = async () => {
  for (const c of children) c.kill("SIGKILL");
  rawServer?.closeAllConnections();
  rawServer?.close();
  await sim?.stop().catch(() => {});
  await app?.sql.end({ timeout: 1 }).catch(() => {});
  await admin?.end({ timeout: 1 }).catch(() => {});
  await pg?.stop().catch(() => {});
};
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => void cleanup().then(() => process.exit(130)));
const watchdog = setTimeout(() => {
  console.error(`Tempo esgotado (${MAX_MINUTES} min): benchmark interrompido.`);
  void cleanup().then(() => process.exit(1));
}, MAX_MINUTES * 60_000 + 60_000);
watchdog.unref();

const exited = (child: ChildProcess) =>
  new Promise<number>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode ?? 1);
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });

/** Spawns a node process; keeps its output lines (and echoes the ones `echo` picks). */
const node = (args: string[], env: NodeJS.ProcessEnv, echo: (line: string) => boolean) => {
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
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

const stopChild = async (child: ChildProcess, ms = 20_000) => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  await Promise.race([exited(child), sleep(ms).then(() => child.kill("SIGKILL"))]);
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
const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
type CpuSnap = { worker: number; bench: number; server: number; postgres: Record<string, number> };
const benchCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const cpuDiff = (a: CpuSnap, b: CpuSnap) => ({
  worker: r1(b.worker - a.worker),
  simulator_and_bench: r1(b.bench - a.bench),
  ...(b.server || a.server ? { server: r1(b.server - a.server) } : {}),
  postgres: r1(sum(b.postgres) - sum(a.postgres)),
  postgres_by_process: Object.fromEntries(
    Object.entries(b.postgres)
      .map(([k, v]) => [k, r1(v - (a.postgres[k] ?? 0))] as const)
      .filter(([, v]) => v > 0),
  ),
});

/** ESTABLISHED loopback connections whose remote end is `port` (the worker's connections to the simulator). */
const connectionsTo = (port: number) => {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  let count = 0;
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    try {
      for (const line of readFileSync(file, "utf8").split("\n").slice(1)) {
        const f = line.trim().split(/\s+/);
        if (f[3] === "01" && f[2]?.endsWith(`:${hex}`)) count++;
      }
    } catch {}
  }
  return count;
};

try {
  const load0 = os.loadavg();
  const cpuRef0 = cpuReferenceMs();
  say(`laço de referência da CPU: ${cpuRef0} ms (~390 ms nesta máquina quando calma)`);
  say(`carga da máquina (1/5/15 min): ${load0.map((x) => x.toFixed(2)).join(" ")} · ${os.cpus().length} núcleos`);

  // ---- the production build (reused when present) ----
  if (existsSync(path.join(root, ".next", "BUILD_ID"))) say("usando o build existente (.next/BUILD_ID)");
  else {
    say("next build…");
    const build = spawn(process.execPath, [nextBin, "build"], { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
    children.add(build);
    if ((await exited(build)) !== 0) throw new Error("next build falhou");
  }

  // ---- a fresh PostgreSQL with the demo organization ----
  rmSync(dataDir, { recursive: true, force: true });
  pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "postgres"), settings });
  await pg.createDatabase("bench");
  const url = pg.url("bench");
  const pgSettings = Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(", ");
  say(`postgres na porta ${pg.port} (${pgSettings}; commits duráveis)`);
  await runMigrations(url);
  admin = postgres(url, { max: 2, onnotice: () => {} });
  const version = (await admin`show server_version`)[0]!.server_version as string;
  const encryptionKey = randomBytes(32).toString("base64");
  say(`seed: ${n(SNAPSHOT)} contatos (seedDemo, sem campanhas de demonstração)…`);
  const seeded = await seedDemo(admin, { contacts: SNAPSHOT, encryptionKey, campaigns: false });
  const org = seeded.organizationId;
  say(`seed: ${(seeded.ms / 1000).toFixed(1)} s`);

  // ---- chip 1 out of the way, two disjoint audiences, three draft campaigns ----
  app = createDb(url, 4);
  const db = app.db;
  const chip = DEMO_CHIPS[0];
  const [ids] = await admin<{ chip: number; gestor: string; template: number }[]>`
    select (select id from chips where organization_id = ${org} and phone_number_id = ${chip.phoneNumberId}) as chip,
           (select id from users where organization_id = ${org} and role = 'gestor' order by id limit 1) as gestor,
           (select id from templates where organization_id = ${org} and name = 'lembrete_carrinho' and status = 'approved') as template`;
  if (!ids?.chip || !ids.gestor || !ids.template) throw new Error("O seed não criou o chip 1, o gestor ou o template lembrete_carrinho: ajuste o benchmark.");
  // The chip's throughput and the portfolio's messaging limit (unique users per 24 h, which the worker honours)
  // out of the way: what is measured is the engine, not Meta's limits.
  await db.update(chips).set({ messagesPerSecond: MPS }).where(eq(chips.id, ids.chip));
  await admin`update organizations set messaging_limit_tier = 'TIER_UNLIMITED' where id = ${org}`;
  const actor = { organizationId: org, userId: ids.gestor, role: "gestor" as const };

  // Opted in, registered on chip 1, and no phone ending the simulator turns into an error or a hang (0001–0007,
  // 0009: README of the simulator): every message of these campaigns is accepted.
  const tagIds: number[] = [];
  for (const name of ["bench-disparo-a", "bench-disparo-b"]) {
    const [t] = await admin<{ id: number }[]>`insert into tags (organization_id, name, color) values (${org}, ${name}, 'gray') returning id`;
    tagIds.push(t!.id);
  }
  const tagged = await admin`
    with pick as (
      select id, row_number() over (order by id) as k from contacts
       where organization_id = ${org} and opt_in_status = 'opted_in' and chip_ids @> array[${ids.chip}::int]
         and phone !~ '000[1-79]$'
       order by id limit ${2 * RECIPIENTS}
    )
    update contacts c set tag_ids = array_append(c.tag_ids, case when p.k <= ${RECIPIENTS} then ${tagIds[0]!}::int else ${tagIds[1]!}::int end),
                          updated_at = now()
      from pick p where c.id = p.id`;
  if (tagged.count !== 2 * RECIPIENTS)
    throw new Error(`Só ${tagged.count} contatos elegíveis para duas campanhas de ${RECIPIENTS}: aumente --snapshot.`);
  await admin.unsafe("vacuum analyze contacts");

  const variables = [{ component: "body" as const, index: 1, source: "field" as const, field: "first_name" as const }];
  const draft = async (name: string, filter: unknown) => {
    const list = await saveAudience(db, actor, null, { name, filter });
    const { id } = await saveCampaign(
      db,
      actor,
      { id: null, name, chipId: ids.chip, audienceId: list.id, templateId: ids.template, flowId: null, sendMode: "immediate", scheduledAt: null, headerMediaUrl: null, packageConsent: true, variables },
      { intent: "submit", timeZone: TZ },
    );
    return id;
  };
  const campaignA = await draft("Bench disparo — sem webhooks", assertFilter({ version: 1, tags: { any: [tagIds[0]!] } }));
  const campaignB = await draft("Bench disparo — com webhooks", assertFilter({ version: 1, tags: { any: [tagIds[1]!] } }));
  const campaignC = await draft("Bench disparo — retrato", assertFilter({ version: 1, optIn: [...OPT_IN_STATUSES] }));
  say(`campanhas em rascunho: ${campaignA}, ${campaignB} (${n(RECIPIENTS)} destinatários cada, etiquetas próprias) e ${campaignC} (todos os contatos)`);

  // ---- secrets, the simulator, the worker ----
  const secrets = {
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    WHATSAPP_APP_SECRET: randomBytes(24).toString("hex"),
    WHATSAPP_VERIFY_TOKEN: randomBytes(12).toString("hex"),
  };
  const simPort = await freePort();
  const simConfig = { ...demoSimulatorConfig(), portfolioMessagingLimit: "TIER_UNLIMITED" };
  simConfig.phoneNumbers = simConfig.phoneNumbers.map((p) => (p.phoneNumberId === chip.phoneNumberId ? { ...p, mps: MPS } : p));
  sim = await startSimulator({ ...simConfig, port: simPort, maxStoredMessages: 1000 });
  say(`simulador (neste processo) em ${sim.url}, webhooks desligados; número ${chip.phoneNumberId} a ${n(MPS)} msg/s`);

  const appPort = await freePort();
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...secrets,
    NODE_ENV: "production",
    DATABASE_URL: url,
    ENCRYPTION_KEY: encryptionKey,
    DISPATCH_ENGINE: "local",
    AUTH_TRUST_HOST: "true",
    APP_URL: `http://127.0.0.1:${appPort}`,
    WHATSAPP_API_BASE_URL: sim.url,
    NEXT_TELEMETRY_DISABLED: "1",
  };
  const workerArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const worker = node([...workerArgs, "--import", "tsx", "scripts/worker.ts"], baseEnv, (l) => /^\[worker\]|Error|rror:/.test(l));
  await Promise.race([
    (async () => {
      while (!worker.lines.some((l) => l.includes("motor de disparo local iniciado"))) await sleep(50);
    })(),
    exited(worker.child).then((code) => {
      throw new Error(`o worker saiu (código ${code}):\n${worker.lines.slice(-30).join("\n")}`);
    }),
  ]);
  const workerPid = worker.child.pid!;
  const postmaster = Number(readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);
  let serverPid = 0;
  const snap = (): CpuSnap => ({ worker: procStat(workerPid)?.self ?? NaN, bench: benchCpu(), server: serverPid ? (procStat(serverPid)?.self ?? NaN) : 0, postgres: postgresCpu(postmaster) });

  const duplicatesOf = (s: SimStats) => Object.values(s.acceptedByDestination).filter((k) => k > 1).length;

  /** Confirms a campaign, waits for the worker to complete it; wall time from the first claim to finished_at. */
  const runCampaign = async (id: number, label: string) => {
    sim!.reset();
    let peakConnections = 0;
    const cpuBefore = snap();
    await confirmCampaign(db, actor, { id, chipScope: "this_chip", optInConfirmed: false }, { timeZone: TZ });
    say(`${label}: campanha ${id} confirmada; o worker a pega no próximo ciclo`);
    const limit = Math.min(deadline, performance.now() + (RECIPIENTS / 100) * 1000 + 120_000);
    let lastReport = performance.now();
    for (;;) {
      peakConnections = Math.max(peakConnections, connectionsTo(simPort));
      const [c] = await db.select({ status: campaigns.status, pausedReason: campaigns.pausedReason }).from(campaigns).where(eq(campaigns.id, id));
      if (c?.status === "completed") break;
      if (c && !["queued", "sending"].includes(c.status)) throw new Error(`${label}: campanha ${id} ficou “${c.status}”${c.pausedReason ? `: ${c.pausedReason}` : ""}`);
      if (worker.child.exitCode !== null) throw new Error(`${label}: o worker saiu:\n${worker.lines.slice(-20).join("\n")}`);
      if (performance.now() > limit) throw new Error(`${label}: campanha ${id} não terminou a tempo (${n(sim!.stats().accepted)} aceitas)`);
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        say(`${label}: ${n(sim!.stats().accepted)} aceitas até agora, ${peakConnections} conexões do worker no pico`);
      }
      await sleep(200);
    }
    const cpuAfter = snap();
    const stats = sim!.stats();
    const [t] = await db.execute<{ wall_s: number; snapshot_s: number; total: number; pending: number; sending: number; sent: number; delivered: number; read: number; failed: number; indeterminate: number; skipped: number; claims_s: number }>(dsql`
      select extract(epoch from (select finished_at from campaigns where id = ${id}) - min(r.last_attempt_at))::float8 as wall_s,
             extract(epoch from min(r.last_attempt_at) - (select started_at from campaigns where id = ${id}))::float8 as snapshot_s,
             count(*)::int as total,
             count(*) filter (where r.status = 'pending')::int as pending, count(*) filter (where r.status = 'sending')::int as sending,
             count(*) filter (where r.status = 'sent')::int as sent, count(*) filter (where r.status = 'delivered')::int as delivered,
             count(*) filter (where r.status = 'read')::int as read, count(*) filter (where r.status = 'failed')::int as failed,
             count(*) filter (where r.status = 'indeterminate')::int as indeterminate, count(*) filter (where r.status = 'skipped')::int as skipped,
             extract(epoch from max(r.last_attempt_at) - min(r.last_attempt_at))::float8 as claims_s
        from campaign_recipients r where r.campaign_id = ${id}`);
    const row = t!;
    const msgsPerS = stats.accepted / row.wall_s;
    say(
      `${label}: ${n(stats.accepted)} aceitas em ${row.wall_s.toFixed(2)} s do primeiro claim à conclusão → ${r1(msgsPerS)} msg/s ` +
        `(retrato de ${n(row.total)} em ${row.snapshot_s.toFixed(2)} s antes; claims ao longo de ${row.claims_s.toFixed(2)} s); ` +
        `${peakConnections} conexões do worker no pico; duplicados ${duplicatesOf(stats)}`,
    );
    const cpu = cpuDiff(cpuBefore, cpuAfter);
    say(`${label}: CPU (s) worker ${cpu.worker}, simulador+bench ${cpu.simulator_and_bench}${"server" in cpu ? `, servidor ${cpu.server}` : ""}, PostgreSQL ${cpu.postgres} ${JSON.stringify(cpu.postgres_by_process)}`);
    return { id, stats, row, msgsPerS, peakConnections, cpu };
  };

  // ---- 1. the campaign without webhooks ----
  const a = await runCampaign(campaignA, "sem webhooks");
  const aValid = a.stats.accepted === RECIPIENTS && a.row.total === RECIPIENTS && a.row.sent === RECIPIENTS && a.stats.rejected === 0;
  if (!aValid) say(`sem webhooks: INVÁLIDO — esperados ${RECIPIENTS} aceitos e em sent: ${JSON.stringify(a.row)}, rejeitados ${a.stats.rejected}`);

  // ---- 2. the machine's raw HTTP capacity at the worker's concurrency ----
  const answer = JSON.stringify({
    messaging_product: "whatsapp",
    contacts: [{ input: "5511987654321", wa_id: "5511987654321" }],
    messages: [{ id: "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjQ5QUJDMDEyMzQ1Njc4OUFCQwA=", message_status: "accepted" }],
  });
  rawServer = http.createServer((req, res) => {
    req.on("data", () => {});
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json; charset=UTF-8", "content-length": Buffer.byteLength(answer) });
      res.end(answer);
    });
  });
  rawServer.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => rawServer!.listen(0, "127.0.0.1", resolve));
  const rawPort = (rawServer.address() as AddressInfo).port;
  const rawConcurrency = RAW_CONCURRENCY || a.peakConnections || 400;
  const rawBody = JSON.stringify({
    messaging_product: "whatsapp",
    recipient_type: "individual",
    to: "5511987654321",
    type: "template",
    template: { name: "lembrete_carrinho", language: { code: "pt_BR" }, components: [{ type: "body", parameters: [{ type: "text", text: "Maria" }] }] },
    biz_opaque_callback_data: "1234567",
  });
  const rawRuns: Record<string, unknown>[] = [];
  for (const client of ["http", "fetch"] as const) {
    const config: RawConfig = {
      url: `http://127.0.0.1:${rawPort}/v23.0/${chip.phoneNumberId}/messages`,
      headers: { authorization: `Bearer ${chip.accessToken}`, accept: "application/json", "content-type": "application/json" },
      body: rawBody,
      requests: RAW_REQUESTS,
      warmup: Math.min(5000, RAW_REQUESTS),
      concurrency: rawConcurrency,
      client,
    };
    const benchBefore = benchCpu();
    const rc = node(["--import", "tsx", "scripts/bench-dispatch.ts"], { ...process.env, [RAW_ENV]: JSON.stringify(config) }, () => false);
    const code = await exited(rc.child);
    const line = rc.lines.filter((l) => l.startsWith("{")).pop();
    if (code !== 0 || !line) throw new Error(`cliente HTTP cru (${client}) falhou (código ${code}):\n${rc.lines.slice(-20).join("\n")}`);
    const result = { ...(JSON.parse(line) as Record<string, unknown>), server_and_bench_cpu_s: r1(benchCpu() - benchBefore) };
    rawRuns.push(result);
    say(`HTTP cru (${client === "http" ? "node:http + Agent keep-alive" : "fetch"}): ${JSON.stringify(result)}`);
  }
  rawServer.closeAllConnections();
  await new Promise<void>((resolve) => rawServer!.close(() => resolve()));
  rawServer = undefined;
  const rawBest = rawRuns.reduce((best, r) => ((r.requests_per_s as number) > (best.requests_per_s as number) ? r : best));
  const rawPerS = rawBest.requests_per_s as number;
  const ratioToRaw = a.msgsPerS / rawPerS;
  say(`limite físico: ${r1(rawPerS)} requisições/s (${rawBest.client}, ${rawConcurrency} em paralelo) → razão ${r2(ratioToRaw)}`);

  // ---- 3. the campaign with webhooks into the production server ----
  const serverArgs = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const server = node([...serverArgs, "--import", "tsx", "server.ts", "--port", String(appPort), "--hostname", "127.0.0.1"], baseEnv, (l) => /^\[(server|disparo)\]|não gravado|Error/.test(l));
  const verify = `http://127.0.0.1:${appPort}/api/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${secrets.WHATSAPP_VERIFY_TOKEN}&hub.challenge=1`;
  await Promise.race([
    waitForHttp(verify, 90_000, (status) => status === 200),
    exited(server.child).then((code) => {
      throw new Error(`o servidor saiu (código ${code}):\n${server.lines.slice(-30).join("\n")}`);
    }),
  ]);
  serverPid = server.child.pid!;
  const statsA = a.stats;
  await sim.stop();
  sim = await startSimulator({
    ...simConfig,
    port: simPort,
    maxStoredMessages: 1000,
    webhookUrl: `http://127.0.0.1:${appPort}/api/webhooks/whatsapp`,
    appSecret: secrets.WHATSAPP_APP_SECRET,
    webhooks: { readShare: READ_SHARE, replyShare: 0, concurrency: WEBHOOK_CONCURRENCY },
  });
  say(`servidor server.ts pronto; simulador de novo em ${sim.url}, webhooks para o servidor (leitura ${READ_SHARE * 100} %, sem respostas, ${WEBHOOK_CONCURRENCY} POSTs em paralelo)`);
  const b = await runCampaign(campaignB, "com webhooks");
  const idle0 = performance.now();
  await sim.idle(Math.max(120_000, RECIPIENTS * 3));
  const hooks = sim.stats().webhooks;
  say(`com webhooks: webhooks ociosos ${((performance.now() - idle0) / 1000).toFixed(1)} s após a conclusão; ${JSON.stringify(hooks)}`);
  const accB = b.stats.accepted;
  // What the simulator sent: sent + delivered for every accepted message, read for some (no failures, no replies).
  const postsSent = hooks.delivered + hooks.failed;
  const readsSent = Math.max(0, postsSent - 2 * accB);
  const [applied] = await db.execute<{ read_ok: number; delivered_ok: number; with_wamid: number }>(dsql`
    select count(*) filter (where status = 'read' and sent_at is not null and delivered_at is not null and read_at is not null)::int as read_ok,
           count(*) filter (where status = 'delivered' and sent_at is not null and delivered_at is not null and read_at is null)::int as delivered_ok,
           count(*) filter (where wamid is not null)::int as with_wamid
      from campaign_recipients where campaign_id = ${campaignB}`);
  const matched = Math.min(applied!.read_ok, readsSent) + Math.min(applied!.delivered_ok, Math.max(0, accB - readsSent));
  const statusesAppliedPct = accB ? r2((100 * matched) / accB) : 0;
  say(
    `com webhooks: o simulador mandou ${n(postsSent)} status (${n(readsSent)} read); no banco ${n(applied!.read_ok)} em read com os três horários, ` +
      `${n(applied!.delivered_ok)} em delivered → ${statusesAppliedPct} % aplicados como enviados`,
  );
  const bValid = accB === RECIPIENTS && b.row.total === RECIPIENTS && b.stats.rejected === 0 && hooks.failed === 0 && b.row.failed + b.row.indeterminate === 0;
  if (!bValid) say(`com webhooks: INVÁLIDO — ${JSON.stringify({ accepted: accB, ...b.row, rejected: b.stats.rejected, webhooks_failed: hooks.failed })}`);

  // ---- 4. the snapshot, the worker stopped ----
  await stopChild(worker.child);
  say("worker encerrado");
  await stopChild(server.child, 15_000);
  const batching = server.lines.filter((l) => l.startsWith("[webhook] lotes:")).pop()?.replace("[webhook] lotes: ", "") ?? null;
  if (batching) say(`servidor: lotes ${batching}`);
  await sim.stop();
  sim = undefined;
  await admin.unsafe("vacuum analyze campaign_recipients, contacts");
  await confirmCampaign(db, actor, { id: campaignC, chipScope: "both", optInConfirmed: true }, { timeZone: TZ });
  const pmBefore = postgresCpu(postmaster);
  const ts = performance.now();
  const started = await startCampaign(db, campaignC);
  const snapshotS = (performance.now() - ts) / 1000;
  const snapshotPgCpu = r1(sum(postgresCpu(postmaster)) - sum(pmBefore));
  const [c] = await db.execute<{ total: number; pending: number; skipped: number }>(dsql`
    select count(*)::int as total, count(*) filter (where status = 'pending')::int as pending, count(*) filter (where status = 'skipped')::int as skipped
      from campaign_recipients where campaign_id = ${campaignC}`);
  const snapshotValid = started.started && !started.already && c!.total === SNAPSHOT;
  say(`retrato: startCampaign de ${n(c!.total)} destinatários (${n(c!.pending)} pendentes, ${n(c!.skipped)} pulados) em ${snapshotS.toFixed(2)} s (PostgreSQL ${snapshotPgCpu} s de CPU)`);
  if (!snapshotValid) say(`retrato: INVÁLIDO — esperados ${SNAPSHOT} destinatários, ${c!.total} gravados (${JSON.stringify(started)})`);

  if (/pg_stat_statements/.test(settings.shared_preload_libraries ?? "")) {
    await admin`create extension if not exists pg_stat_statements`;
    const top = await admin<{ calls: number; exec_ms: number; plan_ms: number; rows: number; query: string }[]>`
      select calls::int, round(total_exec_time)::int as exec_ms, round(total_plan_time)::int as plan_ms, rows::int,
             regexp_replace(left(query, 110), '[[:space:]]+', ' ', 'g') as query
        from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
       order by total_exec_time + total_plan_time desc limit 15`;
    say("pg_stat_statements (tempo de execução + planejamento):");
    for (const q of top) console.log(`  ${String(q.exec_ms).padStart(7)} ms exec ${String(q.plan_ms).padStart(6)} ms plan ${String(q.calls).padStart(7)}× ${q.query}`);
  }

  const duplicates = duplicatesOf(statsA) + duplicatesOf(b.stats);
  const valid = aValid && bValid && snapshotValid;
  const load1 = os.loadavg();
  const cpuRef1 = cpuReferenceMs();
  const figures = {
    msgs_per_s: r1(a.msgsPerS),
    ratio_to_raw: r2(ratioToRaw),
    with_webhooks_msgs_per_s: r1(b.msgsPerS),
    statuses_applied_pct: statusesAppliedPct,
    snapshot_s: r2(snapshotS),
    duplicates,
  };
  const meets = {
    msgs_per_s: figures.msgs_per_s >= GOALS.msgs_per_s,
    ratio_to_raw: figures.ratio_to_raw >= GOALS.ratio_to_raw,
    with_webhooks: figures.with_webhooks_msgs_per_s >= GOALS.with_webhooks_msgs_per_s && figures.statuses_applied_pct === GOALS.statuses_applied_pct,
    snapshot_s: figures.snapshot_s <= GOALS.snapshot_s,
    duplicates: duplicates === GOALS.duplicates,
  };
  const runJson = (x: typeof a) => ({
    campaign: x.id,
    accepted: x.stats.accepted,
    rejected: x.stats.rejected,
    wall_s: r2(x.row.wall_s),
    start_snapshot_s: r2(x.row.snapshot_s),
    statuses: { sent: x.row.sent, delivered: x.row.delivered, read: x.row.read, failed: x.row.failed, indeterminate: x.row.indeterminate, pending: x.row.pending, sending: x.row.sending, skipped: x.row.skipped },
    worker_connections_max: x.peakConnections,
    cpu_s: x.cpu,
  });
  await cleanup();
  console.log(
    `carga da máquina (1 min): ${load0[0]!.toFixed(2)} no início, ${load1[0]!.toFixed(2)} no fim; laço de referência ${cpuRef0} → ${cpuRef1} ms` +
      (load0[0]! > os.cpus().length * 0.75 ? " — a máquina já estava ocupada no início: números ruidosos, rode de novo" : ""),
  );
  console.log(
    JSON.stringify({
      bench: "dispatch",
      ...figures,
      raw_requests_per_s: rawPerS,
      valid,
      goals: GOALS,
      meets_goals: valid && Object.values(meets).every(Boolean),
      meets,
      recipients: RECIPIENTS,
      snapshot_recipients: c!.total,
      worker: "child process (scripts/worker.ts, NODE_ENV=production)",
      mps: MPS,
      runs: {
        no_webhooks: runJson(a),
        raw: { best: rawBest.client, concurrency: rawConcurrency, clients: rawRuns },
        webhooks: { ...runJson(b), webhooks: hooks, reads_sent: readsSent, read_applied: applied!.read_ok, delivered_applied: applied!.delivered_ok, batching },
        snapshot: { campaign: campaignC, seconds: r2(snapshotS), pending: c!.pending, skipped: c!.skipped, postgres_cpu_s: snapshotPgCpu },
      },
      postgres: version,
      postgres_settings: pgSettings,
      cpus: os.cpus().length,
      loadavg_before: load0.map(r2),
      loadavg_after: load1.map(r2),
      cpu_ref_ms: [cpuRef0, cpuRef1],
      total_s: r1((performance.now() - t0) / 1000),
    }),
  );
  clearTimeout(watchdog);
  process.exit(valid ? 0 : 1);
} catch (err) {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  await cleanup();
  process.exit(1);
}
