// Throughput of the WhatsApp Cloud API simulator: npm run bench:simulator [-- --requests 50000 --concurrency 64]
// The simulator runs in this process (webhooks off, one number with a very high mps); the load comes from a
// child process over keep-alive loopback connections. The last line printed is one JSON object.
import { spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { startSimulator } from "./whatsapp-simulator/server";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`--${name} deve ser um inteiro positivo`);
    process.exit(2);
  }
  return value;
};
const requests = Math.min(arg("requests", 50_000), 1_000_000);
const concurrency = Math.min(arg("concurrency", 64), 1024);
const warmup = Math.min(2_000, requests);
const DEADLINE_MS = 180_000;

const TOKEN = "EAAGbenchToken000000000000000000000000000000000000001";
const PHONE_NUMBER_ID = "100000000000099";

const sim = await startSimulator({
  phoneNumbers: [
    {
      phoneNumberId: PHONE_NUMBER_ID,
      wabaId: "200000000000099",
      displayPhoneNumber: "+55 11 4000-9999",
      verifiedName: "Bench",
      accessToken: TOKEN,
      mps: 1e9,
    },
  ],
  templates: {
    "200000000000099": [
      {
        name: "bench_promo",
        language: "pt_BR",
        category: "MARKETING",
        status: "APPROVED",
        components: [
          { type: "BODY", text: "Olá, {{1}}! Use o cupom {{2}}.", example: { body_text: [["Maria", "BLACK20"]] } },
        ],
      },
    ],
  },
  webhookUrl: null,
});

const cpus = os.cpus();
console.log(`máquina: ${cpus.length} CPU(s) ${cpus[0]?.model ?? ""}, Node ${process.version}, carga média ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log(`simulador: ${sim.url} (neste processo, webhooks desligados)`);
console.log(`carga: ${warmup} envios de aquecimento + ${requests} medidos, ${concurrency} em paralelo, em processo filho`);

// Under `tsx`, execArgv carries its loader: the child runs the TypeScript load generator the same way.
const loaderArgs = process.execArgv.length ? process.execArgv : ["--import", "tsx"];
const child = spawn(process.execPath, [...loaderArgs, path.join(import.meta.dirname, "bench-simulator-load.ts")], {
  env: {
    ...process.env,
    BENCH_URL: sim.url,
    BENCH_REQUESTS: String(requests),
    BENCH_CONCURRENCY: String(concurrency),
    BENCH_WARMUP: String(warmup),
    BENCH_VERSION: "v23.0",
    BENCH_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    BENCH_TOKEN: TOKEN,
    BENCH_TEMPLATE: "bench_promo",
  },
  stdio: ["ignore", "pipe", "inherit"],
});
const cpuBefore = process.cpuUsage();
let out = "";
child.stdout.on("data", (b: Buffer) => (out += b.toString()));
const killer = setTimeout(() => {
  console.error(`tempo limite de ${DEADLINE_MS / 1000} s: encerrando o gerador de carga`);
  child.kill("SIGKILL");
}, DEADLINE_MS);
const code = await new Promise<number>((resolve) => child.on("exit", (c, signal) => resolve(c ?? (signal ? 1 : 0))));
clearTimeout(killer);
const cpu = process.cpuUsage(cpuBefore);
const stats = sim.stats();
await sim.stop();

const line = out.trim().split("\n").pop() ?? "";
let result: { requests: number; failures: number; ms: number; requests_per_s: number; p50_ms: number; p90_ms: number; p99_ms: number; max_ms: number };
try {
  if (code !== 0) throw new Error(`gerador de carga saiu com código ${code}`);
  result = JSON.parse(line);
} catch (err) {
  console.error(`bench falhou: ${(err as Error).message}\n${out}`);
  process.exit(1);
}

console.log(
  `tempo: ${(result.ms / 1000).toFixed(2)} s → ${result.requests_per_s} req/s; latência p50 ${result.p50_ms} ms, ` +
    `p90 ${result.p90_ms} ms, p99 ${result.p99_ms} ms, máx ${result.max_ms} ms`,
);
const expected = warmup + requests;
const cpuMs = (cpu.user + cpu.system) / 1000;
console.log(
  `CPU do simulador: ${(cpuMs / 1000).toFixed(2)} s para ${expected} envios = ${((cpuMs * 1000) / expected).toFixed(0)} µs por envio ` +
    `(≈ ${Math.round(expected / (cpuMs / 1000))} envios/s por núcleo livre)`,
);
console.log(
  `simulador: ${stats.accepted} aceitas (esperado ${expected}), ${stats.rejected} recusadas, ` +
    `${Object.keys(stats.acceptedByDestination).length} destinos distintos; respostas não-200 no gerador: ${result.failures}`,
);
if (stats.accepted !== expected || result.failures > 0) {
  console.error("divergência entre o que foi enviado e o que o simulador aceitou");
  process.exitCode = 1;
}
console.log(
  JSON.stringify({ requests: result.requests, requests_per_s: result.requests_per_s, p50_ms: result.p50_ms, p99_ms: result.p99_ms }),
);
