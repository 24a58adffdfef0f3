import { getDb } from "@/db/client";
import { env } from "@/lib/env";
import { startFlow } from "@/lib/whatsapp/flow-routing";
import { handleWebhookPost, handleWebhookVerification, MAX_WEBHOOK_BYTES } from "@/lib/whatsapp/webhook-handler";
import { appWhatsAppClient } from "@/lib/whatsapp-runtime";

// Authenticated by Meta's signature (X-Hub-Signature-256), not by a session: proxy.ts lets this path through.
export const dynamic = "force-dynamic";

export const GET = async (req: Request) => {
  const result = handleWebhookVerification(new URL(req.url).searchParams, env().WHATSAPP_VERIFY_TOKEN);
  return new Response(result.body, { status: result.status, headers: { "content-type": "text/plain" } });
};

export const POST = async (req: Request) => {
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > MAX_WEBHOOK_BYTES) return new Response("payload too large", { status: 400 });
  const raw = Buffer.from(await req.arrayBuffer());
  const e = env();
  const result = await handleWebhookPost(getDb(), raw, req.headers.get("x-hub-signature-256"), e.WHATSAPP_APP_SECRET);
  // Routing to a chatbot flow talks to the network: it starts after the answer's writes committed.
  for (const routing of result.outcome?.routings ?? [])
    void startFlow(getDb(), appWhatsAppClient(), e.ENCRYPTION_KEY, routing).catch((err) =>
      console.error(`[fluxo] falhou: ${(err as Error).message}`),
    );
  return new Response(result.body, { status: result.status, headers: { "content-type": "text/plain" } });
};
