import type { Db } from "@/db/client";
import { processWebhookEvents, type WebhookOutcome } from "./process-webhook";
import { describeDbError } from "./status-batcher";
import { sameSecret, verifySignature } from "./signature";
import { parseWebhookBody, type BadTimestamp } from "./webhook-payload";

/** Meta's payloads are a few KB; anything this large is not a webhook. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

export type WebhookResponse = { status: number; body: string; outcome?: WebhookOutcome };

/** The answer to a body over MAX_WEBHOOK_BYTES, on every server path. */
export const TOO_LARGE: WebhookResponse = { status: 413, body: "payload too large" };

/**
 * A request body read up to `cap` bytes: null as soon as it passes them (the rest is never read, the stream is
 * cancelled). For bodies without Content-Length (chunked) or with a false one; web streams, so the App Router
 * route can use it (the node:http fast path has readRawBody in webhook-http.ts).
 */
export const readCappedBody = async (body: ReadableStream<Uint8Array> | null, cap = MAX_WEBHOOK_BYTES): Promise<Buffer | null> => {
  if (!body) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > cap) {
        await reader.cancel().catch(() => {});
        return null;
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return Buffer.concat(chunks, size);
};

/** GET handshake: Meta sends hub.mode=subscribe, hub.verify_token and hub.challenge; we echo the challenge. */
export const handleWebhookVerification = (params: URLSearchParams, verifyToken: string | undefined): WebhookResponse => {
  if (params.get("hub.mode") === "subscribe" && verifyToken && sameSecret(params.get("hub.verify_token"), verifyToken))
    return { status: 200, body: params.get("hub.challenge") ?? "" };
  console.warn("[webhook] verificação recusada: token de verificação diferente");
  return { status: 403, body: "verify token mismatch" };
};

/**
 * One handler for every server path: signature first (on the raw bytes, before anything is parsed), then the
 * payload, then the writes; the answer goes out only after they commit. A valid signature is always answered
 * 200 — Meta re-delivers anything else for days — unless the body itself is malformed (400), or the writes failed
 * (500: nothing is acknowledged that was not stored; Meta re-delivers, and re-applying is harmless).
 * Every server path calls this: the App Router route (app/api/webhooks/whatsapp/route.ts) and the custom
 * server's fast path (lib/whatsapp/webhook-http.ts, server.ts).
 */
export const handleWebhookPost = async (
  db: Db,
  rawBody: Buffer,
  signature: string | null,
  appSecret: string | undefined,
): Promise<WebhookResponse> => {
  if (rawBody.length > MAX_WEBHOOK_BYTES) {
    console.warn(`[webhook] corpo grande demais (${rawBody.length} bytes): recusado`);
    return TOO_LARGE;
  }
  if (!appSecret || !verifySignature(rawBody, signature, appSecret)) {
    console.warn(`[webhook] assinatura inválida (${signature ? "não confere" : "ausente"}): recusado`);
    return { status: 401, body: "invalid signature" };
  }
  const parsed = parseWebhookBody(rawBody);
  if (!parsed.ok) {
    console.warn(`[webhook] corpo malformado: ${parsed.reason}`);
    return { status: 400, body: "malformed payload" };
  }
  if (parsed.badTimestamps.length) logBadTimestamps(parsed.badTimestamps);
  try {
    const outcome = await processWebhookEvents(db, parsed.events);
    return { status: 200, body: "ok", outcome };
  } catch (err) {
    logFailure(err);
    return { status: 500, body: "temporarily unavailable" };
  }
};

// Answered 200 all the same (Meta would re-deliver a refusal forever): one line per webhook says what was done.
const logBadTimestamps = (bad: BadTimestamp[]) => {
  const list = bad
    .slice(0, 5)
    .map((b) => `${b.kind === "status" ? "status" : "mensagem"} ${b.wamid.slice(0, 60)} (${JSON.stringify(b.value)})`)
    .join(", ");
  const more = bad.length > 5 ? ` e outros ${bad.length - 5}` : "";
  console.warn(
    `[webhook] timestamp inválido em ${list}${more}: status ignorados, mensagens gravadas com a hora de chegada`,
  );
};

// A database outage fails thousands of webhooks a second: one log line per second says how many and why.
let failureLog = { at: 0, suppressed: 0 };
const logFailure = (err: unknown) => {
  const now = Date.now();
  if (now - failureLog.at < 1000) {
    failureLog.suppressed++;
    return;
  }
  const more = failureLog.suppressed ? ` (e outros ${failureLog.suppressed} desde o último aviso)` : "";
  failureLog = { at: now, suppressed: 0 };
  console.error(`[webhook] não gravado, respondido 500 para o Meta reenviar${more}: ${describeDbError(err)}`);
};
