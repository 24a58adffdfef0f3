import { and, eq, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import {
  campaignRecipients,
  campaigns,
  chips,
  consentEvents,
  contacts,
  templates,
} from "@/db/schema";
import { fromWaId, phoneVariants } from "@/lib/phones";
import { isOptInAnswer, isOptOut } from "./keywords";
import { inTransaction, type Exec } from "./prepared";
import { statusBatcherFor, toStatusItem } from "./status-batcher";
import type { MessageEvent, WebhookEvent } from "./webhook-payload";

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

// Statuses (sent → delivered → read, failed, 131050 opt-outs) are applied in batches: lib/whatsapp/status-batcher.ts.
// Inbound messages one at a time, each in its own transaction: the common path is one prepared statement
// (storeMessageQuery); opt-outs, opt-ins and flow routing add theirs only when they happen.

const optOutContact = async (
  db: Db,
  exec: Exec,
  ref: { organizationId: string; contactId: number; chipId: number; campaignId?: number | null; source: "keyword"; text: string },
) => {
  const changed = await exec(
    db
      .update(contacts)
      .set({ optInStatus: "opted_out", optedOutAt: new Date(), optInSource: ref.source, updatedAt: new Date() })
      .where(and(eq(contacts.organizationId, ref.organizationId), eq(contacts.id, ref.contactId), sql`${contacts.optInStatus} <> 'opted_out'`))
      .returning({ id: contacts.id }),
  );
  if (changed.length === 0) return false;
  await exec(
    db.insert(consentEvents).values({
      organizationId: ref.organizationId,
      contactId: ref.contactId,
      status: "opted_out",
      source: ref.source,
      chipId: ref.chipId,
      campaignId: ref.campaignId ?? null,
      textShown: ref.text.slice(0, 500),
    }),
  );
  return true;
};

type StoredMessage = {
  contact_id: string;
  opt_in_status: (typeof contacts.$inferSelect)["optInStatus"];
  inbound_id: string | null;
  recipient_id: string | null;
  campaign_id: number | null;
  routed_flow_id: number | null;
  flow_id: number | null;
};

/**
 * The common part of an inbound message in ONE statement: find the contact by any form of the number (or
 * create it, without opt-in) and touch its last interaction; find the campaign message it answers (the one
 * it quotes by context.id, else the latest sent to the contact on this chip within REPLY_WINDOW_DAYS); store the
 * message linked to it — once: a re-delivered wamid changes nothing further; register the contact on the chip;
 * mark the campaign message replied; and look up the campaign's active chatbot flow.
 */
const storeMessageQuery = (chip: ChipRef, event: MessageEvent, phone: string) => {
  const ts = event.timestamp.toISOString();
  const since = new Date(Date.now() - REPLY_WINDOW_DAYS * 86_400_000).toISOString();
  const org = chip.organizationId;
  const ctx = event.contextWamid ?? null;
  return sql`
    with found as (
      select id from contacts where organization_id = ${org} and phone = any(${sql.param(phoneVariants(phone))}::text[]) limit 1
    ),
    touched as (
      update contacts c set last_interaction_at = greatest(c.last_interaction_at, ${ts}::timestamptz)
        from found where c.id = found.id
      returning c.id, c.opt_in_status
    ),
    created as (
      insert into contacts (organization_id, name, phone, last_interaction_at)
      select ${org}, ${event.profileName?.trim().slice(0, 120) || phone}, ${phone}, ${ts}::timestamptz
       where not exists (select 1 from found)
      on conflict (organization_id, phone) do update set last_interaction_at = excluded.last_interaction_at
      returning id, opt_in_status
    ),
    contact as (select id, opt_in_status from touched union all select id, opt_in_status from created),
    quoted as (
      select r.id, r.campaign_id, r.routed_flow_id from campaign_recipients r
       where ${ctx}::text is not null and r.organization_id = ${org} and r.wamid = ${ctx}::text and r.wamid is not null
       limit 1
    ),
    recent as (
      select r.id, r.campaign_id, r.routed_flow_id from campaign_recipients r, contact
       where not exists (select 1 from quoted) and r.organization_id = ${org} and r.chip_id = ${chip.id}
         and r.contact_id = contact.id and r.sent_at is not null and r.sent_at > ${since}::timestamptz
       order by r.sent_at desc limit 1
    ),
    recipient as (select * from quoted union all select * from recent),
    inserted as (
      insert into inbound_messages (organization_id, chip_id, contact_id, wamid, from_phone, type, text, context_wamid,
                                    payload, received_at, campaign_recipient_id)
      select ${org}, ${chip.id}, contact.id, ${event.wamid}, ${phone}, ${event.messageType}, ${event.text.slice(0, 4096)},
             ${ctx}::text, ${event.payload ? JSON.stringify({ payload: event.payload }) : null}::text::jsonb,
             ${ts}::timestamptz, (select id from recipient)
        from contact
      on conflict (wamid) do nothing
      returning id
    ),
    registered as (
      insert into contact_chips (organization_id, contact_id, chip_id, registered, first_seen_at, last_seen_at)
      select ${org}, contact.id, ${chip.id}, true, ${ts}::timestamptz, ${ts}::timestamptz
        from contact where exists (select 1 from inserted)
      on conflict (contact_id, chip_id) do update
        set registered = true, last_seen_at = greatest(contact_chips.last_seen_at, excluded.last_seen_at)
    ),
    replied as (
      update campaign_recipients r set replied_at = coalesce(r.replied_at, ${ts}::timestamptz)
       where r.id = (select id from recipient) and exists (select 1 from inserted)
    )
    select contact.id as contact_id, contact.opt_in_status, (select id from inserted) as inbound_id,
           recipient.id as recipient_id, recipient.campaign_id, recipient.routed_flow_id,
           (select f.id from campaigns cp join chatbot_flows f on f.id = cp.flow_id and f.active
             where cp.id = recipient.campaign_id) as flow_id
      from contact left join recipient on true
  `;
};

const storeMessage = async (db: Db, chip: ChipRef, event: MessageEvent, outcome: WebhookOutcome) => {
  const phone = fromWaId(event.fromWaId);
  if (!phone) {
    console.warn(`[webhook] mensagem de número inválido (${event.fromWaId.slice(0, 4)}…): ignorada`);
    return;
  }
  await inTransaction(db, async (exec) => {
    const [row] = await exec<StoredMessage>(storeMessageQuery(chip, event, phone));
    if (!row) throw new Error("contato não encontrado nem criado");
    // Meta re-delivers webhooks: a message already stored changes nothing the second time.
    if (row.inbound_id === null) {
      outcome.duplicates++;
      return;
    }
    outcome.messagesStored++;
    const contactId = Number(row.contact_id);
    const recipient =
      row.recipient_id === null ? null : { id: Number(row.recipient_id), campaignId: row.campaign_id!, routedFlowId: row.routed_flow_id };

    const said = event.payload && isOptOut(event.payload) ? event.payload : event.text;
    if (isOptOut(said)) {
      if (
        await optOutContact(db, exec, {
          organizationId: chip.organizationId,
          contactId,
          chipId: chip.id,
          campaignId: recipient?.campaignId,
          source: "keyword",
          text: `Respondeu “${said.slice(0, 100)}”`,
        })
      )
        outcome.optOuts++;
      return; // Someone who asked to stop is not routed to a chatbot.
    }

    if (recipient && row.opt_in_status !== "opted_in" && row.opt_in_status !== "opted_out" && isOptInAnswer(event.text || event.payload || "")) {
      const [tpl] = await exec<{ name: string }>(
        db
          .select({ name: templates.name })
          .from(campaigns)
          .innerJoin(templates, eq(templates.id, campaigns.templateId))
          .where(eq(campaigns.id, recipient.campaignId)),
      );
      // An opt-in request template is recognised by its name (…optin…); the answer is the consent.
      if (tpl && /opt_?in/i.test(tpl.name)) {
        await exec(
          db
            .update(contacts)
            .set({ optInStatus: "opted_in", optInSource: "optin_template", optInAt: event.timestamp, optedOutAt: null, updatedAt: new Date() })
            .where(eq(contacts.id, contactId)),
        );
        await exec(
          db.insert(consentEvents).values({
            organizationId: chip.organizationId,
            contactId,
            status: "opted_in",
            source: "optin_template",
            chipId: chip.id,
            campaignId: recipient.campaignId,
            textShown: `Respondeu “${(event.text || event.payload || "").slice(0, 100)}” ao template ${tpl.name}`,
          }),
        );
        outcome.optIns++;
      }
    }

    if (recipient && recipient.routedFlowId === null && row.flow_id !== null) {
      const [routed] = await exec(
        db
          .update(campaignRecipients)
          .set({ routedFlowId: row.flow_id })
          .where(and(eq(campaignRecipients.id, recipient.id), sql`${campaignRecipients.routedFlowId} is null`))
          .returning({ id: campaignRecipients.id }),
      );
      if (routed)
        outcome.routings.push({
          organizationId: chip.organizationId,
          chipId: chip.id,
          flowId: row.flow_id,
          recipientId: recipient.id,
          contactId,
          inboundMessageId: Number(row.inbound_id),
        });
    }
  });
};

/**
 * Applies a verified, parsed webhook. Unknown numbers and messages are logged and ignored, never refused.
 * Statuses go to the process's status batcher (lib/whatsapp/status-batcher.ts): one statement for the statuses
 * of many concurrent requests; this resolves after the statement holding this webhook's statuses committed and
 * throws if it failed. Inbound messages are applied here, one transaction each.
 */
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
  const statuses: Promise<void>[] = [];
  let statusFailure: { error: unknown } | undefined;
  for (const event of events) {
    const chip = await chipByPhoneNumberId(db, event.phoneNumberId);
    if (!chip) {
      outcome.unknownNumbers++;
      console.warn(`[webhook] phone_number_id desconhecido (${event.phoneNumberId}): ignorado`);
      continue;
    }
    if (event.type === "status") {
      // Handled at once (never left rejected while a message is being stored), awaited below.
      statuses.push(
        statusBatcherFor(db)
          .submit(toStatusItem(chip, event))
          .then(
            (result) => {
              if (!result.matched) {
                outcome.statusesIgnored++;
                console.warn(`[webhook] status ${event.status} para mensagem desconhecida (${event.wamid}): ignorado`);
                return;
              }
              outcome.statusesApplied++;
              if (result.optedOut) outcome.optOuts++;
            },
            (error) => {
              statusFailure ??= { error };
            },
          ),
      );
    } else await storeMessage(db, chip, event, outcome);
  }
  await Promise.all(statuses);
  if (statusFailure) throw statusFailure.error;
  return outcome;
};
