import type { IncomingMessage, ServerResponse } from "node:http";
import type { Db } from "@/db/client";
import { describeError } from "@/lib/log";
import { handleWebhookPost, handleWebhookVerification, MAX_WEBHOOK_BYTES, TOO_LARGE, type WebhookResponse } from "./webhook-handler";
import type { WebhookOutcome } from "./process-webhook";

// The webhook on bare node:http, for the production server (server.ts): Meta sends thousands of POSTs a second
// and the App Router's per-request machinery costs more than the work itself. Only the transport is here — the
// raw bytes (capped) go to the same handleWebhookPost the App Router route calls.

export const WEBHOOK_PATH = "/api/webhooks/whatsapp";

const pathOf = (url: string | undefined) => {
  const q = (url ?? "").indexOf("?");
  return q < 0 ? (url ?? "") : url!.slice(0, q);
};

/**
 * GET (verification handshake) and POST on the webhook path; everything else goes to Next — including the same
 * path written another way (/api/webhooks/%77hatsapp), which the App Router route answers with the same limits.
 */
export const isWebhookRequest = (req: IncomingMessage) =>
  (req.method === "POST" || req.method === "GET") && pathOf(req.url) === WEBHOOK_PATH;

/** The raw body, or null once it passes `cap` bytes (reading stops there). */
export const readRawBody = (req: IncomingMessage, cap = MAX_WEBHOOK_BYTES) =>
  new Promise<Buffer | null>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > cap) {
        done = true;
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on("error", (err) => {
      if (!done) reject(err);
      done = true;
    });
  });

const send = (res: ServerResponse, result: Pick<WebhookResponse, "status" | "body">, close = false) => {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(result.body);
  const headers: Record<string, string | number> = { "content-type": "text/plain", "content-length": body.length };
  if (close) headers.connection = "close";
  res.writeHead(result.status, headers);
  res.end(body);
};

export type WebhookHttpOptions = {
  db: () => Db;
  appSecret: () => string | undefined;
  verifyToken: () => string | undefined;
  /** Runs after the answer went out (flow routings); never delays it. */
  afterAnswer?: (outcome: WebhookOutcome) => void;
};

/** Serves GET/POST /api/webhooks/whatsapp on a node:http request (see isWebhookRequest). */
export const serveWebhook = async (req: IncomingMessage, res: ServerResponse, opts: WebhookHttpOptions) => {
  try {
    if (req.method === "GET") {
      const params = new URL(req.url ?? "/", "http://localhost").searchParams;
      return send(res, handleWebhookVerification(params, opts.verifyToken()));
    }
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > MAX_WEBHOOK_BYTES) {
      console.warn(`[webhook] corpo grande demais (${declared} bytes declarados): recusado`);
      return send(res, TOO_LARGE, true);
    }
    const raw = await readRawBody(req);
    if (!raw) {
      console.warn(`[webhook] corpo grande demais (mais de ${MAX_WEBHOOK_BYTES} bytes): recusado`);
      return send(res, TOO_LARGE, true);
    }
    const signature = req.headers["x-hub-signature-256"];
    const result = await handleWebhookPost(opts.db(), raw, typeof signature === "string" ? signature : null, opts.appSecret());
    send(res, result);
    if (result.outcome && opts.afterAnswer) opts.afterAnswer(result.outcome);
  } catch (err) {
    // A connection reset mid-body, or a bug: never leave the request hanging.
    console.error(`[webhook] erro no caminho rápido: ${describeError(err)}`);
    send(res, { status: 500, body: "internal error" }, true);
  }
};
