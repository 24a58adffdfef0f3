import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { campaigns, chips, contacts, organizations } from "@/db/schema";
import { audit } from "@/lib/audit";
import { decryptSecret } from "@/lib/crypto";
import { UFS } from "@/lib/segments/filter";
import type { AudienceFilter } from "@/lib/segments/filter";
import type { ApiFailure, SendResult, TemplateMessage, WhatsAppClient } from "@/lib/whatsapp/client";
import { ERROR_TABLE } from "@/lib/whatsapp/errors";
import { recipientRules, SKIP_REASONS } from "./audience";
import { messagingLimitOf, portfolioUsageLast24h } from "./estimate";
import type { FrozenTemplate } from "./campaigns";
import type { SendWindow } from "./send-window";
import type { VariableMapping } from "./variables";

// The dispatch core: the steps both engines (the local worker, the Inngest functions) drive. Each is safe to run
// twice; the durable truth is the campaign row and one campaign_recipients row per contact.
//
//   startCampaign   queued (or scheduled and due) → sending, with the audience snapshot, once
//   claimRecipients pending → sending (attempts + 1), in batches, FOR UPDATE SKIP LOCKED: two workers never
//                   claim one row; rows of contacts who opted out since the snapshot become skipped
//   sendClaimed     one Cloud API call per claimed row, biz_opaque_callback_data = the row id
//   recordResults   sent (wamid) | retry later (pending, next_attempt_at) | failed | indeterminate, in one
//                   statement per batch; accepted messages debited from the package in the same transaction
//   recoverStale    a row left in sending (a crash, a lost answer) becomes indeterminate: never sent again
//                   automatically; a status webhook carrying its id resolves it
//   finishIfDone    sending → completed when nothing is pending or in flight

/** A claimed row with no outcome after this long was interrupted: the HTTP budget is far shorter. */
export const STALE_SENDING_MS = 2 * 60_000;
export const MAX_ATTEMPTS = 5;
export const THROUGHPUT_CODE = 130429;
const MAX_THROUGHPUT_ATTEMPTS = 30;
/** The snapshot runs in this many parts side by side (the machine's cores; the pool must hold them plus one). */
export const SNAPSHOT_PARTS = Number(process.env.SNAPSHOT_PARTS ?? 2);

type CampaignRow = typeof campaigns.$inferSelect;

const stateNames = sql.raw(`case contacts.state ${UFS.map((u) => `when '${u.uf}' then '${u.name.replace(/'/g, "''")}'`).join(" ")} end`);

/** One SQL expression per variable, in {{n}} order per component: what the snapshot stores for each row. */
const variablesSql = (mapping: readonly VariableMapping[]): SQL => {
  const value = (m: VariableMapping): SQL => {
    if (m.source === "text") return sql`${m.text}::text`;
    const raw = {
      name: sql`btrim(${contacts.name})`,
      first_name: sql`split_part(btrim(${contacts.name}), ' ', 1)`,
      city: sql`btrim(${contacts.city})`,
      state: sql`${contacts.state}::text`,
      state_name: stateNames,
      wallet: sql`(select w.name from wallets w where w.id = ${contacts.walletId})`,
    }[m.field];
    return m.fallback ? sql`coalesce(nullif(${raw}, ''), ${m.fallback}::text)` : sql`coalesce(${raw}, '')`;
  };
  const list = (component: "header" | "body") => {
    const items = mapping.filter((m) => m.component === component).sort((a, b) => a.index - b.index);
    return items.length ? sql`jsonb_build_array(${sql.join(items.map(value), sql`, `)})` : sql`'[]'::jsonb`;
  };
  return sql`jsonb_build_object('header', ${list("header")}, 'body', ${list("body")})`;
};

const scopeSql = (scope: CampaignRow["chipScope"], chipId: number): SQL =>
  scope === "this_chip"
    ? sql`${contacts.chipIds} @> array[${chipId}::int]`
    : scope === "other_chips"
      ? sql`(cardinality(${contacts.chipIds}) > 0 and not ${contacts.chipIds} @> array[${chipId}::int])`
      : sql`true`;

/**
 * queued, or scheduled and due → sending, with the snapshot: one row per contact of the frozen filter within the
 * chip scope, evaluated now (opt-outs since the confirmation are skipped), skipped ones with their reason, each
 * with its rendered variables. Holds the campaign row: a second caller waits and then finds it started.
 */
export const startCampaign = async (db: Db, campaignId: number, now = new Date()) =>
  db.transaction(async (tx) => {
    // Serialized per campaign by an advisory lock, not a row lock: the snapshot's parts run on other connections
    // and their foreign-key checks take KEY SHARE on the campaign row, which a pause or cancel arriving meanwhile
    // (an UPDATE waiting for our lock) could queue behind — a wait the database cannot see as a deadlock,
    // because this transaction is waiting for the parts in the app, not in PostgreSQL.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('disparo:campaign-start'), ${campaignId})`);
    const [c] = await tx.select().from(campaigns).where(eq(campaigns.id, campaignId));
    if (!c) return { started: false as const, reason: "not_found" };
    if (c.status === "sending") return { started: true as const, already: true };
    const due = c.status === "queued" || (c.status === "scheduled" && c.scheduledAt !== null && c.scheduledAt.getTime() <= now.getTime());
    if (!due) return { started: false as const, reason: c.status };
    const [org] = await tx.select().from(organizations).where(eq(organizations.id, c.organizationId));
    const template = c.frozenTemplate as FrozenTemplate;
    const mapping = (c.templateVariables as VariableMapping[]) ?? [];
    let count = c.snapshotCount ?? 0;
    if (!c.snapshotAt) {
      const rules = recipientRules({
        organizationId: c.organizationId,
        filter: c.frozenFilter as AudienceFilter,
        timeZone: org!.timeZone,
        chipId: c.chipId,
        mapping,
        optInRequest: template.isOptInRequest,
        frequencyCap:
          template.category === "marketing" && org!.frequencyCapMessages && org!.frequencyCapDays
            ? { messages: org!.frequencyCapMessages, days: org!.frequencyCapDays }
            : null,
        campaignId: c.id,
      });
      const reasons = sql.raw(`(array[${SKIP_REASONS.map((r) => `'${r}'`).join(", ")}]::skip_reason[])`);
      const capped = rules.recent ? sql`${contacts.id} in (select contact_id from recent)` : sql`false`;
      const insertRange = (range: SQL) =>
        db.execute(sql`
        with recent as materialized (${rules.recent ?? sql`select null::bigint as contact_id where false`}),
        rows as (
          select ${contacts.id} as contact_id, ${contacts.phone} as phone, ${variablesSql(mapping)} as variables,
                 case when ${rules.rowReason} = 0 and ${capped} then ${rules.code("frequency_cap")} else ${rules.rowReason} end as reason
            from ${contacts}
           where ${rules.where} and ${scopeSql(c.chipScope, c.chipId)} and ${range}
        )
        insert into campaign_recipients (organization_id, campaign_id, contact_id, chip_id, phone, variables, status, skip_reason)
        select ${c.organizationId}::uuid, ${c.id}, contact_id, ${c.chipId}, phone, variables,
               case when reason = 0 then 'pending' else 'skipped' end::recipient_status,
               case when reason = 0 then null else ${reasons}[reason] end
          from rows
        on conflict (campaign_id, contact_id) do nothing`);
      // The snapshot in SNAPSHOT_PARTS ranges of contact ids, one per connection of the pool, side by side (one
      // statement used one core: 26.9 s for 1,000,000 recipients here, bench:dispatch). Each part commits on its
      // own and is idempotent (on conflict do nothing); snapshot_at is set only after all of them, under this
      // transaction's advisory lock, so an interrupted snapshot is simply taken again.
      const [bounds] = await tx.execute<{ lo: number | null; hi: number | null }>(sql`
        select min(id) as lo, max(id) as hi from contacts where organization_id = ${c.organizationId}::uuid`);
      const lo = Number(bounds?.lo ?? 0);
      const hi = Number(bounds?.hi ?? 0);
      const step = Math.ceil((hi - lo + 1) / SNAPSHOT_PARTS);
      await Promise.all(
        Array.from({ length: SNAPSHOT_PARTS }, (_, i) => insertRange(sql`${contacts.id} >= ${lo + i * step} and ${contacts.id} < ${lo + (i + 1) * step}`)),
      );
      const [n] = await tx.execute<{ n: number }>(sql`select count(*)::int as n from campaign_recipients where campaign_id = ${c.id}`);
      count = Number(n?.n ?? 0);
    }
    // Only a campaign still queued or scheduled goes to sending: one paused or cancelled during the snapshot keeps
    // that status (and its snapshot, for when it is resumed).
    await tx
      .update(campaigns)
      .set({
        status: sql`case when ${campaigns.status} in ('queued', 'scheduled') then 'sending'::campaign_status else ${campaigns.status} end`,
        startedAt: c.startedAt ?? now,
        snapshotAt: c.snapshotAt ?? now,
        snapshotCount: count,
        updatedAt: now,
      })
      .where(eq(campaigns.id, c.id));
    await audit(tx, {
      organizationId: c.organizationId,
      userId: null,
      action: "campaign.start",
      entityType: "campaign",
      entityId: c.id,
      data: { recipients: count, late: c.scheduledAt && now.getTime() - c.scheduledAt.getTime() > 5 * 60_000 ? Math.round((now.getTime() - c.scheduledAt.getTime()) / 60_000) : 0 },
    });
    return { started: true as const, already: false, count };
  });

export type ClaimedRecipient = { id: number; contactId: number | null; phone: string; variables: { header: string[]; body: string[] }; attempts: number };

/**
 * Up to `limit` pending rows due now, after `afterContactId` (the caller's cursor along the campaign's
 * (campaign_id, contact_id) index; no index names status, decision 0004) → sending. Contacts that opted out since
 * the snapshot are skipped instead. `onlyId` claims one given row (the Inngest per-contact step).
 */
export const claimRecipients = async (
  db: DbOrTx,
  campaignId: number,
  options: { afterContactId?: number; limit: number; onlyId?: number },
): Promise<ClaimedRecipient[]> => {
  const pick = options.onlyId
    ? sql`r.id = ${options.onlyId} and r.campaign_id = ${campaignId}`
    : sql`r.campaign_id = ${campaignId} and r.contact_id > ${options.afterContactId ?? 0}`;
  const rows = await db.execute<{ id: number; contact_id: number | null; phone: string; variables: ClaimedRecipient["variables"]; attempts: number; skipped: boolean }>(sql`
    with c as (
      select r.id, r.contact_id from campaign_recipients r
       where ${pick} and r.status = 'pending' and (r.next_attempt_at is null or r.next_attempt_at <= now())
       order by r.contact_id limit ${options.limit}
       for update of r skip locked
    ),
    gone as (
      update campaign_recipients r set status = 'skipped',
             skip_reason = case when k.id is null then 'erased' else 'opted_out' end::skip_reason
        from c left join contacts k on k.id = c.contact_id
       where r.id = c.id and (k.id is null or k.opt_in_status = 'opted_out')
      returning r.id
    ),
    claimed as (
      update campaign_recipients r set status = 'sending', attempts = r.attempts + 1, last_attempt_at = now(), next_attempt_at = null
        from c where r.id = c.id and r.id not in (select id from gone)
      returning r.id, r.contact_id, r.phone, r.variables, r.attempts
    )
    select id, contact_id, phone, variables, attempts, false as skipped from claimed
    order by contact_id`);
  return rows.map((r) => ({ id: Number(r.id), contactId: r.contact_id === null ? null : Number(r.contact_id), phone: r.phone, variables: r.variables, attempts: r.attempts }));
};

export type SendContext = {
  campaign: Pick<CampaignRow, "id" | "organizationId" | "headerMediaUrl"> & { template: FrozenTemplate };
  chip: { phoneNumberId: string; accessToken: string };
  client: WhatsAppClient;
};

/** The Cloud API message of one row, from the values the snapshot rendered. */
export const messageOf = (ctx: SendContext["campaign"], row: ClaimedRecipient): TemplateMessage => {
  const header = Array.isArray(ctx.template.components)
    ? (ctx.template.components as { type?: string; format?: string }[]).find((c) => c.type?.toUpperCase() === "HEADER")
    : undefined;
  const format = header?.format?.toUpperCase();
  const headerParameters =
    format === "IMAGE" || format === "VIDEO"
      ? [{ type: format === "IMAGE" ? ("image" as const) : ("video" as const), link: ctx.headerMediaUrl ?? "" }]
      : format === "DOCUMENT"
        ? [{ type: "document" as const, link: ctx.headerMediaUrl ?? "" }]
        : (row.variables.header ?? []).map((text) => ({ type: "text" as const, text }));
  return {
    name: ctx.template.name,
    language: ctx.template.language,
    ...(headerParameters.length ? { headerParameters } : {}),
    ...(row.variables.body?.length ? { bodyParameters: row.variables.body } : {}),
  };
};

export const sendOne = (ctx: SendContext, row: ClaimedRecipient): Promise<SendResult> =>
  ctx.client.sendTemplate({
    phoneNumberId: ctx.chip.phoneNumberId,
    accessToken: ctx.chip.accessToken,
    to: row.phone,
    template: messageOf(ctx.campaign, row),
    bizOpaqueCallbackData: String(row.id),
  });

export type Outcome =
  | { id: number; kind: "sent"; wamid: string }
  | { id: number; kind: "retry"; at: Date; code?: number; message: string }
  | { id: number; kind: "failed"; code?: number; message: string; optOut: boolean }
  | { id: number; kind: "indeterminate"; message: string }
  /** Not sent and back to pending: the campaign cannot go on (`pause` says why) or was paused/cancelled meanwhile. */
  | { id: number; kind: "release"; pause?: string };

const backoffMs = (attempts: number) => Math.min(15 * 60_000, 2_000 * 2 ** (attempts - 1));

const describe = (f: ApiFailure) => `${f.code ?? f.networkCode ?? f.httpStatus ?? ""} ${f.message}`.trim().slice(0, 500);

/** What a send's answer means for its row (lib/whatsapp/errors.ts classifies the code). */
export const outcomeOf = (row: ClaimedRecipient, result: SendResult, now = new Date()): Outcome => {
  if (result.ok) return { id: row.id, kind: "sent", wamid: result.wamid };
  if (result.kind === "ambiguous") return { id: row.id, kind: "indeterminate", message: describe(result) };
  if (result.kind === "account" || (result.kind === "permanent" && result.scope !== "recipient"))
    return { id: row.id, kind: "release", pause: `${result.explanation} ${result.nextStep}`.trim() };
  // 130429: the chip went faster than the number's throughput; nothing was sent. The worker slows the chip down;
  // the row waits a little and does not spend its attempts (up to a generous ceiling).
  if (result.code === THROUGHPUT_CODE && row.attempts < MAX_THROUGHPUT_ATTEMPTS)
    return { id: row.id, kind: "retry", at: new Date(now.getTime() + Math.min(30_000, 500 * row.attempts)), code: result.code, message: describe(result) };
  if (result.kind === "transient" || result.kind === "later") {
    if (row.attempts >= MAX_ATTEMPTS) return { id: row.id, kind: "failed", code: result.code, message: `${describe(result)} (após ${row.attempts} tentativas)`, optOut: false };
    const wait = result.kind === "later" ? Math.max(result.retryAfterMs ?? 60_000, backoffMs(row.attempts)) : (result.retryAfterMs ?? backoffMs(row.attempts));
    return { id: row.id, kind: "retry", at: new Date(now.getTime() + wait), code: result.code, message: describe(result) };
  }
  return { id: row.id, kind: "failed", code: result.code, message: describe(result), optOut: result.kind === "opt_out" };
};

/**
 * Writes a batch of outcomes in one transaction: rows move only from `sending` (a status webhook may already
 * have moved a row further: then only the wamid is kept); accepted messages are debited from the package, with
 * the automatic increases the confirmation authorized, in the ledger; 131050 opts the contact out; a release
 * pauses the campaign with the reason the user sees.
 */
export const recordResults = async (db: Db, campaign: Pick<CampaignRow, "id" | "organizationId">, outcomes: Outcome[]) => {
  if (!outcomes.length) return { debited: 0, paused: null as string | null };
  const payload = JSON.stringify(
    outcomes.map((o) => ({
      id: o.id,
      k: o.kind,
      wamid: o.kind === "sent" ? o.wamid : null,
      at: o.kind === "retry" ? o.at.toISOString() : null,
      code: o.kind === "retry" || o.kind === "failed" ? (o.code ?? null) : null,
      msg: o.kind === "retry" || o.kind === "failed" || o.kind === "indeterminate" ? o.message : null,
    })),
  );
  const pause = outcomes.find((o): o is Extract<Outcome, { kind: "release" }> => o.kind === "release" && Boolean(o.pause))?.pause ?? null;
  return db.transaction(async (tx) => {
    const updated = await tx.execute<{ id: number; k: string; moved: boolean }>(sql`
      with v as (
        select * from jsonb_to_recordset(${payload}::jsonb) as v(id bigint, k text, wamid text, at timestamptz, code int, msg text)
      )
      update campaign_recipients r set
        status = case when r.status <> 'sending' then r.status
                      when v.k = 'sent' then 'sent'
                      when v.k in ('retry', 'release') then 'pending'
                      when v.k = 'failed' then 'failed'
                      else 'indeterminate' end::recipient_status,
        wamid = coalesce(r.wamid, v.wamid),
        sent_at = case when v.k = 'sent' then coalesce(r.sent_at, now()) else r.sent_at end,
        failed_at = case when v.k = 'failed' and r.status = 'sending' then now() else r.failed_at end,
        next_attempt_at = case when v.k = 'retry' then v.at else r.next_attempt_at end,
        attempts = case when v.k = 'release' and r.status = 'sending' then greatest(r.attempts - 1, 0) else r.attempts end,
        error_code = case when v.k in ('retry', 'failed') then v.code else r.error_code end,
        error_message = case when v.k in ('retry', 'failed', 'indeterminate') then v.msg else r.error_message end
        from v
       where r.id = v.id and r.campaign_id = ${campaign.id}
      returning r.id, v.k, true as moved`);
    const sent = updated.filter((u) => u.k === "sent").map((u) => Number(u.id));
    if (sent.length) await debit(tx, campaign, sent);
    const optOuts = outcomes.filter((o) => o.kind === "failed" && o.optOut).map((o) => o.id);
    if (optOuts.length)
      await tx.execute(sql`
        with c as (
          update contacts k set opt_in_status = 'opted_out', opted_out_at = now(), opt_in_source = 'api_error', updated_at = now()
            from campaign_recipients r
           where r.id = any(${sql.param(optOuts)}::bigint[]) and k.id = r.contact_id and k.opt_in_status <> 'opted_out'
          returning k.id, r.chip_id
        )
        insert into consent_events (organization_id, contact_id, status, source, chip_id, campaign_id, text_shown)
        select ${campaign.organizationId}::uuid, c.id, 'opted_out', 'api_error', c.chip_id, ${campaign.id},
               'O contato parou de receber mensagens de marketing no WhatsApp (erro 131050)' from c`);
    if (pause) await pauseCampaign(tx, campaign, pause, null);
    return { debited: sent.length, paused: pause };
  });
};

/** One ledger debit per accepted message (unique per recipient: a replayed write debits nothing more). */
const debit = async (tx: DbOrTx, campaign: Pick<CampaignRow, "id" | "organizationId">, recipientIds: number[]) => {
  const [org] = await tx
    .select({ balance: organizations.packageBalance, size: organizations.autoIncreaseSize })
    .from(organizations)
    .where(eq(organizations.id, campaign.organizationId))
    .for("update");
  const fresh = await tx.execute<{ id: number }>(sql`
    select r.id from unnest(${sql.param(recipientIds)}::bigint[]) as r(id)
     where not exists (select 1 from package_ledger l where l.recipient_id = r.id and l.kind = 'debit')
     order by r.id`);
  const n = fresh.length;
  if (!n || !org) return;
  const missing = Math.max(0, n - org.balance);
  const increases = missing ? Math.ceil(missing / Math.max(1, org.size)) : 0;
  let balance = org.balance;
  for (let i = 0; i < increases; i++) {
    balance += org.size;
    await tx.execute(sql`
      insert into package_ledger (organization_id, kind, amount, balance_after, campaign_id, note)
      values (${campaign.organizationId}::uuid, 'auto_increase', ${org.size}, ${balance}, ${campaign.id},
              'Aumento automático autorizado na confirmação da campanha')`);
  }
  await tx.execute(sql`
    insert into package_ledger (organization_id, kind, amount, balance_after, campaign_id, recipient_id)
    select ${campaign.organizationId}::uuid, 'debit', -1, ${balance} - row_number() over (order by id), ${campaign.id}, id
      from unnest(${sql.param(fresh.map((r) => Number(r.id)))}::bigint[]) as f(id)
    on conflict (recipient_id, kind) do nothing`);
  await tx.update(organizations).set({ packageBalance: balance - n, updatedAt: new Date() }).where(eq(organizations.id, campaign.organizationId));
};

/** sending → paused with the reason shown to the user (a user, or the engine when userId is null). */
export const pauseCampaign = async (db: DbOrTx, campaign: Pick<CampaignRow, "id" | "organizationId">, reason: string, userId: string | null) => {
  const [row] = await db
    .update(campaigns)
    .set({ status: "paused", pausedReason: reason, updatedAt: new Date() })
    .where(and(eq(campaigns.id, campaign.id), eq(campaigns.organizationId, campaign.organizationId), inArray(campaigns.status, ["sending", "queued"])))
    .returning({ id: campaigns.id });
  if (row) await audit(db, { organizationId: campaign.organizationId, userId, action: "campaign.pause", entityType: "campaign", entityId: campaign.id, data: { reason } });
  return Boolean(row);
};

/** paused → sending (or queued when it never started), the reason cleared. */
export const resumeCampaign = async (db: Db, campaign: Pick<CampaignRow, "id" | "organizationId">, userId: string | null) =>
  db.transaction(async (tx) => {
    const [c] = await tx.select().from(campaigns).where(and(eq(campaigns.id, campaign.id), eq(campaigns.organizationId, campaign.organizationId))).for("update");
    if (!c || c.status !== "paused") return false;
    await tx
      .update(campaigns)
      .set({ status: c.snapshotAt ? "sending" : "queued", pausedReason: null, updatedAt: new Date() })
      .where(eq(campaigns.id, c.id));
    await audit(tx, { organizationId: c.organizationId, userId, action: "campaign.resume", entityType: "campaign", entityId: c.id });
    return true;
  });

/** Rows claimed and never answered (the process died, the answer was lost) → indeterminate. */
export const recoverStale = async (db: DbOrTx, campaignId: number, olderThanMs = STALE_SENDING_MS) => {
  const rows = await db.execute(sql`
    update campaign_recipients set status = 'indeterminate',
           error_message = 'Envio interrompido sem resposta: pode ter sido entregue. Não é reenviado automaticamente.'
     where campaign_id = ${campaignId} and status = 'sending'
       and last_attempt_at < now() - make_interval(secs => ${olderThanMs / 1000})`);
  return rows.count;
};

export type Progress = Record<"pending" | "sending" | "sent" | "delivered" | "read" | "failed" | "skipped" | "indeterminate", number> & { total: number; nextAttemptAt: Date | null };

/** Counts per status (through the campaign's index) and the earliest retry waiting. */
export const campaignProgress = async (db: DbOrTx, campaignId: number): Promise<Progress> => {
  const rows = await db.execute<{ status: keyof Progress; n: number; next: string | null }>(sql`
    select status, count(*)::int as n, min(next_attempt_at) filter (where status = 'pending') as next
      from campaign_recipients where campaign_id = ${campaignId} group by status`);
  const p: Progress = { pending: 0, sending: 0, sent: 0, delivered: 0, read: 0, failed: 0, skipped: 0, indeterminate: 0, total: 0, nextAttemptAt: null };
  for (const r of rows) {
    (p as Record<string, number>)[r.status] = Number(r.n);
    p.total += Number(r.n);
    if (r.next) p.nextAttemptAt = new Date(r.next);
  }
  return p;
};

/** sending → completed when no row is pending or in flight. */
export const finishIfDone = async (db: Db, campaignId: number) =>
  db.transaction(async (tx) => {
    const [c] = await tx.select().from(campaigns).where(eq(campaigns.id, campaignId)).for("update");
    if (!c || c.status !== "sending") return false;
    // A contact erased on request (LGPD) after the snapshot leaves its row without a contact: the cursor along
    // contact_id never reaches it, and it must never be sent.
    await tx.execute(sql`
      update campaign_recipients set status = 'skipped', skip_reason = 'erased'
       where campaign_id = ${campaignId} and contact_id is null and status = 'pending'`);
    const p = await campaignProgress(tx, campaignId);
    if (p.pending + p.sending > 0) return false;
    // Nothing reached anyone and messages failed: the campaign failed, with the reason most of them got.
    if (p.failed > 0 && p.sent + p.delivered + p.read + p.indeterminate === 0) {
      const [top] = await tx.execute<{ code: number | null; message: string | null; n: number }>(sql`
        select error_code as code, error_message as message, count(*)::int as n from campaign_recipients
         where campaign_id = ${campaignId} and status = 'failed' group by 1, 2 order by 3 desc limit 1`);
      const reason = `Nenhuma mensagem foi aceita: ${p.failed} falharam${top ? `, a maioria com ${top.code ?? "erro de rede"} (${(top.message ?? "").slice(0, 200)})` : ""}.`;
      await tx.update(campaigns).set({ status: "failed", pausedReason: reason, finishedAt: new Date(), updatedAt: new Date() }).where(eq(campaigns.id, campaignId));
      await audit(tx, { organizationId: c.organizationId, userId: null, action: "campaign.fail", entityType: "campaign", entityId: c.id, data: { ...p, reason } });
      return true;
    }
    await tx.update(campaigns).set({ status: "completed", finishedAt: new Date(), updatedAt: new Date() }).where(eq(campaigns.id, campaignId));
    await audit(tx, { organizationId: c.organizationId, userId: null, action: "campaign.complete", entityType: "campaign", entityId: c.id, data: p });
    return true;
  });

export const CHIP_INACTIVE_REASON = "O chip da campanha foi desativado ou excluído. Reative o chip em Configurações › Chips e retome a campanha.";
export const QUALITY_RED_REASON = "A qualidade do chip caiu para baixa (vermelha) na Meta. Revise o conteúdo e o público antes de retomar, para não bloquear o número.";

/** Why a campaign's chip must not send now (both engines pause the campaign with it), or null. */
export const chipStop = (chip: { chipStatus: string | null; quality: string | null } | null) =>
  chip?.chipStatus !== "active" ? CHIP_INACTIVE_REASON : chip.quality === "red" ? QUALITY_RED_REASON : null;

export type MessagingRoom = { remaining: number | null; at: number };
const messagingRooms = new Map<string, MessagingRoom>();

/**
 * What remains of Meta's messaging limit (unique users per rolling 24 h, per business portfolio = organization),
 * read at most every `maxAgeMs` and counted down locally by the caller in between. null = unlimited. A worker
 * passes a cache of its own; the Inngest steps share the process's.
 */
export const messagingRoom = async (db: DbOrTx, organizationId: string, maxAgeMs = 5_000, cache: Map<string, MessagingRoom> = messagingRooms) => {
  const cached = cache.get(organizationId);
  if (cached && Date.now() - cached.at < maxAgeMs) return cached;
  const [org] = await db.select({ tier: organizations.messagingLimitTier }).from(organizations).where(eq(organizations.id, organizationId));
  const limit = messagingLimitOf(org?.tier ?? "TIER_250");
  const entry = { remaining: limit === null ? null : Math.max(0, limit - (await portfolioUsageLast24h(db, organizationId))), at: Date.now() };
  cache.set(organizationId, entry);
  return entry;
};

/** Forgets the process's cached messaging room (tests; or after the organization's tier changed). */
export const forgetMessagingRoom = (organizationId?: string) => (organizationId ? messagingRooms.delete(organizationId) : messagingRooms.clear());

/** Everything a sender needs about a campaign and its chip (token decrypted), or why it cannot send. */
export const loadSendContext = async (db: DbOrTx, campaignId: number, client: WhatsAppClient, encryptionKey: string) => {
  const [row] = await db
    .select({ campaign: campaigns, chip: chips, timeZone: organizations.timeZone })
    .from(campaigns)
    .innerJoin(organizations, eq(organizations.id, campaigns.organizationId))
    .leftJoin(chips, eq(chips.id, campaigns.chipId))
    .where(eq(campaigns.id, campaignId));
  if (!row) return null;
  const ctx: SendContext & {
    status: CampaignRow["status"];
    chipStatus: string | null;
    quality: string | null;
    messagesPerSecond: number;
    chipId: number;
    sendWindow: SendWindow | null;
    timeZone: string;
  } = {
    campaign: { id: row.campaign.id, organizationId: row.campaign.organizationId, headerMediaUrl: row.campaign.headerMediaUrl, template: row.campaign.frozenTemplate as FrozenTemplate },
    chip: { phoneNumberId: row.chip?.phoneNumberId ?? "", accessToken: row.chip ? decryptSecret(row.chip.accessTokenEncrypted, encryptionKey) : "" },
    client,
    status: row.campaign.status,
    chipStatus: row.chip?.status ?? null,
    quality: row.chip?.qualityRating ?? null,
    sendWindow: (row.campaign.sendWindow as SendWindow | null) ?? null,
    timeZone: row.timeZone,
    messagesPerSecond: row.chip?.messagesPerSecond ?? 1,
    chipId: row.campaign.chipId,
  };
  return ctx;
};

/**
 * The per-contact step (Inngest), also the unit the tests run twice: claim this row (only if still pending),
 * send it, record the outcome. A second run finds it no longer pending and sends nothing.
 */
export const sendRecipient = async (db: Db, campaignId: number, recipientId: number, client: WhatsAppClient, encryptionKey: string) => {
  const ctx = await loadSendContext(db, campaignId, client, encryptionKey);
  if (!ctx || ctx.status !== "sending") return { sent: false as const, reason: ctx?.status ?? "not_found" };
  const [row] = await claimRecipients(db, campaignId, { limit: 1, onlyId: recipientId });
  if (!row) return { sent: false as const, reason: "not_pending" };
  const outcome = outcomeOf(row, await sendOne(ctx, row));
  await recordResults(db, ctx.campaign, [outcome]);
  return { sent: outcome.kind === "sent", outcome };
};

/** Error codes whose failure may succeed if sent again now (the retries ran out): transient and "later" kinds. */
export const RETRYABLE_CODES = Object.entries(ERROR_TABLE)
  .filter(([, e]) => e.kind === "transient" || e.kind === "later")
  .map(([code]) => Number(code));

// A failed row is retryable when its error is of a retryable kind, or had no API code (a network failure before
// the request was written). A row with a wamid was accepted once and is never resent.
const RETRYABLE_FAILED = sql`(r.status = 'failed' and r.wamid is null and (r.error_code is null or r.error_code = any(${sql.param(RETRYABLE_CODES)}::int[])))`;
const UNCONFIRMED = sql`(r.status = 'indeterminate' and r.wamid is null)`;

/** How many rows "Reenviar falhas" would send again: retryable failures, and the indeterminate ones. */
export const resendableCounts = async (db: DbOrTx, campaignId: number) => {
  const [row] = await db.execute<{ failed: number; indeterminate: number }>(sql`
    select count(*) filter (where ${RETRYABLE_FAILED})::int as failed, count(*) filter (where ${UNCONFIRMED})::int as indeterminate
      from campaign_recipients r where r.campaign_id = ${campaignId} and r.status in ('failed', 'indeterminate')`);
  return { failed: Number(row?.failed ?? 0), indeterminate: Number(row?.indeterminate ?? 0) };
};

/**
 * "Reenviar falhas" (gestor): retryable failures — and, only when the gestor chose it after seeing how many, the
 * indeterminate rows (they may have been delivered: the contact may get the message twice) — back to pending;
 * the campaign sends again. Recorded in the audit log with the counts.
 */
export const resendFailures = async (db: Db, actor: { organizationId: string; userId: string }, campaignId: number, options: { includeIndeterminate: boolean }) =>
  db.transaction(async (tx) => {
    const [c] = await tx.select().from(campaigns).where(and(eq(campaigns.id, campaignId), eq(campaigns.organizationId, actor.organizationId))).for("update");
    if (!c) return { ok: false as const, message: "Campanha não encontrada nesta organização." };
    if (!["completed", "paused", "sending"].includes(c.status))
      return { ok: false as const, message: "Só dá para reenviar falhas de uma campanha que já enviou (em envio, pausada ou concluída)." };
    const which = options.includeIndeterminate ? sql`(${RETRYABLE_FAILED} or ${UNCONFIRMED})` : RETRYABLE_FAILED;
    const moved = await tx.execute<{ status: string }>(sql`
      update campaign_recipients r set status = 'pending', attempts = 0, next_attempt_at = null, failed_at = null
        from (select id, status as was from campaign_recipients r where r.campaign_id = ${campaignId} and ${which}) m
       where r.id = m.id
      returning m.was as status`);
    const failed = moved.filter((m) => m.status === "failed").length;
    const indeterminate = moved.length - failed;
    if (moved.length && c.status === "completed")
      await tx.update(campaigns).set({ status: "sending", finishedAt: null, updatedAt: new Date() }).where(eq(campaigns.id, c.id));
    await audit(tx, { organizationId: actor.organizationId, userId: actor.userId, action: "campaign.resend", entityType: "campaign", entityId: c.id, data: { failed, indeterminate } });
    return { ok: true as const, failed, indeterminate };
  });
