import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import { describe, expect, it } from "vitest";

// `npm start` as an operator runs it (README, Produção), beside the e2e server on the same database: a SIGTERM to
// npm (what a process manager sends) must reach the server, which drains and exits; AUTH_TRUST_HOST is honoured,
// and an environment without AUTH_URL or AUTH_TRUST_HOST is refused at start, not at the first sign-in.

const appEnv = JSON.parse(process.env.E2E_APP_ENV ?? "{}") as Record<string, string>;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });

const npmStart = (port: number, extra: Record<string, string | undefined>) => {
  const env: NodeJS.ProcessEnv = { ...process.env, ...appEnv, NODE_ENV: "production", PORT: String(port), APP_URL: `http://localhost:${port}` };
  delete env.AUTH_URL;
  delete env.AUTH_TRUST_HOST;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  const child = spawn("npm", ["start", "--", "--port", String(port), "--hostname", "127.0.0.1"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (b: Buffer) => (output += b.toString()));
  child.stderr!.on("data", (b: Buffer) => (output += b.toString()));
  return { child, output: () => output };
};

const exited = (child: ChildProcess, ms: number) =>
  new Promise<number | null>((resolve, reject) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => reject(new Error(`não saiu em ${ms} ms`)), ms);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });

const waitFor = async (what: () => boolean, ms: number, label: string) => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error(`esperando ${label}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** Every process below `pid` (Linux /proc). */
const descendants = (pid: number): number[] => {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parents) if (parent === p) (out.push(child), walk(child));
  };
  walk(pid);
  return out;
};

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(false)));
    s.once("error", () => resolve(true));
  });

describe("npm start in production", () => {
  it("honours AUTH_TRUST_HOST, and a SIGTERM to npm stops the server after it drains", async () => {
    expect(appEnv.DATABASE_URL, "o launcher de e2e define E2E_APP_ENV").toBeTruthy();
    const port = await freePort();
    const { child, output } = npmStart(port, { AUTH_TRUST_HOST: "true" });
    try {
      await waitFor(() => output().includes("pronto em"), 60_000, `o servidor subir:\n${output()}`);
      // Auth.js trusts the request's host: its session endpoint answers (UntrustedHost would be a 500).
      const session = await fetch(`http://127.0.0.1:${port}/api/auth/session`);
      expect(session.status).toBe(200);
      expect(await session.json()).toBeNull();
      const login = await fetch(`http://127.0.0.1:${port}/login`);
      expect(login.status).toBe(200);

      const tree = descendants(child.pid!);
      expect(tree.length).toBeGreaterThan(0);
      child.kill("SIGTERM");
      expect(await exited(child, 20_000)).toBe(0);
      expect(output()).toContain("SIGTERM: encerrando");
      // Nothing of npm's tree is left serving.
      await waitFor(() => tree.every((pid) => !alive(pid)), 5_000, "os processos do servidor saírem");
      expect(await refused(port)).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      for (const pid of descendants(child.pid!)) if (alive(pid)) process.kill(pid, "SIGKILL");
    }
  }, 120_000);

  it("without AUTH_URL or AUTH_TRUST_HOST it refuses to start and says which variable to set", async () => {
    const port = await freePort();
    const { child, output } = npmStart(port, {});
    try {
      expect(await exited(child, 60_000)).not.toBe(0);
      expect(output()).toContain("AUTH_URL: defina o endereço público do app");
      expect(await refused(port)).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 90_000);
});
