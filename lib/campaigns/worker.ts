import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import type { WhatsAppClient } from "@/lib/whatsapp/client";
import { isWindowOpen, nextWindowOpening } from "./send-window";
import {
  campaignProgress,
  chipStop,
  claimRecipients,
  finishIfDone,
  loadSendContext,
  messagingRoom,
  type MessagingRoom,
  outcomeOf,
  pauseCampaign,
  recordResults,
  recoverStale,
  sendOne,
  STALE_SENDING_MS,
  startCampaign,
  THROUGHPUT_CODE,
  type Outcome,
} from "./dispatch";

// The local engine: one process (`npm run worker`) drives the dispatch core for every due campaign. It starts
// due campaigns (and resumes unfinished ones after a restart), paces each chip at its messages per second with
// one token bucket per chip shared by all of that chip's campaigns, keeps a bounded number of requests in flight,
// and batches its database work: claims by the hundred, results written every FLUSH_EVERY outcomes or
// FLUSH_MS. Several workers at once are safe: claims are FOR UPDATE SKIP LOCKED and move the row to `sending`.

export type WorkerOptions = {
  db: Db;
  client: WhatsAppClient;
  encryptionKey: string;
  pollMs?: number;
  /** A row left in `sending` longer than this by a dead process becomes indeterminate (default 2 min). */
  staleMs?: number;
  log?: (line: string) => void;
};

const FLUSH_EVERY = 100;
const FLUSH_MS = 200;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Spaces sends at `rate` per second, with a burst of a tenth of a second. */
export class TokenBucket {
  private tokens: number;
  private last = performance.now();
  constructor(private rate: number) {
    this.tokens = Math.max(1, rate / 10);
  }
  setRate(rate: number) {
    this.rate = Math.max(1, rate);
  }
  get current() {
    return this.rate;
  }
  async take() {
    for (;;) {
      const now = performance.now();
      const cap = Math.max(1, this.rate / 10);
      this.tokens = Math.min(cap, this.tokens + ((now - this.last) / 1000) * this.rate);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await sleep(Math.ceil(((1 - this.tokens) / this.rate) * 1000));
    }
  }
}

export const startWorker = (options: WorkerOptions) => {
  const { db, client, encryptionKey } = options;
  const log = options.log ?? (() => {});
  const pollMs = options.pollMs ?? 1000;
  const staleMs = options.staleMs ?? STALE_SENDING_MS;
  const runners = new Map<number, Promise<void>>();
  const buckets = new Map<number, TokenBucket>();
  let stopped = false;

  // Meta's messaging limit: what remains, read every few seconds (this worker's own cache) and counted down
  // locally between reads.
  const rooms = new Map<string, MessagingRoom>();

  // Waits that end early when the worker stops (a runner never holds a shutdown for long).
  const nap = async (ms: number) => {
    const until = Date.now() + ms;
    while (!stopped && Date.now() < until) await sleep(Math.min(250, until - Date.now()));
  };

  // Each chip at its configured messages per second, slowed down when Meta answers 130429 (the number's real
  // throughput is lower than the chip row says) and brought back up by a tenth per calm flush.
  const configured = new Map<number, number>();
  const bucketFor = (chipId: number, rate: number) => {
    let b = buckets.get(chipId);
    if (!b) buckets.set(chipId, (b = new TokenBucket(rate)));
    else if (configured.get(chipId) !== rate) b.setRate(rate);
    configured.set(chipId, rate);
    return b;
  };
  const adapt = (chipId: number, outcomes: Outcome[]) => {
    const b = buckets.get(chipId);
    const max = configured.get(chipId);
    if (!b || !max) return;
    const throttled = outcomes.some((o) => o.kind === "retry" && o.code === THROUGHPUT_CODE);
    if (throttled) b.setRate(Math.max(1, Math.floor(b.current * 0.7)));
    else if (b.current < max) b.setRate(Math.min(max, Math.ceil(b.current * 1.1)));
  };

  const runCampaign = async (campaignId: number) => {
    const start = await startCampaign(db, campaignId);
    if (!start.started) return;
    if (!start.already) log(`campanha ${campaignId}: ${start.count} destinatários no retrato, enviando`);
    // Rows another process claimed and never answered (it died): indeterminate, never sent again automatically.
    const stale = await recoverStale(db, campaignId, staleMs);
    if (stale) log(`campanha ${campaignId}: ${stale} envio(s) interrompido(s) marcados como indeterminados`);
    let cursor = 0;
    let halted = false;
    let waitingForWindow = false;
    let outsideWindow = false;
    const inflight = new Set<Promise<void>>();
    let wake: (() => void) | null = null;
    let buffer: Outcome[] = [];
    let flushing: Promise<void> = Promise.resolve();
    let lastFlush = Date.now();
    const flush = () => {
      const batch = buffer;
      buffer = [];
      lastFlush = Date.now();
      if (chipOfRun !== null) adapt(chipOfRun, batch);
      flushing = flushing.then(async () => {
        if (!batch.length) return;
        const r = await recordResults(db, ctxCampaign!, batch);
        if (r.paused) {
          halted = true;
          log(`campanha ${campaignId}: pausada — ${r.paused}`);
        }
      }).catch((err: unknown) => {
        // The outcomes were not written: their rows stay `sending` and become indeterminate (never sent twice).
        halted = true;
        log(`campanha ${campaignId}: falha ao gravar resultados — ${err instanceof Error ? err.message : String(err)}`);
      });
      return flushing;
    };
    let ctxCampaign: Parameters<typeof recordResults>[1] | null = null;
    let chipOfRun: number | null = null;
    try {
      while (!stopped && !halted) {
        const ctx = await loadSendContext(db, campaignId, client, encryptionKey);
        if (!ctx || ctx.status !== "sending") break;
        ctxCampaign = ctx.campaign;
        const stop = chipStop(ctx);
        if (stop) {
          await pauseCampaign(db, ctx.campaign, stop, null);
          break;
        }
        const bucket = bucketFor(ctx.chipId, ctx.messagesPerSecond);
        chipOfRun = ctx.chipId;
        const batchSize = Math.min(200, Math.max(10, ctx.messagesPerSecond));
        // Backpressure: one waiter woken by the next completion (Promise.race over hundreds of requests in flight
        // attached a reaction to each of them on every wake-up).
        while (inflight.size > batchSize * 2) await new Promise<void>((r) => (wake = r));
        const room = await messagingRoom(db, ctx.campaign.organizationId, 5_000, rooms);
        if (room.remaining !== null && room.remaining <= 0) {
          if (!waitingForWindow) log(`campanha ${campaignId}: limite de mensagens da Meta atingido; aguardando a janela de 24 h liberar`);
          waitingForWindow = true;
          await Promise.all(inflight);
          await flush();
          await nap(Math.min(5_000, pollMs * 30));
          continue;
        }
        waitingForWindow = false;
        if (ctx.sendWindow && !isWindowOpen(ctx.sendWindow, new Date(), ctx.timeZone)) {
          const opens = nextWindowOpening(ctx.sendWindow, new Date(), ctx.timeZone);
          if (!outsideWindow) log(`campanha ${campaignId}: fora da janela de envio; continua em ${opens.toISOString()}`);
          outsideWindow = true;
          await Promise.all(inflight);
          await flush();
          // Re-read every few seconds: a pause or a cancel is seen meanwhile, and the opening is never overslept.
          await nap(Math.max(pollMs, Math.min(5_000, opens.getTime() - Date.now())));
          continue;
        }
        outsideWindow = false;
        const rows = await claimRecipients(db, campaignId, { afterContactId: cursor, limit: room.remaining === null ? batchSize : Math.min(batchSize, room.remaining) });
        if (room.remaining !== null) room.remaining -= rows.length;
        if (!rows.length) {
          if (cursor > 0) {
            cursor = 0; // one more pass from the start: retries that came due behind the cursor
            continue;
          }
          await Promise.all(inflight);
          await flush();
          if (await finishIfDone(db, campaignId)) {
            log(`campanha ${campaignId}: concluída`);
            break;
          }
          const p = await campaignProgress(db, campaignId);
          if (p.sending > 0) await recoverStale(db, campaignId, staleMs);
          const wait = p.nextAttemptAt ? Math.max(100, Math.min(pollMs * 5, p.nextAttemptAt.getTime() - Date.now())) : pollMs;
          await nap(wait);
          continue;
        }
        cursor = rows.at(-1)!.contactId ?? cursor;
        for (const row of rows) {
          await bucket.take();
          if (halted || stopped) {
            buffer.push({ id: row.id, kind: "release" });
            continue;
          }
          const task = sendOne(ctx, row).then(
            (result) => {
              buffer.push(outcomeOf(row, result));
            },
            (err: unknown) => {
              // The client never throws for API or network failures; anything else is ours: unknown outcome.
              buffer.push({ id: row.id, kind: "indeterminate", message: `Erro interno no envio: ${err instanceof Error ? err.message : String(err)}` });
            },
          );
          const tracked = task.finally(() => {
            inflight.delete(tracked);
            const w = wake;
            wake = null;
            w?.();
          });
          inflight.add(tracked);
          if (buffer.length >= FLUSH_EVERY || Date.now() - lastFlush >= FLUSH_MS) void flush();
        }
        if (buffer.length) void flush();
      }
    } finally {
      await Promise.all(inflight);
      if (ctxCampaign) await flush();
      await flushing;
    }
  };

  const tick = async () => {
    const due = await db.execute<{ id: number }>(sql`
      select id from campaigns
       where status in ('queued', 'sending') or (status = 'scheduled' and scheduled_at <= now())
       order by coalesce(scheduled_at, confirmed_at), id`);
    for (const { id } of due) {
      const campaignId = Number(id);
      if (runners.has(campaignId) || stopped) continue;
      const run = runCampaign(campaignId)
        .catch((err: unknown) => log(`campanha ${campaignId}: erro — ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => runners.delete(campaignId));
      runners.set(campaignId, run);
    }
  };

  let timer: NodeJS.Timeout | undefined;
  const loop = async () => {
    if (stopped) return;
    await tick().catch((err: unknown) => log(`erro ao buscar campanhas: ${err instanceof Error ? err.message : String(err)}`));
    if (!stopped) timer = setTimeout(() => void loop(), pollMs);
  };
  void loop();

  return {
    /** Stops claiming; waits for requests in flight and writes their outcomes. */
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await Promise.all(runners.values());
    },
    running: () => [...runners.keys()],
  };
};
