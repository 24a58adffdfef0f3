import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { describeError } from "@/lib/log";
import { execPrepared } from "./prepared";
import type { StatusEvent } from "./webhook-payload";

// Group commit for status webhooks. Meta sends three statuses per outgoing message (sent, delivered, read), one
// per POST: at 1,000 messages/s that is 3,000 POSTs/s, far more than one transaction per POST can commit. The
// statuses of concurrent requests are collected here and applied in ONE statement (one commit, one WAL flush);
// each request is answered only after the statement holding its events committed, and fails (500, so Meta
// re-delivers) when that statement fails.
//
// Rules (the same as one status at a time, in arrival order):
// - a status finds its row by biz_opaque_callback_data (the recipient id) when numeric, else by wamid, always
//   within the chip (organization + chip) the webhook names; the wamid is recorded when the row has none;
// - a row found by callback data must agree with the status's wamid: the row's own wamid, or none yet and the
//   wamid names no other row. Otherwise the status is ignored (and logged), never applied to another recipient;
// - sent → delivered → read only move forward, from pending/sending/indeterminate; a read implies delivery;
// - sent_at/delivered_at/read_at keep the first timestamp seen (a delivered/read also fills sent_at, a read
//   also fills delivered_at), even when a later status already arrived;
// - failed ends a message not yet delivered (pending/sending/indeterminate/sent) with its error code/message;
//   nothing moves a failed row again, nor writes its times: a failed row never has delivered_at or read_at (a
//   report counting them would count failed messages as delivered or read);
// - pricing.billable (on sent and delivered) is recorded as the row's billable, the latest one seen;
// - failed with 131050 (the person stopped marketing messages in WhatsApp) opts the contact out, once, with a
//   consent event (LGPD);
// - the recipient's BSUID (recipient_user_id) is recorded on a contact that has none (and no other contact of
//   the organization has it), so a later message without a phone number still finds the contact
//   (docs/decisions/0006-bsuid.md).

export type StatusTarget = { organizationId: string; id: number };

/** One status event with the chip it arrived on, as the batch statement receives it. */
export type StatusItem = {
  organizationId: string;
  chipId: number;
  recipientId: number | null;
  wamid: string;
  status: StatusEvent["status"];
  /** ISO timestamp. */
  ts: string;
  errorCode: number | null;
  errorMessage: string | null;
  /** pricing.billable, when the status carried it. */
  billable?: boolean | null;
  /** recipient_user_id: the recipient's BSUID, and the username the status carried. */
  bsuid?: string | null;
  username?: string | null;
};

/**
 * matched: a row took the status (even if it changed nothing); optedOut: this event opted the contact out;
 * mismatch: the callback data named a row whose wamid is another (ignored).
 */
export type StatusItemResult = { matched: boolean; optedOut: boolean; mismatch?: boolean };

export const recipientIdOf = (callbackData?: string) =>
  callbackData && /^\d{1,15}$/.test(callbackData) ? Number(callbackData) : null;

export const toStatusItem = (chip: StatusTarget, event: StatusEvent): StatusItem => ({
  organizationId: chip.organizationId,
  chipId: chip.id,
  recipientId: recipientIdOf(event.callbackData),
  wamid: event.wamid,
  status: event.status,
  ts: event.timestamp.toISOString(),
  errorCode: event.status === "failed" ? (event.error?.code ?? null) : null,
  errorMessage:
    event.status === "failed" && event.error ? `${event.error.title}: ${event.error.message}`.slice(0, 500) : null,
  billable: event.billable ?? null,
  bsuid: event.recipientBsuid ?? null,
  username: event.username?.slice(0, 120) ?? null,
});

const OPT_OUT_TEXT = "O contato parou de receber mensagens de marketing no WhatsApp (erro 131050)";
// The row's status before this batch, as a rank; and whether the batch's first failed applies to it: the row was
// not delivered yet and no delivered/read came before that failed in the batch.
const CURRENT_RANK = sql.raw(`(case r.status when 'sent' then 1 when 'delivered' then 2 when 'read' then 3 else 0 end)`);
const FAILS = sql.raw(
  `(r.status in ('pending', 'sending', 'indeterminate', 'sent') and a.f_i is not null and a.rank_before_f <= 1)`,
);
// Failed before this batch (no time is written any more), or by it (FAILS: its sent time only from the statuses
// that came before the failure, its delivered/read times never).
const WAS_FAILED = sql.raw(`(r.status = 'failed')`);

/**
 * The one statement that applies a batch; rows (i, opted_out, mismatch) name the items that found their
 * recipient, or whose callback data named a recipient of another wamid (mismatch: nothing applied).
 */
export const statusBatchQuery = (items: StatusItem[]) => {
  const payload = JSON.stringify(
    items.map((it, i) => ({
      i,
      org: it.organizationId,
      chip: it.chipId,
      rid: it.recipientId,
      wamid: it.wamid,
      st: it.status,
      ts: it.ts,
      code: it.errorCode,
      msg: it.errorMessage,
      bill: it.billable ?? null,
      bsuid: it.bsuid ?? null,
      uname: it.username ?? null,
    })),
  );
  // v: the events; l: each event with the row it names (a lateral lookup per event, so always by index: the
  // planner cannot size a jsonb batch and would otherwise hash-join whole tables); m: those whose row agrees with
  // their wamid (a row found by callback data may have another wamid, or none while the status's wamid already
  // names another row: never applied, reported as a mismatch); a: per row, the fold of its events in arrival
  // order (first timestamps, highest forward status, the first failed and the highest status before it); u: the
  // update; o/e: the 131050 opt-outs and their consent events; k: the BSUIDs learnt for contacts that had none.
  // Rank: sent 1, delivered 2, read 3.
  return sql`
    with v as (
      select * from jsonb_to_recordset(${payload}::text::jsonb)
        as v(i int, org uuid, chip int, rid bigint, wamid text, st text, ts timestamptz, code int, msg text, bill boolean,
             bsuid text, uname text)
    ),
    l as materialized (
      select v.*, r.id as target, r.wamid as row_wamid, r.taken
        from v cross join lateral (
          select r.id, r.wamid,
                 (r.wamid is null and exists (
                   select 1 from campaign_recipients t where t.wamid = v.wamid and t.wamid is not null and t.id <> r.id)) as taken
            from campaign_recipients r
           where r.id = v.rid and r.organization_id = v.org and r.chip_id = v.chip limit 1) r
       where v.rid is not null
      union all
      select v.*, r.id as target, r.wamid as row_wamid, false as taken
        from v cross join lateral (
          select r.id, r.wamid from campaign_recipients r
           where r.wamid = v.wamid and r.wamid is not null and r.organization_id = v.org and r.chip_id = v.chip limit 1) r
       where v.rid is null
    ),
    m as (select * from l where row_wamid = wamid or (row_wamid is null and not taken)),
    w as (
      select m.*,
             case st when 'sent' then 1 when 'delivered' then 2 when 'read' then 3 end as rank,
             min(i) filter (where st = 'failed') over (partition by target) as f_i
        from m
    ),
    a as (
      select target,
             (array_agg(wamid order by i))[1] as wamid,
             (array_agg(ts order by i) filter (where st <> 'failed'))[1] as sent_ts,
             (array_agg(ts order by i) filter (where st <> 'failed' and (f_i is null or i < f_i)))[1] as sent_before_f_ts,
             (array_agg(ts order by i) filter (where st in ('delivered', 'read')))[1] as delivered_ts,
             (array_agg(ts order by i) filter (where st = 'read'))[1] as read_ts,
             coalesce(max(rank), 0) as top_rank,
             min(f_i) as f_i,
             coalesce(max(rank) filter (where i < f_i), 0) as rank_before_f,
             (array_agg(ts order by i) filter (where st = 'failed'))[1] as f_ts,
             (array_agg(code order by i) filter (where st = 'failed'))[1] as f_code,
             (array_agg(msg order by i) filter (where st = 'failed'))[1] as f_msg,
             min(i) filter (where st = 'failed' and code = 131050) as optout_i,
             (array_agg(bill order by i) filter (where bill is not null))[1] as bill,
             (array_agg(bsuid order by i) filter (where bsuid is not null))[1] as bsuid,
             (array_agg(uname order by i) filter (where uname is not null))[1] as uname
        from w
       group by target
    ),
    u as (
      update campaign_recipients r set
        wamid = coalesce(r.wamid, a.wamid),
        sent_at = case when ${WAS_FAILED} then r.sent_at
                       when ${FAILS} then coalesce(r.sent_at, a.sent_before_f_ts)
                       else coalesce(r.sent_at, a.sent_ts) end,
        delivered_at = case when ${WAS_FAILED} or ${FAILS} then r.delivered_at else coalesce(r.delivered_at, a.delivered_ts) end,
        read_at = case when ${WAS_FAILED} or ${FAILS} then r.read_at else coalesce(r.read_at, a.read_ts) end,
        billable = coalesce(a.bill, r.billable),
        failed_at = case when ${FAILS} then coalesce(r.failed_at, a.f_ts) else r.failed_at end,
        error_code = case when ${FAILS} then a.f_code else r.error_code end,
        error_message = case when ${FAILS} then a.f_msg else r.error_message end,
        status = case
          when ${FAILS} then 'failed'::recipient_status
          when r.status in ('pending', 'sending', 'indeterminate', 'sent', 'delivered') and a.top_rank > ${CURRENT_RANK}
            then (case a.top_rank when 1 then 'sent' when 2 then 'delivered' else 'read' end)::recipient_status
          else r.status end
        from a
       where r.id = a.target
         -- Rows fetched by primary key (the planner cannot size a jsonb batch and may otherwise scan the table).
         and r.id = any (array (select target from a))
      returning r.id, r.organization_id, r.chip_id, r.campaign_id, r.contact_id, a.optout_i, a.bsuid, a.uname
    ),
    o as (
      update contacts c set opt_in_status = 'opted_out', opted_out_at = now(), opt_in_source = 'api_error', updated_at = now()
        from (select distinct on (contact_id) * from u
               where optout_i is not null and contact_id is not null
               order by contact_id, optout_i) x
       where c.id = x.contact_id and c.organization_id = x.organization_id and c.opt_in_status <> 'opted_out'
      returning c.id as contact_id, x.organization_id, x.chip_id, x.campaign_id, x.optout_i
    ),
    e as (
      insert into consent_events (organization_id, contact_id, status, source, chip_id, campaign_id, text_shown)
      select organization_id, contact_id, 'opted_out'::opt_in_status, 'api_error'::opt_in_source, chip_id, campaign_id, ${OPT_OUT_TEXT} from o
    ),
    -- A row is updated once per statement: the contacts o opts out learn their BSUID from a later status.
    k as (
      update contacts c set bsuid = x.bsuid, username = coalesce(x.uname, c.username)
        from (select distinct on (bsuid) contact_id, organization_id, bsuid, uname from u
               where bsuid is not null and contact_id is not null
               order by bsuid, contact_id) x
       where c.id = x.contact_id and c.organization_id = x.organization_id and c.bsuid is null
         and c.id = any (array (select contact_id from u where bsuid is not null and contact_id is not null))
         and not exists (select 1 from contacts t where t.organization_id = x.organization_id and t.bsuid = x.bsuid)
         and not exists (select 1 from o where o.contact_id = c.id)
    )
    select m.i, exists (select 1 from o where o.optout_i = m.i) as opted_out, false as mismatch from m
    union all
    select l.i, false, true from l where not (l.row_wamid = l.wamid or (l.row_wamid is null and not l.taken))
  `;
};

/**
 * Applies a batch of status events in one statement (one transaction). Events are folded per row in array order,
 * so the result equals applying them one by one. Returns one result per item, in order.
 */
export const applyStatusBatch = async (db: Db, items: StatusItem[]): Promise<StatusItemResult[]> => {
  if (items.length === 0) return [];
  // Prepared: the text never changes (the whole batch is one parameter), so it is parsed once per connection.
  const rows = await execPrepared(db)<{ i: number; opted_out: boolean; mismatch: boolean }>(statusBatchQuery(items));
  const results: StatusItemResult[] = items.map(() => ({ matched: false, optedOut: false }));
  for (const row of rows) results[row.i] = row.mismatch ? { matched: false, optedOut: false, mismatch: true } : { matched: true, optedOut: row.opted_out };
  return results;
};

export type StatusBatcherOptions = {
  /** Most events in one statement. */
  maxEvents: number;
  /**
   * Shortest time between two statements of a lane (ms): events that arrive meanwhile wait and go together. Idle,
   * an event goes at once; busy, a lane sends at most 1000/windowMs statements a second, however many events.
   */
  windowMs: number;
  /** How long an event that finds its lane idle waits for company (ms); 0 in production, tests widen it. */
  lingerMs: number;
  /** Statements in flight at once; events are spread by wamid, so one message's statuses share a lane. */
  lanes: number;
  /** Events waiting beyond this are refused at once (the request answers 500 and Meta re-delivers later). */
  maxQueued: number;
};

export const DEFAULT_BATCHER_OPTIONS: StatusBatcherOptions = {
  maxEvents: 1000,
  windowMs: 10,
  lingerMs: 0,
  lanes: 1,
  maxQueued: 50_000,
};

const intFromEnv = (name: string, min: number, max: number) => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name} deve ser um inteiro entre ${min} e ${max}`);
  return n;
};

/** Tuning knobs (optional): WEBHOOK_BATCH_MAX_EVENTS, WEBHOOK_BATCH_WINDOW_MS, WEBHOOK_BATCH_LANES. */
export const batcherOptionsFromEnv = (): StatusBatcherOptions => ({
  maxEvents: intFromEnv("WEBHOOK_BATCH_MAX_EVENTS", 1, 5000) ?? DEFAULT_BATCHER_OPTIONS.maxEvents,
  windowMs: intFromEnv("WEBHOOK_BATCH_WINDOW_MS", 0, 1000) ?? DEFAULT_BATCHER_OPTIONS.windowMs,
  lanes: intFromEnv("WEBHOOK_BATCH_LANES", 1, 16) ?? DEFAULT_BATCHER_OPTIONS.lanes,
  lingerMs: DEFAULT_BATCHER_OPTIONS.lingerMs,
  maxQueued: DEFAULT_BATCHER_OPTIONS.maxQueued,
});

export type BatcherStats = {
  batches: number;
  events: number;
  largestBatch: number;
  /** Sum and maximum of statement time (ms), retries included. */
  totalMs: number;
  maxMs: number;
  failedBatches: number;
  retries: number;
  /** Batches re-run one event at a time after a data error, so one bad event does not fail the others. */
  splits: number;
  refused: number;
};

export class WebhookOverloadedError extends Error {
  constructor() {
    super("fila de status do webhook cheia");
  }
}

type Waiter = { item: StatusItem; resolve: (r: StatusItemResult) => void; reject: (e: unknown) => void };
type Lane = { queue: Waiter[]; busy: boolean; timer: NodeJS.Timeout | null; lastStart: number };
type Settled = { ok: true; value: StatusItemResult } | { ok: false; error: unknown };

const sqlState = (err: unknown): string | undefined => {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = e?.cause?.code ?? e?.code;
  return typeof code === "string" ? code : undefined;
};
/** Deadlock, serialization failure, lock not available: the same statement may succeed a moment later. */
const isTransient = (err: unknown) => ["40P01", "40001", "55P03"].includes(sqlState(err) ?? "");
/** Data exceptions and constraint violations: caused by some event of the batch, not by the database. */
const isDataError = (err: unknown) => /^(22|23)/.test(sqlState(err) ?? "");
// Code and constraint only: a failed statement's message carries the values of the events (lib/log.ts).
export const describeDbError = (err: unknown) => describeError(err, { location: false });

const laneOf = (wamid: string, lanes: number) => {
  if (lanes === 1) return 0;
  let h = 0;
  for (let i = 0; i < wamid.length; i++) h = (h * 31 + wamid.charCodeAt(i)) | 0;
  return (h >>> 0) % lanes;
};

/**
 * Collects status events from concurrent requests and applies them in batches (group commit). A lane sends one
 * statement at a time, at most one per `windowMs`: an event that finds the lane idle goes at once; events that
 * arrive while a statement is in flight, or within the window after it started, go together in the next one
 * (up to `maxEvents`). Every event's promise resolves after its statement committed, or rejects if it failed.
 * Under load the batches grow with the arrival rate while the statement rate stays bounded.
 */
export class StatusBatcher {
  readonly options: StatusBatcherOptions;
  private readonly lanes: Lane[];
  private queued = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly counters: BatcherStats = {
    batches: 0,
    events: 0,
    largestBatch: 0,
    totalMs: 0,
    maxMs: 0,
    failedBatches: 0,
    retries: 0,
    splits: 0,
    refused: 0,
  };

  constructor(
    private readonly apply: (items: StatusItem[]) => Promise<StatusItemResult[]>,
    options: Partial<StatusBatcherOptions> = {},
  ) {
    this.options = { ...DEFAULT_BATCHER_OPTIONS, ...options };
    this.lanes = Array.from({ length: this.options.lanes }, () => ({ queue: [], busy: false, timer: null, lastStart: -Infinity }));
  }

  submit(item: StatusItem): Promise<StatusItemResult> {
    if (this.queued >= this.options.maxQueued) {
      this.counters.refused++;
      return Promise.reject(new WebhookOverloadedError());
    }
    return new Promise((resolve, reject) => {
      const lane = this.lanes[laneOf(item.wamid, this.lanes.length)]!;
      lane.queue.push({ item, resolve, reject });
      this.queued++;
      this.schedule(lane);
    });
  }

  stats(): BatcherStats {
    return { ...this.counters };
  }

  /** Events queued or in flight. */
  get pending() {
    return this.queued + this.lanes.reduce((n, l) => n + (l.busy ? 1 : 0), 0);
  }

  /** Resolves when nothing is queued or in flight (graceful shutdown). */
  drain(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(lane: Lane) {
    if (lane.busy || lane.queue.length === 0) return; // the statement in flight reschedules when it ends
    if (lane.queue.length >= this.options.maxEvents) return this.flush(lane);
    if (lane.timer) return;
    // Never synchronously (setTimeout ≥ 1 ms): the other requests read in this turn of the event loop join too.
    const wait = Math.max(this.options.lingerMs, lane.lastStart + this.options.windowMs - performance.now());
    lane.timer = setTimeout(() => this.flush(lane), Math.max(0, wait));
  }

  private flush(lane: Lane) {
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = null;
    if (lane.busy || lane.queue.length === 0) return;
    lane.busy = true;
    lane.lastStart = performance.now();
    const batch = lane.queue.splice(0, this.options.maxEvents);
    this.queued -= batch.length;
    void this.run(batch).then((settled) => {
      lane.busy = false;
      batch.forEach((w, i) => {
        const s = settled[i]!;
        if (s.ok) w.resolve(s.value);
        else w.reject(s.error);
      });
      if (lane.queue.length) this.schedule(lane);
      else if (this.pending === 0) for (const done of this.idleWaiters.splice(0)) done();
    });
  }

  private async run(batch: Waiter[]): Promise<Settled[]> {
    const items = batch.map((w) => w.item);
    const t0 = performance.now();
    const c = this.counters;
    c.batches++;
    c.events += items.length;
    c.largestBatch = Math.max(c.largestBatch, items.length);
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const results = await this.apply(items);
          return results.map((value) => ({ ok: true, value }));
        } catch (err) {
          if (isTransient(err) && attempt < 4) {
            c.retries++;
            await new Promise((r) => setTimeout(r, 5 * attempt));
            continue;
          }
          if (items.length > 1 && isDataError(err)) {
            // One bad event (say, a wamid that already names another row) must not fail every request of the batch.
            c.splits++;
            console.warn(`[webhook] lote de ${items.length} status falhou (${describeDbError(err)}): reaplicando um a um`);
            const settled: Settled[] = [];
            for (const item of items) {
              try {
                settled.push({ ok: true, value: (await this.apply([item]))[0]! });
              } catch (e) {
                settled.push({ ok: false, error: e });
              }
            }
            return settled;
          }
          throw err;
        }
      }
    } catch (error) {
      c.failedBatches++;
      console.error(`[webhook] lote de ${items.length} status não gravado: ${describeDbError(error)}`);
      return items.map(() => ({ ok: false, error }));
    } finally {
      const ms = performance.now() - t0;
      c.totalMs += ms;
      c.maxMs = Math.max(c.maxMs, ms);
    }
  }
}

const batchers = new WeakMap<Db, StatusBatcher>();

/** The process's batcher for this database (one per pool), configured from the environment. */
export const statusBatcherFor = (db: Db): StatusBatcher => {
  let b = batchers.get(db);
  if (!b) {
    b = new StatusBatcher((items) => applyStatusBatch(db, items), batcherOptionsFromEnv());
    batchers.set(db, b);
  }
  return b;
};

/** Replaces the batcher of this database (tests widen the window to force one batch). */
export const setStatusBatcher = (db: Db, batcher: StatusBatcher) => batchers.set(db, batcher);

export const formatBatcherStats = (s: BatcherStats) =>
  `${s.batches} lotes, ${s.events} status (média ${s.batches ? (s.events / s.batches).toFixed(1) : 0}, maior ${s.largestBatch}), ` +
  `${s.batches ? (s.totalMs / s.batches).toFixed(1) : 0} ms por lote (máx ${s.maxMs.toFixed(0)}), ` +
  `${s.failedBatches} falhas, ${s.retries} repetições, ${s.splits} divisões, ${s.refused} recusados`;
