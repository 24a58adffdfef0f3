import { createDb } from "../db/client";
import { isDriverSocketRace } from "../lib/db-driver-guard";
import { startWorker } from "../lib/campaigns/worker";
import { dispatchEngine, env } from "../lib/env";
import { assertEncryptionKeyOpensChips } from "../lib/key-check";
import { createWhatsAppClient } from "../lib/whatsapp/client";

// npm run worker — the local dispatch engine (DISPATCH_ENGINE=local), a process of its own beside the web app.
// The launcher starts it with `npm run dev`; in production run it as a service when the local engine is chosen.
const e = env();
if (dispatchEngine(e) !== "local") {
  console.log("[worker] DISPATCH_ENGINE não é local: o Inngest dispara as campanhas; nada a fazer aqui.");
  process.exit(0);
}
const { db, sql } = createDb(e.DATABASE_URL, Number(process.env.WORKER_POOL_MAX ?? 8));
// The key must open the chip tokens already stored: refuse to start now rather than fail every send later.
await assertEncryptionKeyOpensChips(db, e.ENCRYPTION_KEY).catch((err: unknown) => {
  console.error(`[worker] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
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

// A database restart can make postgres.js throw outside any promise (lib/db-driver-guard.ts): log it and go on
// (the next query reconnects); anything else uncaught ends the process, as it should.
process.on("uncaughtException", (err) => {
  if (isDriverSocketRace(err)) {
    console.warn("[worker] conexão com o banco caiu; reconectando na próxima consulta");
    return;
  }
  console.error("[worker] erro inesperado", err);
  process.exit(1);
});

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
