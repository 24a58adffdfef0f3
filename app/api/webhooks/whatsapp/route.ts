import { getDb } from "@/db/client";
import { env } from "@/lib/env";
import {
  handleWebhookPost,
  handleWebhookVerification,
  MAX_WEBHOOK_BYTES,
  readCappedBody,
  TOO_LARGE,
} from "@/lib/whatsapp/webhook-handler";
import { startFlowRoutings } from "@/lib/whatsapp/webhook-routings";

// Authenticated by Meta's signature (X-Hub-Signature-256), not by a session: proxy.ts lets this path through.
// Served here under `next dev` (and `next start`); the production server (server.ts) answers this path itself
// on a leaner node:http path that calls the same lib/whatsapp handler (docs/decisions/0004-webhook-fast-path.md).
// In production this route still answers what the fast path's exact match misses (an encoded path such as
// /api/webhooks/%77hatsapp reaches it through Next.js), so it keeps the same limits: the body is capped while
// it is read, whether or not it declares a Content-Length.
export const dynamic = "force-dynamic";

const tooLarge = () => new Response(TOO_LARGE.body, { status: TOO_LARGE.status, headers: { "content-type": "text/plain", connection: "close" } });

export const GET = async (req: Request) => {
  const result = handleWebhookVerification(new URL(req.url).searchParams, env().WHATSAPP_VERIFY_TOKEN);
  return new Response(result.body, { status: result.status, headers: { "content-type": "text/plain" } });
};

export const POST = async (req: Request) => {
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > MAX_WEBHOOK_BYTES) {
    console.warn(`[webhook] corpo grande demais (${declared} bytes declarados): recusado`);
    return tooLarge();
  }
  const raw = await readCappedBody(req.body);
  if (!raw) {
    console.warn(`[webhook] corpo grande demais (mais de ${MAX_WEBHOOK_BYTES} bytes): recusado`);
    return tooLarge();
  }
  const result = await handleWebhookPost(getDb(), raw, req.headers.get("x-hub-signature-256"), env().WHATSAPP_APP_SECRET);
  // Routing to a chatbot flow talks to the network: it starts after the answer's writes committed.
  startFlowRoutings(getDb(), result.outcome);
  return new Response(result.body, { status: result.status, headers: { "content-type": "text/plain" } });
};
