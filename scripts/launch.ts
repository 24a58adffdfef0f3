import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { freePort } from "./lib/embedded-postgres";
import { loadSecrets, log, prepareDatabase, startDatabase, waitForHttp, type Database } from "./lib/stack";
import { DEMO_USERS } from "../db/seed";

// The one launcher: database, migrations, demo data, the WhatsApp simulator, the dispatch worker and the web app,
// wired through the environment. `dev` keeps ./.data/dev; `e2e` uses ./.data/e2e and a throwaway database.
const mode = process.argv[2];
if (mode !== "dev" && mode !== "e2e") {
  console.error("uso: tsx scripts/launch.ts dev|e2e");
  process.exit(2);
}

const children = new Set<ChildProcess>();
const cleanups: (() => Promise<void>)[] = [];
let stopping = false;

// A quiet child's output is kept (its tail printed if it dies) and, with `logFile`, written there whole.
const run = (name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, quiet = false, logFile?: string) => {
  const child = spawn(cmd, args, { env, stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit", detached: true });
  children.add(child);
  if (quiet) {
    let tail = "";
    const file = logFile ? createWriteStream(logFile) : null;
    const keep = (b: Buffer) => {
      file?.write(b);
      tail = (tail + b.toString()).slice(-4000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.on("exit", () => file?.end());
    child.on("exit", (code) => code && !stopping && console.error(`[${name}] saiu com código ${code}\n${tail}`));
  }
  child.on("exit", () => children.delete(child));
  return child;
};

const waitExit = (child: ChildProcess) =>
  new Promise<number>((resolve) => child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));

const shutdown = async (code: number) => {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    try {
      if (child.pid) process.kill(-child.pid, "SIGTERM");
    } catch {}
  }
  await Promise.all([...children].map((c) => Promise.race([waitExit(c), new Promise((r) => setTimeout(r, 5000))])));
  for (const child of children) {
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {}
  }
  for (const cleanup of cleanups.reverse()) await cleanup().catch((e) => console.error(e));
  log("launch", "tudo encerrado");
  process.exit(code);
};

process.on("SIGINT", () => void shutdown(130));
process.on("SIGTERM", () => void shutdown(143));

const nextBin = path.join("node_modules", "next", "dist", "bin", "next");

// The WhatsApp Cloud API simulator: a separate process; the app reaches it over HTTP like the real API and
// it sends signed webhooks back to the app.
const startSimulator = async (secrets: ReturnType<typeof loadSecrets>, appPort: number, quiet: boolean) => {
  const port = await freePort();
  run("simulator", process.execPath, ["--import", "tsx", "scripts/whatsapp-simulator/main.ts"], {
    ...process.env,
    SIM_PORT: String(port),
    SIM_APP_SECRET: secrets.WHATSAPP_APP_SECRET,
    SIM_WEBHOOK_URL: `http://localhost:${appPort}/api/webhooks/whatsapp`,
  }, quiet);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/_sim/stats`, 30_000);
  log("whatsapp", `simulador da Cloud API em ${url}`);
  return url;
};

const appEnv = (
  db: string,
  secrets: ReturnType<typeof loadSecrets>,
  port: number,
  nodeEnv: "development" | "production",
  whatsappUrl: string,
): NodeJS.ProcessEnv => ({
  ...process.env,
  ...secrets,
  WHATSAPP_API_BASE_URL: whatsappUrl,
  NODE_ENV: nodeEnv,
  DATABASE_URL: db,
  APP_URL: `http://localhost:${port}`,
  AUTH_TRUST_HOST: "true",
  AUTH_URL: `http://localhost:${port}`,
  DISPATCH_ENGINE: process.env.DISPATCH_ENGINE ?? "local",
  NEXT_TELEMETRY_DISABLED: "1",
  PORT: String(port),
});

// The local dispatch engine (DISPATCH_ENGINE=local, the default here): a process of its own, like production's.
const startWorker = (env: NodeJS.ProcessEnv, quiet: boolean) => {
  if ((env.DISPATCH_ENGINE ?? "local") !== "local") {
    log("worker", "DISPATCH_ENGINE=inngest: o worker local não é iniciado (rode `npx inngest-cli dev`, veja o README)");
    return;
  }
  run("worker", process.execPath, ["--import", "tsx", "scripts/worker.ts"], env, quiet);
};

const printLogin = (url: string) => {
  const admin = DEMO_USERS.find((u) => u.role === "admin")!;
  console.log(`\n  \x1b[1mDisparo\x1b[0m pronto em \x1b[36m${url}\x1b[0m`);
  console.log(`  Entre com \x1b[1m${admin.email}\x1b[0m / \x1b[1m${admin.password}\x1b[0m`);
  for (const u of DEMO_USERS.filter((u) => u.role !== "admin"))
    console.log(`  (também: ${u.email} / ${u.password} — ${u.role})`);
  console.log("  Ctrl-C encerra tudo (app e PostgreSQL).\n");
};

const dev = async () => {
  const dataDir = ".data/dev";
  const secrets = loadSecrets(dataDir);
  const db: Database = await startDatabase(dataDir);
  cleanups.push(db.stop);
  await prepareDatabase(db.url, secrets);
  const port = Number(process.env.PORT) || ((await isFree(3000)) ? 3000 : await freePort());
  const whatsappUrl = await startSimulator(secrets, port, false);
  const env = appEnv(db.url, secrets, port, "development", whatsappUrl);
  startWorker(env, false);
  const web = run("web", process.execPath, [nextBin, "dev", "--port", String(port)], env);
  await waitForHttp(`http://localhost:${port}/login`, 120_000);
  printLogin(`http://localhost:${port}`);
  await shutdown(await waitExit(web));
};

const isFree = async (port: number) => {
  const { createServer } = await import("node:net");
  return new Promise<boolean>((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
};

const e2e = async () => {
  const dataDir = ".data/e2e";
  const secrets = loadSecrets(dataDir);
  const server = await startDatabase(dataDir, "postgres");
  cleanups.push(server.stop);
  // A throwaway database per run, dropped at the end, so every run starts from the same demo data.
  const name = `e2e_${randomBytes(4).toString("hex")}`;
  const adminUrl = new URL(server.url);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  adminUrl.pathname = "/postgres";
  const admin = postgres(adminUrl.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  cleanups.push(async () => {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end({ timeout: 5 });
  });
  await prepareDatabase(url.toString(), secrets);

  if (!process.argv.includes("--no-build")) {
    log("e2e", "next build…");
    const build = run("build", process.execPath, [nextBin, "build"], { ...process.env, NEXT_TELEMETRY_DISABLED: "1" });
    if ((await waitExit(build)) !== 0) throw new Error("next build falhou");
  }
  const port = await freePort();
  const whatsappUrl = await startSimulator(secrets, port, true);
  // The production server (server.ts): Next.js plus the webhook's node:http fast path, as `npm start` runs it.
  const env = appEnv(url.toString(), secrets, port, "production", whatsappUrl);
  startWorker(env, true);
  // Its output goes to e2e/artifacts/server-<database>.log too: tests read it (e2e/quiet-logs.e2e.ts).
  mkdirSync("e2e/artifacts", { recursive: true });
  const serverLog = path.resolve(`e2e/artifacts/server-${name}.log`);
  run("web", process.execPath, ["--import", "tsx", "server.ts", "--port", String(port)], env, true, serverLog);
  await waitForHttp(`http://localhost:${port}/login`, 60_000);
  log("e2e", `app em http://localhost:${port}`);
  const tests = run("vitest", process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--project", "e2e", ...process.argv.slice(3).filter((a) => a !== "--no-build")], {
    ...process.env,
    E2E_BASE_URL: `http://localhost:${port}`,
    E2E_DATABASE_URL: url.toString(),
    E2E_WHATSAPP_URL: whatsappUrl,
    E2E_SERVER_LOG: serverLog,
    // What a second production server needs to start on the same database (e2e/production-start.e2e.ts).
    E2E_APP_ENV: JSON.stringify({ ...secrets, DATABASE_URL: url.toString(), WHATSAPP_API_BASE_URL: whatsappUrl, DISPATCH_ENGINE: env.DISPATCH_ENGINE }),
  });
  await shutdown(await waitExit(tests));
};

(mode === "dev" ? dev() : e2e()).catch(async (err) => {
  console.error(err instanceof Error ? err.message : err);
  await shutdown(1);
});
