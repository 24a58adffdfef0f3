// The production server (`npm start`, the e2e launcher, `npm run bench:webhooks`): one node:http server that
// answers the WhatsApp webhook itself and hands every other request to Next.js.
//
// Why: Meta posts three statuses per outgoing message, one per POST — 3,000 POSTs/s for a chip at 1,000
// messages/s — and an App Router route handler under `next start` tops out near 1,000 trivial POSTs/s on our
// machines. GET/POST /api/webhooks/whatsapp are served here on bare node:http, calling the same lib/whatsapp
// handler as the App Router route (app/api/webhooks/whatsapp/route.ts, which `next dev` keeps serving); status
// writes are group-committed (lib/whatsapp/status-batcher.ts). docs/decisions/0004-webhook-fast-path.md.
//
// Usage: NODE_ENV=production tsx server.ts [--port 3000] [--hostname 0.0.0.0]   (after `next build`)
import { createServer } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import path from "node:path";

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const port = Number(arg("port") ?? process.env.PORT ?? 3000);
const hostname = arg("hostname");
const dir = path.resolve(import.meta.dirname);

// Production only (development keeps `next dev`, whose route serves the webhook). React and Next pick their
// build by NODE_ENV when first loaded, so it is settled before anything imports them.
if (process.env.NODE_ENV !== "production") {
  if (process.env.NODE_ENV) console.warn(`[server] NODE_ENV=${process.env.NODE_ENV} ignorado: este servidor roda só em produção`);
  Object.assign(process.env, { NODE_ENV: "production" });
}

const log = (line: string) => console.log(`[server] ${line}`);

const main = async () => {
  const { default: next } = await import("next");
  const app = next({ dev: false, dir, port, hostname: hostname ?? "localhost" });
  const handle = app.getRequestHandler();
  // Loads .env files and runs instrumentation.ts (which validates the environment, as under `next start`).
  await app.prepare();

  const { env } = await import("@/lib/env");
  const { getDb, closeDb } = await import("@/db/client");
  const { isWebhookRequest, serveWebhook, WEBHOOK_PATH } = await import("@/lib/whatsapp/webhook-http");
  const { startFlowRoutings } = await import("@/lib/whatsapp/webhook-routings");
  const { statusBatcherFor, formatBatcherStats } = await import("@/lib/whatsapp/status-batcher");

  // instrumentation.ts validated the environment and logged the engine line; this process, too, refuses to
  // serve on a bad environment.
  env();
  // The key must open the chip tokens already stored: refuse to start now rather than fail every send later.
  const { assertEncryptionKeyOpensChips } = await import("@/lib/key-check");
  await assertEncryptionKeyOpensChips(getDb(), env().ENCRYPTION_KEY);
  const batcher = statusBatcherFor(getDb());
  const o = batcher.options;

  const webhook = {
    db: getDb,
    appSecret: () => env().WHATSAPP_APP_SECRET,
    verifyToken: () => env().WHATSAPP_VERIFY_TOKEN,
    afterAnswer: (outcome: Parameters<typeof startFlowRoutings>[1]) => startFlowRoutings(getDb(), outcome),
  };
  const server = createServer((req, res) => {
    if (isWebhookRequest(req)) void serveWebhook(req, res, webhook);
    else void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if (hostname) server.listen(port, hostname, resolve);
    else server.listen(port, resolve);
  });
  log(`pronto em http://${hostname ?? "localhost"}:${port} (produção)`);
  log(
    `GET/POST ${WEBHOOK_PATH}: caminho rápido node:http (lib/whatsapp/webhook-http.ts), status gravados em lotes ` +
      `(até ${o.maxEvents} eventos, no máximo um lote a cada ${o.windowMs} ms, ${o.lanes} lote(s) em paralelo); demais rotas: Next.js`,
  );

  // Batching figures once a minute while webhooks arrive, and on shutdown, with how late the event loop ran.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let reported = 0;
  const report = () => {
    const s = batcher.stats();
    if (s.batches === reported) return;
    reported = s.batches;
    const ms = (ns: number) => (ns / 1e6).toFixed(0);
    console.log(
      `[webhook] lotes: ${formatBatcherStats(s)}; atraso do laço de eventos p99 ${ms(loop.percentile(99))} ms, máx ${ms(loop.max)} ms`,
    );
    loop.reset();
  };
  const every = setInterval(report, 60_000);
  every.unref();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: encerrando (respostas em andamento terminam antes)`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await Promise.race([closed, new Promise((r) => setTimeout(r, 8000))]);
    await batcher.drain();
    report();
    await app.close().catch(() => {});
    await closeDb().catch(() => {});
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
};

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
