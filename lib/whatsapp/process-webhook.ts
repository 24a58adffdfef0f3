import { and, desc, eq, gt, inArray, isNotNull, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import {
  campaignRecipients,
  campaigns,
  chatbotFlows,
  chips,
  consentEvents,
  contactChips,
  contacts,
  inboundMessages,
  templates,
} from "@/db/schema";
import { fromWaId, phoneVariants } from "@/lib/phones";
import { isOptInAnswer, isOptOut } from "./keywords";
import type { MessageEvent, StatusEvent, WebhookEvent } from "./webhook-payload";

type ChipRef = { id: number; organizationId: string };

export type FlowRouting = {
  organizationId: string;
  chipId: number;
  flowId: number;
  recipientId: number;
  contactId: number;
  inboundMessageId: number;
};

export type WebhookOutcome = {
  statusesApplied: number;
  statusesIgnored: number;
  messagesStored: number;
  duplicates: number;
  optOuts: number;
  optIns: number;
  unknownNumbers: number;
  routings: FlowRouting[];
};

/** A reply counts toward a campaign sent on the same chip within this window (WhatsApp's own is 24 h; people answer later). */
export const REPLY_WINDOW_DAYS = 7;

const chipCache = new Map<string, { chip: ChipRef | null; at: number }>();

const chipByPhoneNumberId = async (db: DbOrTx, phoneNumberId: string): Promise<ChipRef | null> => {
  const hit = chipCache.get(phoneNumberId);
  if (hit && Date.now() - hit.at < 30_000) return hit.chip;
  const [row] = await db
    .select({ id: chips.id, organizationId: chips.organizationId })
    .from(chips)
    .where(eq(chips.phoneNumberId, phoneNumberId));
  chipCache.set(phoneNumberId, { chip: row ?? null, at: Date.now() });
  return row ?? null;
};

export const clearChipCache = () => chipCache.clear();

const recipientIdOf = (callbackData?: string) =>
  callbackData && /^\d{1,15}$/.test(callbackData) ? Number(callbackData) : null;

// Statuses only move forward: sent → delivered → read. `failed` ends a message that was not delivered.
// Timestamps fill in even when a later status already arrived (webhooks come out of order; a read implies delivery).
// postgres.js cannot bind a Date inside a raw sql fragment: pass ISO text with an explicit cast.
const tsParam = (d: Date) => sql`${d.toISOString()}::timestamptz`;

const statusUpdate = (event: StatusEvent) => {
  const ts = tsParam(event.timestamp);
  const r = campaignRecipients;
  switch (event.status) {
    case "sent":
      return {
        sentAt: sql`coalesce(${r.sentAt}, ${ts})`,
        status: sql`case when ${r.status} in ('pending','sending','indeterminate') then 'sent'::recipient_status else ${r.status} end`,
      };
    case "delivered":
      return {
        sentAt: sql`coalesce(${r.sentAt}, ${ts})`,
        deliveredAt: sql`coalesce(${r.deliveredAt}, ${ts})`,
        status: sql`case when ${r.status} in ('pending','sending','indeterminate','sent') then 'delivered'::recipient_status else ${r.status} end`,
      };
    case "read":
      return {
        sentAt: sql`coalesce(${r.sentAt}, ${ts})`,
        deliveredAt: sql`coalesce(${r.deliveredAt}, ${ts})`,
        readAt: sql`coalesce(${r.readAt}, ${ts})`,
        status: sql`case when ${r.status} in ('pending','sending','indeterminate','sent','delivered') then 'read'::recipient_status else ${r.status} end`,
      };
    case "failed":
      return {
        failedAt: sql`case when ${r.status} in ('pending','sending','indeterminate','sent') then coalesce(${r.failedAt}, ${ts}) else ${r.failedAt} end`,
        errorCode: sql`case when ${r.status} in ('pending','sending','indeterminate','sent') then ${event.error?.code ?? null}::integer else ${r.errorCode} end`,
        errorMessage: sql`case when ${r.status} in ('pending','sending','indeterminate','sent') then ${event.error ? `${event.error.title}: ${event.error.message}`.slice(0, 500) : null}::text else ${r.errorMessage} end`,
        status: sql`case when ${r.status} in ('pending','sending','indeterminate','sent') then 'failed'::recipient_status else ${r.status} end`,
      };
  }
};

const optOutContact = async (
  tx: DbOrTx,
  ref: { organizationId: string; contactId: number; chipId: number; campaignId?: number | null; source: "keyword" | "api_error"; text: string },
) => {
  const changed = await tx
    .update(contacts)
    .set({ optInStatus: "opted_out", optedOutAt: new Date(), optInSource: ref.source, updatedAt: new Date() })
    .where(and(eq(contacts.organizationId, ref.organizationId), eq(contacts.id, ref.contactId), sql`${contacts.optInStatus} <> 'opted_out'`))
    .returning({ id: contacts.id });
  if (changed.length === 0) return false;
  await tx.insert(consentEvents).values({
    organizationId: ref.organizationId,
    contactId: ref.contactId,
    status: "opted_out",
    source: ref.source,
    chipId: ref.chipId,
    campaignId: ref.campaignId ?? null,
    textShown: ref.text.slice(0, 500),
  });
  return true;
};

const applyStatus = async (db: Db, chip: ChipRef, event: StatusEvent, outcome: WebhookOutcome) => {
  const r = campaignRecipients;
  const byId = recipientIdOf(event.callbackData);
  const match = byId !== null ? eq(r.id, byId) : eq(r.wamid, event.wamid);
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(r)
      .set({ ...statusUpdate(event), wamid: sql`coalesce(${r.wamid}, ${event.wamid})` })
      .where(and(eq(r.organizationId, chip.organizationId), eq(r.chipId, chip.id), match))
      .returning({ id: r.id, status: r.status, contactId: r.contactId, campaignId: r.campaignId });
    if (!row) {
      outcome.statusesIgnored++;
      console.warn(`[webhook] status ${event.status} para mensagem desconhecida (${event.wamid}): ignorado`);
      return;
    }
    outcome.statusesApplied++;
    // 131050: the person stopped marketing messages in WhatsApp itself — an opt-out we must honour (LGPD).
    if (event.status === "failed" && event.error?.code === 131050 && row.contactId) {
      if (
        await optOutContact(tx, {
          organizationId: chip.organizationId,
          contactId: row.contactId,
          chipId: chip.id,
          campaignId: row.campaignId,
          source: "api_error",
          text: "O contato parou de receber mensagens de marketing no WhatsApp (erro 131050)",
        })
      )
        outcome.optOuts++;
    }
  });
};

const findOrCreateContact = async (tx: DbOrTx, chip: ChipRef, event: MessageEvent) => {
  const phone = fromWaId(event.fromWaId);
  if (!phone) return null;
  const [existing] = await tx
    .select({ id: contacts.id, optInStatus: contacts.optInStatus })
    .from(contacts)
    .where(and(eq(contacts.organizationId, chip.organizationId), inArray(contacts.phone, phoneVariants(phone))))
    .limit(1);
  if (existing) {
    await tx
      .update(contacts)
      .set({ lastInteractionAt: sql`greatest(${contacts.lastInteractionAt}, ${tsParam(event.timestamp)})` })
      .where(eq(contacts.id, existing.id));
    return existing;
  }
  const [created] = await tx
    .insert(contacts)
    .values({
      organizationId: chip.organizationId,
      name: event.profileName?.trim().slice(0, 120) || phone,
      phone,
      lastInteractionAt: event.timestamp,
    })
    .onConflictDoUpdate({ target: [contacts.organizationId, contacts.phone], set: { lastInteractionAt: event.timestamp } })
    .returning({ id: contacts.id, optInStatus: contacts.optInStatus });
  return created!;
};

const findRepliedRecipient = async (tx: DbOrTx, chip: ChipRef, contactId: number, contextWamid?: string) => {
  const r = campaignRecipients;
  const cols = { id: r.id, campaignId: r.campaignId, routedFlowId: r.routedFlowId };
  if (contextWamid) {
    const [quoted] = await tx
      .select(cols)
      .from(r)
      .where(and(eq(r.organizationId, chip.organizationId), eq(r.wamid, contextWamid)))
      .limit(1);
    if (quoted) return quoted;
  }
  const since = new Date(Date.now() - REPLY_WINDOW_DAYS * 86_400_000);
  const [recent] = await tx
    .select(cols)
    .from(r)
    .where(
      and(
        eq(r.organizationId, chip.organizationId),
        eq(r.chipId, chip.id),
        eq(r.contactId, contactId),
        isNotNull(r.sentAt),
        gt(r.sentAt, since),
      ),
    )
    .orderBy(desc(r.sentAt))
    .limit(1);
  return recent ?? null;
};

const storeMessage = async (db: Db, chip: ChipRef, event: MessageEvent, outcome: WebhookOutcome) => {
  await db.transaction(async (tx) => {
    const contact = await findOrCreateContact(tx, chip, event);
    if (!contact) {
      console.warn(`[webhook] mensagem de número inválido (${event.fromWaId.slice(0, 4)}…): ignorada`);
      return;
    }
    const [inbound] = await tx
      .insert(inboundMessages)
      .values({
        organizationId: chip.organizationId,
        chipId: chip.id,
        contactId: contact.id,
        wamid: event.wamid,
        fromPhone: fromWaId(event.fromWaId),
        type: event.messageType,
        text: event.text.slice(0, 4096),
        contextWamid: event.contextWamid ?? null,
        payload: event.payload ? { payload: event.payload } : null,
        receivedAt: event.timestamp,
      })
      .onConflictDoNothing({ target: inboundMessages.wamid })
      .returning({ id: inboundMessages.id });
    // Meta re-delivers webhooks: a message already stored changes nothing the second time.
    if (!inbound) {
      outcome.duplicates++;
      return;
    }
    outcome.messagesStored++;

    await tx
      .insert(contactChips)
      .values({ organizationId: chip.organizationId, contactId: contact.id, chipId: chip.id, registered: true, firstSeenAt: event.timestamp, lastSeenAt: event.timestamp })
      .onConflictDoUpdate({
        target: [contactChips.contactId, contactChips.chipId],
        set: { registered: true, lastSeenAt: sql`greatest(${contactChips.lastSeenAt}, ${tsParam(event.timestamp)})` },
      });

    const recipient = await findRepliedRecipient(tx, chip, contact.id, event.contextWamid);
    if (recipient) {
      await tx
        .update(campaignRecipients)
        .set({ repliedAt: sql`coalesce(${campaignRecipients.repliedAt}, ${tsParam(event.timestamp)})` })
        .where(eq(campaignRecipients.id, recipient.id));
      await tx.update(inboundMessages).set({ campaignRecipientId: recipient.id }).where(eq(inboundMessages.id, inbound.id));
    }

    const said = event.payload && isOptOut(event.payload) ? event.payload : event.text;
    if (isOptOut(said)) {
      if (
        await optOutContact(tx, {
          organizationId: chip.organizationId,
          contactId: contact.id,
          chipId: chip.id,
          campaignId: recipient?.campaignId,
          source: "keyword",
          text: `Respondeu “${said.slice(0, 100)}”`,
        })
      )
        outcome.optOuts++;
      return; // Someone who asked to stop is not routed to a chatbot.
    }

    if (recipient && contact.optInStatus !== "opted_in" && contact.optInStatus !== "opted_out" && isOptInAnswer(event.text || event.payload || "")) {
      const [tpl] = await tx
        .select({ name: templates.name })
        .from(campaigns)
        .innerJoin(templates, eq(templates.id, campaigns.templateId))
        .where(eq(campaigns.id, recipient.campaignId));
      // An opt-in request template is recognised by its name (…optin…); the answer is the consent.
      if (tpl && /opt_?in/i.test(tpl.name)) {
        await tx
          .update(contacts)
          .set({ optInStatus: "opted_in", optInSource: "optin_template", optInAt: event.timestamp, optedOutAt: null, updatedAt: new Date() })
          .where(eq(contacts.id, contact.id));
        await tx.insert(consentEvents).values({
          organizationId: chip.organizationId,
          contactId: contact.id,
          status: "opted_in",
          source: "optin_template",
          chipId: chip.id,
          campaignId: recipient.campaignId,
          textShown: `Respondeu “${(event.text || event.payload || "").slice(0, 100)}” ao template ${tpl.name}`,
        });
        outcome.optIns++;
      }
    }

    if (recipient && recipient.routedFlowId === null) {
      const [flow] = await tx
        .select({ id: chatbotFlows.id })
        .from(campaigns)
        .innerJoin(chatbotFlows, and(eq(chatbotFlows.id, campaigns.flowId), eq(chatbotFlows.active, true)))
        .where(eq(campaigns.id, recipient.campaignId));
      if (flow) {
        const [routed] = await tx
          .update(campaignRecipients)
          .set({ routedFlowId: flow.id })
          .where(and(eq(campaignRecipients.id, recipient.id), sql`${campaignRecipients.routedFlowId} is null`))
          .returning({ id: campaignRecipients.id });
        if (routed)
          outcome.routings.push({
            organizationId: chip.organizationId,
            chipId: chip.id,
            flowId: flow.id,
            recipientId: recipient.id,
            contactId: contact.id,
            inboundMessageId: inbound.id,
          });
      }
    }
  });
};

/** Applies a verified, parsed webhook. Unknown numbers and messages are logged and ignored, never refused. */
export const processWebhookEvents = async (db: Db, events: WebhookEvent[]): Promise<WebhookOutcome> => {
  const outcome: WebhookOutcome = {
    statusesApplied: 0,
    statusesIgnored: 0,
    messagesStored: 0,
    duplicates: 0,
    optOuts: 0,
    optIns: 0,
    unknownNumbers: 0,
    routings: [],
  };
  for (const event of events) {
    const chip = await chipByPhoneNumberId(db, event.phoneNumberId);
    if (!chip) {
      outcome.unknownNumbers++;
      console.warn(`[webhook] phone_number_id desconhecido (${event.phoneNumberId}): ignorado`);
      continue;
    }
    if (event.type === "status") await applyStatus(db, chip, event, outcome);
    else await storeMessage(db, chip, event, outcome);
  }
  return outcome;
};
