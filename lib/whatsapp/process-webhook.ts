import { eq, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { chips } from "@/db/schema";
import { fromWaId, phoneVariants } from "@/lib/phones";
import { isOptInAnswer, isOptOut } from "./keywords";
import { execPrepared } from "./prepared";
import { statusBatcherFor, toStatusItem } from "./status-batcher";
import type { MessageEvent, WebhookEvent } from "./webhook-payload";

type ChipRef = { id: number; organizationId: string };

export type FlowRouting = {
  /** The flow_starts row that records it (lib/whatsapp/flow-starts.ts works it). */
  flowStartId: number;
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
// An inbound message is ONE prepared statement (storeMessageQuery), its own transaction: one round trip to the
// database per reply, opt-outs, opt-ins and flow routing included, so nothing is ever half-applied.

type StoredMessage = {
  contact_id: string;
  inbound_id: string | null;
  recipient_id: string | null;
  routed_flow_id: number | null;
  flow_start_id: string | null;
  opted_out: boolean;
  opted_in: boolean;
};

type Intent = {
  /** The message is an opt-out keyword (SAIR, PARAR…): opt out, record it, never route to a chatbot. */
  optOut: boolean;
  optOutText: string;
  /** The message answers yes (SIM, ACEITO…): opts in when it answers an opt-in request template. */
  optInAnswer: boolean;
  optInText: string;
};


/** Who wrote: the phone (E.164) when Meta gave one, the BSUID, the username. At least phone or BSUID. */
type Sender = { phone: string | null; bsuid: string | null; username: string | null };

/**
 * An inbound message in ONE statement. The contact is found by any form of the number, else by its BSUID (a
 * user with a username may come without a number), or created without opt-in; its last interaction is touched
 * and it learns what it lacked (the number, the BSUID, the username); the campaign message it answers is the one
 * it quotes by context.id, else the latest sent to the contact on this chip within REPLY_WINDOW_DAYS; the message
 * is stored once (a re-delivered wamid changes nothing further: every other write below waits for `inserted`);
 * the contact is registered on the chip; the campaign message is marked replied and, unless the message is an
 * opt-out, routed to the campaign's active chatbot flow (once). An opt-out keyword opts the contact out and an
 * answer to an opt-in template opts it in, each with its consent event, only when the status really changes.
 * PostgreSQL updates a row once per statement, so each table's changes are one UPDATE with CASEs.
 */
const storeMessageQuery = (chip: ChipRef, event: MessageEvent, sender: Sender, intent: Intent) => {
  const ts = event.timestamp.toISOString();
  const since = new Date(Date.now() - REPLY_WINDOW_DAYS * 86_400_000).toISOString();
  const org = chip.organizationId;
  const ctx = event.contextWamid ?? null;
  const { phone, bsuid, username } = sender;
  const name = event.profileName?.trim().slice(0, 120) || username || phone || bsuid;
  // by_phone first (ninth-digit-safe: both forms of the number), the BSUID only when no number matches.
  return sql`
    with by_phone as (
      select id, opt_in_status from contacts
       where organization_id = ${org} and phone = any(${sql.param(phone ? phoneVariants(phone) : [])}::text[]) limit 1
    ),
    by_bsuid as (
      select id, opt_in_status from contacts
       where ${bsuid}::text is not null and organization_id = ${org} and bsuid = ${bsuid}::text
         and not exists (select 1 from by_phone) limit 1
    ),
    found as (select * from by_phone union all select * from by_bsuid),
    -- The BSUID goes to the contact found by its number unless another contact already holds it (then the two
    -- stay apart: merging contacts is a person's decision).
    bsuid_free as (
      select ${bsuid}::text is not null and not exists (
        select 1 from contacts t where t.organization_id = ${org} and t.bsuid = ${bsuid}::text
           and t.id not in (select id from found)) as yes
    ),
    fresh as (select not exists (select 1 from inbound_messages where wamid = ${event.wamid}) as yes),
    quoted as (
      select r.id, r.campaign_id, r.routed_flow_id from campaign_recipients r
       where ${ctx}::text is not null and r.organization_id = ${org} and r.wamid = ${ctx}::text and r.wamid is not null
       limit 1
    ),
    recent as (
      select r.id, r.campaign_id, r.routed_flow_id from campaign_recipients r, found
       where not exists (select 1 from quoted) and r.organization_id = ${org} and r.chip_id = ${chip.id}
         and r.contact_id = found.id and r.sent_at is not null and r.sent_at > ${since}::timestamptz
       order by r.sent_at desc limit 1
    ),
    recipient as (select * from quoted union all select * from recent),
    campaign as (
      select (select f.id from chatbot_flows f where f.id = cp.flow_id and f.active) as flow_id,
             t.is_opt_in_request as asks_opt_in, t.name as template_name
        from campaigns cp join templates t on t.id = cp.template_id
       where cp.id = (select campaign_id from recipient) and cp.organization_id = ${org}
    ),
    intent as (
      select fresh.yes as fresh,
             (fresh.yes and ${intent.optOut}::boolean) as opt_out,
             (fresh.yes and not ${intent.optOut}::boolean and ${intent.optInAnswer}::boolean
               and coalesce((select asks_opt_in from campaign), false)) as opt_in
        from fresh
    ),
    touched as (
      update contacts c set
        last_interaction_at = greatest(c.last_interaction_at, ${ts}::timestamptz),
        -- Found by BSUID with no number yet: the number Meta now gives (no other contact has it: by_phone found none).
        phone = coalesce(c.phone, ${phone}::text),
        bsuid = case when (select yes from bsuid_free) then ${bsuid}::text else c.bsuid end,
        username = coalesce(${username}::text, c.username),
        -- The registration below, already in the contact's chip_ids (sorted, as contact_chip_ids builds it): the
        -- trigger on contact_chips then finds nothing to change, instead of updating the contact a second time.
        chip_ids = case when i.fresh and not (${chip.id}::int = any(c.chip_ids))
                        then array(select x from unnest(c.chip_ids || ${chip.id}::int) x order by x)
                        else c.chip_ids end,
        opt_in_status = case
          when i.opt_out then 'opted_out'::opt_in_status
          when i.opt_in and c.opt_in_status in ('none', 'pending') then 'opted_in'::opt_in_status
          else c.opt_in_status end,
        opt_in_source = case
          when i.opt_out and c.opt_in_status <> 'opted_out' then 'keyword'::opt_in_source
          when i.opt_in and c.opt_in_status in ('none', 'pending') then 'optin_template'::opt_in_source
          else c.opt_in_source end,
        opted_out_at = case
          when i.opt_out and c.opt_in_status <> 'opted_out' then now()
          when i.opt_in and c.opt_in_status in ('none', 'pending') then null
          else c.opted_out_at end,
        opt_in_at = case when i.opt_in and c.opt_in_status in ('none', 'pending') then ${ts}::timestamptz else c.opt_in_at end,
        updated_at = case
          when (i.opt_out and c.opt_in_status <> 'opted_out') or (i.opt_in and c.opt_in_status in ('none', 'pending'))
          then now() else c.updated_at end
        from found, intent i where c.id = found.id
      returning c.id, found.opt_in_status as was, c.opt_in_status as now
    ),
    created as (
      insert into contacts (organization_id, name, phone, bsuid, username, chip_ids, last_interaction_at, opt_in_status,
                            opt_in_source, opted_out_at)
      select ${org}, ${name}, ${phone}::text, case when (select yes from bsuid_free) then ${bsuid}::text end, ${username}::text,
             case when i.fresh then array[${chip.id}::int] else '{}'::int[] end, ${ts}::timestamptz,
             case when i.opt_out then 'opted_out' else 'none' end::opt_in_status,
             case when i.opt_out then 'keyword'::opt_in_source end,
             case when i.opt_out then now() end
        from intent i where not exists (select 1 from found)
      on conflict (organization_id, phone) do update set last_interaction_at = excluded.last_interaction_at
      returning id, 'none'::opt_in_status as was, opt_in_status as now
    ),
    contact as (select * from touched union all select * from created),
    inserted as (
      insert into inbound_messages (organization_id, chip_id, contact_id, wamid, from_phone, type, text, context_wamid,
                                    payload, received_at, campaign_recipient_id)
      select ${org}, ${chip.id}, contact.id, ${event.wamid}, ${phone}::text, ${event.messageType}, ${event.text.slice(0, 4096)},
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
    answered as (
      update campaign_recipients r set
        replied_at = coalesce(r.replied_at, ${ts}::timestamptz),
        routed_flow_id = case when ${intent.optOut}::boolean then r.routed_flow_id
                              else coalesce(r.routed_flow_id, (select flow_id from campaign)) end
       where r.id = (select id from recipient) and exists (select 1 from inserted)
      returning r.id, case when r.routed_flow_id is not null and (select routed_flow_id from recipient) is null
                           then r.routed_flow_id end as routed_now
    ),
    started as (
      insert into flow_starts (organization_id, campaign_recipient_id, flow_id, chip_id, contact_id, inbound_message_id)
      select ${org}, a.id, a.routed_now, ${chip.id}, contact.id, (select id from inserted)
        from answered a, contact where a.routed_now is not null
      on conflict (campaign_recipient_id) do nothing
      returning id
    ),
    consent as (
      insert into consent_events (organization_id, contact_id, status, source, chip_id, campaign_id, text_shown)
      select ${org}, contact.id, contact.now, case when contact.now = 'opted_out' then 'keyword' else 'optin_template' end::opt_in_source,
             ${chip.id}, (select campaign_id from recipient),
             case when contact.now = 'opted_out' then ${intent.optOutText}
                  else ${intent.optInText} || (select template_name from campaign) end
        from contact where exists (select 1 from inserted) and contact.now <> contact.was
         and contact.now in ('opted_out', 'opted_in')
      returning status
    )
    select contact.id as contact_id, (select id from inserted) as inbound_id, (select id from recipient) as recipient_id,
           (select routed_now from answered) as routed_flow_id, (select id from started) as flow_start_id,
           exists (select 1 from consent where status = 'opted_out') as opted_out,
           exists (select 1 from consent where status = 'opted_in') as opted_in
      from contact
  `;
};

const storeMessage = async (db: Db, chip: ChipRef, event: MessageEvent, outcome: WebhookOutcome) => {
  const phone = event.fromWaId ? fromWaId(event.fromWaId) : null;
  const bsuid = event.fromBsuid ?? null;
  if (!phone && !bsuid) {
    console.warn(
      event.fromWaId
        ? `[webhook] mensagem de número inválido (${event.fromWaId.slice(0, 4)}…) e sem BSUID: ignorada`
        : `[webhook] mensagem sem número nem BSUID (${event.wamid}): ignorada`,
    );
    return;
  }
  const sender: Sender = { phone, bsuid, username: event.username?.slice(0, 120) ?? null };
  const said = event.payload && isOptOut(event.payload) ? event.payload : event.text;
  const answer = event.text || event.payload || "";
  const intent: Intent = {
    optOut: isOptOut(said),
    optOutText: `Respondeu “${said.slice(0, 100)}”`,
    optInAnswer: isOptInAnswer(answer),
    optInText: `Respondeu “${answer.slice(0, 100)}” ao template `,
  };
  const [row] = await execPrepared(db)<StoredMessage>(storeMessageQuery(chip, event, sender, intent));
  if (!row) throw new Error("contato não encontrado nem criado");
  // Meta re-delivers webhooks: a message already stored changes nothing the second time.
  if (row.inbound_id === null) {
    outcome.duplicates++;
    return;
  }
  outcome.messagesStored++;
  if (row.opted_out) outcome.optOuts++;
  if (row.opted_in) outcome.optIns++;
  if (row.routed_flow_id !== null && row.recipient_id !== null && row.flow_start_id !== null)
    outcome.routings.push({
      flowStartId: Number(row.flow_start_id),
      organizationId: chip.organizationId,
      chipId: chip.id,
      flowId: row.routed_flow_id,
      recipientId: Number(row.recipient_id),
      contactId: Number(row.contact_id),
      inboundMessageId: Number(row.inbound_id),
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
              if (result.mismatch) {
                outcome.statusesIgnored++;
                console.warn(
                  `[webhook] status ${event.status}: biz_opaque_callback_data ${event.callbackData} não corresponde ao wamid ${event.wamid}: ignorado`,
                );
                return;
              }
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
