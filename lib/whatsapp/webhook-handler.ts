import type { Db } from "@/db/client";
import { processWebhookEvents, type WebhookOutcome } from "./process-webhook";
import { describeDbError } from "./status-batcher";
import { verifySignature } from "./signature";
import { parseWebhookBody } from "./webhook-payload";

/** Meta's payloads are a few KB; anything this large is not a webhook. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

export type WebhookResponse = { status: number; body: string; outcome?: WebhookOutcome };

/** GET handshake: Meta sends hub.mode=subscribe, hub.verify_token and hub.challenge; we echo the challenge. */
export const handleWebhookVerification = (params: URLSearchParams, verifyToken: string | undefined): WebhookResponse => {
  if (params.get("hub.mode") === "subscribe" && verifyToken && params.get("hub.verify_token") === verifyToken)
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
    return { status: 400, body: "payload too large" };
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
  try {
    const outcome = await processWebhookEvents(db, parsed.events);
    return { status: 200, body: "ok", outcome };
  } catch (err) {
    logFailure(err);
    return { status: 500, body: "temporarily unavailable" };
  }
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
