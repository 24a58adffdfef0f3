import { createHmac } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { chatbotFlows, chips, contacts, inboundMessages } from "@/db/schema";
import { decryptSecret } from "@/lib/crypto";
import type { WhatsAppClient } from "./client";
import type { FlowRouting } from "./process-webhook";

export const HANDOFF_ATTEMPTS = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const signHandoff = (body: string, secret: string) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

/**
 * Starts the chatbot flow a campaign reply was routed to: the flow's entry message goes out as free-form text
 * (the reply opened the 24-hour window), and an external bot, when configured, gets a signed hand-off POST,
 * retried with backoff.
 */
export const startFlow = async (
  db: Db,
  client: WhatsAppClient,
  encryptionKey: string,
  routing: FlowRouting,
  opts: { backoffMs?: number; fetchImpl?: typeof fetch } = {},
) => {
  const [row] = await db
    .select({
      flow: chatbotFlows,
      phoneNumberId: chips.phoneNumberId,
      token: chips.accessTokenEncrypted,
      contactName: contacts.name,
      phone: contacts.phone,
      text: inboundMessages.text,
      wamid: inboundMessages.wamid,
    })
    .from(chatbotFlows)
    .innerJoin(chips, eq(chips.id, routing.chipId))
    .innerJoin(contacts, eq(contacts.id, routing.contactId))
    .innerJoin(inboundMessages, eq(inboundMessages.id, routing.inboundMessageId))
    .where(and(eq(chatbotFlows.id, routing.flowId), eq(chatbotFlows.organizationId, routing.organizationId)));
  if (!row) return { entrySent: false, handoff: "skipped" as const };

  const sent = await client.sendText({
    phoneNumberId: row.phoneNumberId,
    accessToken: decryptSecret(row.token, encryptionKey),
    to: row.phone,
    body: row.flow.entryMessage,
    bizOpaqueCallbackData: `flow:${routing.flowId}:${routing.recipientId}`,
  });
  if (!sent.ok) console.warn(`[fluxo ${routing.flowId}] mensagem de entrada não enviada: ${sent.kind} ${sent.code ?? ""}`);

  if (!row.flow.endpointUrl) return { entrySent: sent.ok, handoff: "none" as const };
  const body = JSON.stringify({
    event: "campaign_reply",
    flow: { id: row.flow.id, name: row.flow.name },
    contact: { id: routing.contactId, name: row.contactName, phone: row.phone },
    reply: { wamid: row.wamid, text: row.text },
    campaignRecipientId: routing.recipientId,
  });
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (row.flow.endpointSecretEncrypted)
    headers["x-disparo-signature"] = signHandoff(body, decryptSecret(row.flow.endpointSecretEncrypted, encryptionKey));
  const doFetch = opts.fetchImpl ?? fetch;
  for (let attempt = 1; attempt <= HANDOFF_ATTEMPTS; attempt++) {
    try {
      const res = await doFetch(row.flow.endpointUrl, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) });
      if (res.ok) return { entrySent: sent.ok, handoff: "delivered" as const, attempts: attempt };
      console.warn(`[fluxo ${routing.flowId}] bot externo respondeu ${res.status} (tentativa ${attempt})`);
    } catch (err) {
      console.warn(`[fluxo ${routing.flowId}] bot externo inalcançável (tentativa ${attempt}): ${(err as Error).message}`);
    }
    if (attempt < HANDOFF_ATTEMPTS) await sleep((opts.backoffMs ?? 1000) * 4 ** (attempt - 1));
  }
  return { entrySent: sent.ok, handoff: "failed" as const, attempts: HANDOFF_ATTEMPTS };
};
