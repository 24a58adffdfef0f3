import { createDb } from "../db/client";
import { startWorker } from "../lib/campaigns/worker";
import { dispatchEngine, env } from "../lib/env";
import { createWhatsAppClient } from "../lib/whatsapp/client";

// npm run worker — the local dispatch engine (DISPATCH_ENGINE=local), a process of its own beside the web app.
// The launcher starts it with `npm run dev`; in production run it as a service when the local engine is chosen.
const e = env();
if (dispatchEngine(e) !== "local") {
  console.log("[worker] DISPATCH_ENGINE não é local: o Inngest dispara as campanhas; nada a fazer aqui.");
  process.exit(0);
}
const { db, sql } = createDb(e.DATABASE_URL, Number(process.env.WORKER_POOL_MAX ?? 8));
// The worker sends at volume: keep-alive node:http instead of fetch (lib/whatsapp/node-transport.ts).
const client = createWhatsAppClient({ baseUrl: e.WHATSAPP_API_BASE_URL, version: e.WHATSAPP_API_VERSION, timeoutMs: 15_000, transport: "node" });
const worker = startWorker({
  db,
  client,
  encryptionKey: e.ENCRYPTION_KEY,
  staleMs: process.env.WORKER_STALE_MS ? Number(process.env.WORKER_STALE_MS) : undefined,
  pollMs: process.env.WORKER_POLL_MS ? Number(process.env.WORKER_POLL_MS) : undefined,
  log: (line) => console.log(`[worker] ${line}`),
});
console.log(`[worker] motor de disparo local iniciado (pid ${process.pid}) · WhatsApp API: ${e.WHATSAPP_API_BASE_URL}/${e.WHATSAPP_API_VERSION}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log("[worker] encerrando: aguardando os envios em andamento…");
  await worker.stop();
  await sql.end({ timeout: 5 });
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
