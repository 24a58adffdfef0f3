// Load generator for bench-simulator.ts, run as a child process so it does not share the simulator's event
// loop. Fires BENCH_WARMUP + BENCH_REQUESTS template sends over keep-alive connections (at most
// BENCH_CONCURRENCY in flight) and prints one JSON line with the measured part.
import http from "node:http";

const env = (name: string) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} não definido`);
  return v;
};
const target = new URL(env("BENCH_URL"));
if (target.hostname !== "127.0.0.1" && target.hostname !== "localhost") throw new Error("o bench só usa loopback");
const requests = Number(env("BENCH_REQUESTS"));
const concurrency = Number(env("BENCH_CONCURRENCY"));
const warmup = Number(process.env.BENCH_WARMUP ?? 0);
const path = `/${env("BENCH_VERSION")}/${env("BENCH_PHONE_NUMBER_ID")}/messages`;
const authorization = `Bearer ${env("BENCH_TOKEN")}`;
const templateName = env("BENCH_TEMPLATE");

const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });

// 55 11 9 NNNNNN 99: unique per request, and never ends in 000x (the simulator's failure rules).
const recipient = (i: number) => `55119${String(i).padStart(6, "0")}99`;

const send = (i: number) =>
  new Promise<{ status: number; ms: number }>((resolve, reject) => {
    const body = JSON.stringify({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: recipient(i),
      type: "template",
      template: {
        name: templateName,
        language: { code: "pt_BR" },
        components: [{ type: "body", parameters: [{ type: "text", text: `Cliente ${i}` }, { type: "text", text: "BLACK20" }] }],
      },
      biz_opaque_callback_data: `bench-${i}`,
    });
    const started = performance.now();
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: "POST",
        path,
        agent,
        headers: { authorization, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });

const run = async (from: number, count: number, latencies?: Float64Array) => {
  let next = 0;
  let failures = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const r = await send(from + i);
      if (r.status !== 200) failures++;
      if (latencies) latencies[i] = r.ms;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return failures;
};

const pct = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const round = (x: number, digits = 2) => Number(x.toFixed(digits));

await run(0, warmup);
const latencies = new Float64Array(requests);
const started = performance.now();
const failures = await run(warmup, requests, latencies);
const ms = performance.now() - started;
latencies.sort();
agent.destroy();
console.log(
  JSON.stringify({
    requests,
    failures,
    ms: round(ms, 1),
    requests_per_s: Math.round((requests / ms) * 1000),
    p50_ms: round(pct(latencies, 50)),
    p90_ms: round(pct(latencies, 90)),
    p99_ms: round(pct(latencies, 99)),
    max_ms: round(latencies[latencies.length - 1] ?? 0),
  }),
);
