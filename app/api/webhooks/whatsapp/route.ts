import { getDb } from "@/db/client";
import { env } from "@/lib/env";
import { handleWebhookPost, handleWebhookVerification, MAX_WEBHOOK_BYTES } from "@/lib/whatsapp/webhook-handler";
import { startFlowRoutings } from "@/lib/whatsapp/webhook-routings";

// Authenticated by Meta's signature (X-Hub-Signature-256), not by a session: proxy.ts lets this path through.
// Served here under `next dev` (and `next start`); the production server (server.ts) answers this path itself
// on a leaner node:http path that calls the same lib/whatsapp handler (docs/decisions/0004-webhook-fast-path.md).
export const dynamic = "force-dynamic";

export const GET = async (req: Request) => {
  const result = handleWebhookVerification(new URL(req.url).searchParams, env().WHATSAPP_VERIFY_TOKEN);
  return new Response(result.body, { status: result.status, headers: { "content-type": "text/plain" } });
};

export const POST = async (req: Request) => {
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > MAX_WEBHOOK_BYTES) return new Response("payload too large", { status: 400 });
  const raw = Buffer.from(await req.arrayBuffer());
  const result = await handleWebhookPost(getDb(), raw, req.headers.get("x-hub-signature-256"), env().WHATSAPP_APP_SECRET);
  // Routing to a chatbot flow talks to the network: it starts after the answer's writes committed.
  startFlowRoutings(getDb(), result.outcome);
  return new Response(result.body, { status: result.status, headers: { "content-type": "text/plain" } });
};
