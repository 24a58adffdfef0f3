import { eq, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import { campaigns, chips, organizations } from "@/db/schema";
import type { WhatsAppClient } from "@/lib/whatsapp/client";
import { ERROR_TABLE } from "@/lib/whatsapp/errors";
import {
  claimRecipients,
  finishIfDone,
  loadSendContext,
  outcomeOf,
  pauseCampaign,
  recordResults,
  recoverStale,
  sendOne,
  startCampaign,
  type Outcome,
} from "./dispatch";
import { isWindowOpen, nextWindowOpening, type SendWindow } from "./send-window";

// What the Inngest engine (inngest/functions) needs beside the dispatch core: the throughput tiers and their
// arithmetic, the fan-out's id pages and event chunks, and the small reads its steps make. Framework-free (no
// `inngest` import): the functions map these results to steps and errors. Decision 0005 explains the numbers.

/** Recipients one send run carries: one per-contact step each, so a run holds at most this many steps. */
export const RECIPIENTS_PER_RUN = 10;

/**
 * One send function per tier, throttled per chip at `mps / RECIPIENTS_PER_RUN` run starts per second: Inngest's
 * throttle `limit` is constant per function (the key only partitions it) and spaces run starts, not steps.
 */
export const TIERS = [
  { mps: 20, id: "campaign-send-20", event: "campaign/send.20" },
  { mps: 80, id: "campaign-send-80", event: "campaign/send.80" },
  { mps: 1000, id: "campaign-send-1000", event: "campaign/send.1000" },
] as const;

export type Tier = (typeof TIERS)[number];
export type SendEventName = Tier["event"];

/** Run starts per second per chip in a tier. */
export const runsPerSecond = (tier: Tier) => tier.mps / RECIPIENTS_PER_RUN;

/** The fastest tier at or under the chip's limit (the slowest one for a chip below every tier). */
export const tierFor = (messagesPerSecond: number): Tier => {
  let chosen: Tier = TIERS[0];
  for (const t of TIERS) if (t.mps <= messagesPerSecond) chosen = t;
  return chosen;
};

/**
 * Recipients per send event for this chip: RECIPIENTS_PER_RUN, or fewer for a chip below its tier (only below
 * the slowest one) so that runs per second × group stays at or under its limit (never under one).
 */
export const groupSizeFor = (messagesPerSecond: number) => {
  const tier = tierFor(messagesPerSecond);
  return Math.max(1, Math.min(RECIPIENTS_PER_RUN, Math.floor(messagesPerSecond / runsPerSecond(tier))));
};

/** Messages per second the Inngest engine reaches for this chip. */
export const effectiveRate = (messagesPerSecond: number) => runsPerSecond(tierFor(messagesPerSecond)) * groupSizeFor(messagesPerSecond);

export const groupIds = (ids: readonly number[], size: number): number[][] => {
  const groups: number[][] = [];
  for (let i = 0; i < ids.length; i += size) groups.push(ids.slice(i, i + size));
  return groups;
};

/** Events per request (Inngest's limit for one send / step.sendEvent). */
export const MAX_EVENTS_PER_SEND = 5000;
/** Request body per send: Inngest's smallest plan limit (256 KiB), less room for the envelope. */
export const MAX_BYTES_PER_SEND = 256 * 1024 - 8 * 1024;

/** Splits events into sends of at most `maxEvents` events and `maxBytes` of JSON, in order. */
export const chunkEvents = <T>(events: readonly T[], maxEvents = MAX_EVENTS_PER_SEND, maxBytes = MAX_BYTES_PER_SEND): T[][] => {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 2;
  for (const e of events) {
    const size = Buffer.byteLength(JSON.stringify(e)) + 1;
    if (current.length && (current.length >= maxEvents || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 2;
    }
    current.push(e);
    bytes += size;
  }
  if (current.length) chunks.push(current);
  return chunks;
};

/**
 * Ids per fan-out page: one list step returns them (well under the 4 MB a step may return: ~8 bytes an id) and
 * they become at most MAX_EVENTS_PER_SEND events.
 */
export const FANOUT_PAGE_IDS = MAX_EVENTS_PER_SEND * RECIPIENTS_PER_RUN;

/**
 * The pending rows of a campaign after `afterContactId`, ids only, along the (campaign_id, contact_id) index
 * (decision 0004: no index names status); `dueOnly` leaves out rows waiting for a retry. `cursor` is the last
 * contact id when the page is full, null when the campaign has no more. The last page also carries the pending
 * rows whose contact was erased (contact_id null, outside the index order); claiming them marks them skipped.
 */
export const listPendingIds = async (
  db: DbOrTx,
  campaignId: number,
  options: { afterContactId: number; limit: number; dueOnly: boolean },
): Promise<{ ids: number[]; cursor: number | null }> => {
  const due = options.dueOnly ? sql`and (next_attempt_at is null or next_attempt_at <= now())` : sql``;
  const rows = await db.execute<{ id: string; contact_id: string }>(sql`
    select id, contact_id from campaign_recipients
     where campaign_id = ${campaignId} and contact_id > ${options.afterContactId} and status = 'pending' ${due}
     order by contact_id limit ${options.limit}`);
  const ids = rows.map((r) => Number(r.id));
  if (rows.length === options.limit) return { ids, cursor: Number(rows.at(-1)!.contact_id) };
  const erased = await db.execute<{ id: string }>(sql`
    select id from campaign_recipients
     where campaign_id = ${campaignId} and contact_id is null and status = 'pending' ${due}
     order by id limit ${options.limit - rows.length}`);
  return { ids: [...ids, ...erased.map((r) => Number(r.id))], cursor: null };
};

/** A recipient row's status, and whether it is pending but waiting for its next attempt (database clock). */
export const recipientState = async (db: DbOrTx, campaignId: number, recipientId: number) => {
  const [row] = await db.execute<{ status: string; next_attempt_at: Date | string | null; waiting: boolean }>(sql`
    select status, next_attempt_at, (status = 'pending' and next_attempt_at > now()) as waiting
      from campaign_recipients where id = ${recipientId} and campaign_id = ${campaignId}`);
  if (!row) return null;
  return { status: row.status, nextAttemptAt: row.next_attempt_at ? new Date(row.next_attempt_at) : null, waiting: Boolean(row.waiting) };
};

const chipOf = async (db: DbOrTx, campaignId: number) => {
  const [row] = await db
    .select({ chipId: campaigns.chipId, messagesPerSecond: chips.messagesPerSecond, chipStatus: chips.status, quality: chips.qualityRating })
    .from(campaigns)
    .leftJoin(chips, eq(chips.id, campaigns.chipId))
    .where(eq(campaigns.id, campaignId));
  return row ? { chipId: row.chipId, messagesPerSecond: row.messagesPerSecond ?? 1, chipStatus: row.chipStatus, quality: row.quality } : null;
};

/** Where a scheduled campaign stands on the app's clock: still scheduled, for when, and whether that is now. */
export const scheduleState = async (db: DbOrTx, campaignId: number, now: Date) => {
  const [c] = await db.select({ status: campaigns.status, scheduledAt: campaigns.scheduledAt }).from(campaigns).where(eq(campaigns.id, campaignId));
  if (!c) return { status: "not_found" as const, scheduledAt: null, due: false };
  return { status: c.status, scheduledAt: c.scheduledAt?.toISOString() ?? null, due: c.scheduledAt !== null && c.scheduledAt.getTime() <= now.getTime() };
};

/** startCampaign, plus the chip the fan-out is for (its id is the throttle key, its limit picks the tier). */
export const startForInngest = async (db: Db, campaignId: number, now: Date) => {
  const start = await startCampaign(db, campaignId, now);
  const chip = await chipOf(db, campaignId);
  return { ...start, chipId: chip?.chipId ?? null, messagesPerSecond: chip?.messagesPerSecond ?? 1 };
};

export { CHIP_INACTIVE_REASON, QUALITY_RED_REASON, forgetMessagingRoom, messagingRoom } from "./dispatch";
import { chipStop, messagingRoom } from "./dispatch";

export type GatedSend =
  | { kind: "not_sending"; status: string }
  /** The chip cannot send (deactivated, quality red): the campaign was paused with `reason`. */
  | { kind: "paused"; reason: string }
  /** Outside the campaign's send window, or Meta's messaging limit is used up: not claimed, nothing sent. */
  | { kind: "deferred"; why: "window" | "messaging_limit"; until: string | null }
  /** The row was not claimable: done already, in flight elsewhere, or pending until `waitingUntil`. */
  | { kind: "not_pending"; status: string; waitingUntil: string | null }
  | { kind: "outcome"; outcome: Outcome };

/**
 * The Inngest per-contact step: the core's sendRecipient (claim this row only while it is pending, send, record)
 * behind the gates the local worker applies before claiming — campaign sending, chip active and not red (else
 * pause, with the worker's reasons), the send window, Meta's messaging limit — from one loadSendContext. A row
 * not claimed says why (done, or waiting for its next attempt). Run twice, it sends once.
 */
export const sendRecipientGated = async (db: Db, campaignId: number, recipientId: number, client: WhatsAppClient, encryptionKey: string, now = new Date()): Promise<GatedSend> => {
  const ctx = await loadSendContext(db, campaignId, client, encryptionKey);
  if (!ctx || ctx.status !== "sending") return { kind: "not_sending", status: ctx?.status ?? "not_found" };
  const stop = chipStop({ chipStatus: ctx.chipStatus, quality: ctx.quality });
  if (stop) {
    await pauseCampaign(db, ctx.campaign, stop, null);
    return { kind: "paused", reason: stop };
  }
  if (ctx.sendWindow && !isWindowOpen(ctx.sendWindow, now, ctx.timeZone))
    return { kind: "deferred", why: "window", until: nextWindowOpening(ctx.sendWindow, now, ctx.timeZone).toISOString() };
  const room = await messagingRoom(db, ctx.campaign.organizationId);
  if (room.remaining !== null && room.remaining <= 0) return { kind: "deferred", why: "messaging_limit", until: null };
  const [row] = await claimRecipients(db, campaignId, { limit: 1, onlyId: recipientId });
  if (!row) {
    const state = await recipientState(db, campaignId, recipientId);
    return { kind: "not_pending", status: state?.status ?? "missing", waitingUntil: state?.waiting && state.nextAttemptAt ? state.nextAttemptAt.toISOString() : null };
  }
  if (room.remaining !== null) room.remaining -= 1;
  let outcome: Outcome;
  try {
    outcome = outcomeOf(row, await sendOne(ctx, row));
  } catch (err) {
    // The client never throws for API or network failures; anything else is ours: unknown outcome (as the worker).
    outcome = { id: row.id, kind: "indeterminate", message: `Erro interno no envio: ${err instanceof Error ? err.message : String(err)}` };
  }
  await recordResults(db, ctx.campaign, [outcome]);
  return { kind: "outcome", outcome };
};

/**
 * One look of the campaign function's watch loop: rows claimed and never answered become indeterminate (the
 * same rule as the local worker), the campaign completes when nothing is pending or in flight, a campaign whose
 * chip was deactivated or went red pauses (as the worker does); then what the loop decides on, the counts in
 * one statement: whether the send window is closed (and until when) and Meta's messaging limit is used up.
 * `finished`: the campaign is no longer sending or paused (completed, cancelled, failed, gone).
 */
export const watchCampaign = async (db: Db, campaignId: number, now: Date) => {
  await recoverStale(db, campaignId);
  await finishIfDone(db, campaignId);
  const [c] = await db
    .select({ status: campaigns.status, organizationId: campaigns.organizationId, sendWindow: campaigns.sendWindow, timeZone: organizations.timeZone })
    .from(campaigns)
    .innerJoin(organizations, eq(organizations.id, campaigns.organizationId))
    .where(eq(campaigns.id, campaignId));
  const chip = await chipOf(db, campaignId);
  let status: string = c?.status ?? "not_found";
  const stop = chipStop(chip);
  if (c && status === "sending" && stop && (await pauseCampaign(db, { id: campaignId, organizationId: c.organizationId }, stop, null))) status = "paused";
  const window = (c?.sendWindow as SendWindow | null) ?? null;
  const windowOpensAt = c && window && !isWindowOpen(window, now, c.timeZone) ? nextWindowOpening(window, now, c.timeZone).toISOString() : null;
  const room = c && status === "sending" ? await messagingRoom(db, c.organizationId, 0) : null;
  const [p] = await db.execute<{ total: number; pending: number; due: number; sending: number; next: Date | string | null }>(sql`
    select count(*)::int as total,
           count(*) filter (where status = 'pending')::int as pending,
           count(*) filter (where status = 'pending' and (next_attempt_at is null or next_attempt_at <= now()))::int as due,
           count(*) filter (where status = 'sending')::int as sending,
           min(next_attempt_at) filter (where status = 'pending' and next_attempt_at > now()) as next
      from campaign_recipients where campaign_id = ${campaignId}`);
  const n = { total: Number(p?.total ?? 0), pending: Number(p?.pending ?? 0), due: Number(p?.due ?? 0), sending: Number(p?.sending ?? 0) };
  return {
    at: now.toISOString(),
    status,
    finished: status !== "sending" && status !== "paused",
    total: n.total,
    pending: n.pending,
    duePending: n.due,
    sending: n.sending,
    settled: n.total - n.pending - n.sending,
    nextAttemptAt: p?.next ? new Date(p.next).toISOString() : null,
    /** The send window is closed: when it opens again. */
    windowOpensAt,
    messagingLimitReached: room !== null && room.remaining !== null && room.remaining <= 0,
    chipId: chip?.chipId ?? null,
    messagesPerSecond: chip?.messagesPerSecond ?? 1,
  };
};

export type WatchState = Awaited<ReturnType<typeof watchCampaign>>;

/**
 * Cloud API codes whose retry is "later" (a slow limit: the pair rate 131056, marketing engagement 131049, …)
 * plus 130429 (the number's throughput): the send step asks Inngest to come back at the row's next attempt
 * (RetryAfterError) instead of its own backoff.
 */
export const LATER_CODES: ReadonlySet<number> = new Set([
  130429,
  ...Object.entries(ERROR_TABLE)
    .filter(([, e]) => e.kind === "later")
    .map(([code]) => Number(code)),
]);
