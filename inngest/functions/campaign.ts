import {
  chunkEvents,
  effectiveRate,
  FANOUT_PAGE_IDS,
  groupIds,
  groupSizeFor,
  listPendingIds,
  scheduleState,
  startForInngest,
  tierFor,
  watchCampaign,
  type WatchState,
} from "@/lib/campaigns/dispatch-inngest";
import { campaignConfirmed, campaignWatch, inngest } from "../client";
import { defaultDeps, type DispatchDeps } from "../deps";

// The campaign function: one run per campaign (decision 0005).
//
//   wait-for-schedule-k / check-schedule-k  sleepUntil the scheduled moment; a campaign rescheduled later sleeps
//                                           again (one rescheduled earlier gets a new run: notifyCampaignRescheduled)
//   start                                   the snapshot (startCampaign), and the chip: its id is the send
//                                           functions' throttle key, its limit picks the tier
//   list-g-p / fan-out-g-p-c                the pending recipient ids, a page at a time, as events of the tier's
//                                           send function, RECIPIENTS_PER_RUN ids each, ≤ 5,000 events and
//                                           ≤ 248 KiB a sendEvent
//   watch-i / watch-wait-i                  stale claims → indeterminate, completes the campaign when nothing is
//                                           pending or in flight; sleeps in between. Paused: waits for
//                                           campaign/resumed (resume-i); outside the send window: sleeps until it
//                                           opens (window-i); messaging limit used up: looks again in 5 min
//                                           (limit-wait-i); then dispatches the pending rows again. Due rows nobody
//                                           sends for STALL_MS (a send run that gave up) likewise.
//
// Every step id is derived from the event and from earlier step results, never from the clock, so a replay
// takes the same path. Before the run nears Inngest's 1,000 steps (or lists MAX_IDS_PER_RUN ids, for the 32 MB
// of run state) it hands over to a new run (campaign/watch), with the fan-out's cursor if one was under way.

/** Steps a run may use before it hands over to a new one (Inngest's limit is 1,000). */
export const STEP_BUDGET = 900;
/** Room kept for one fan-out page: its list step and its sendEvent chunks. */
const FANOUT_PAGE_STEPS = 10;
/**
 * Ids one run lists before it hands over: every step's output stays in the run's state (32 MB at most). A
 * million ids is ~9 MB of list output plus ~3 MB of the event ids sendEvent returns.
 */
export const MAX_IDS_PER_RUN = 1_000_000;
/** Due rows that no one has sent for this long (no progress, nothing in flight) are dispatched again. */
export const STALL_MS = 2 * 60_000;
/** A paused campaign's run checks again after this long even if no campaign/resumed arrives. */
export const PAUSED_WAIT = "1h";
/** Meta's messaging limit used up: look again after this long (the rolling 24 h frees up gradually). */
export const MESSAGING_LIMIT_WAIT = "5m";
const MAX_SCHEDULE_CHECKS = 50;
const MIN_WAIT_S = 5;

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, n));

/** How long the watch loop sleeps: half the time the due work needs at the chip's rate, 5 s to 5 min. */
export const watchInterval = (s: WatchState): string => {
  const rate = effectiveRate(s.messagesPerSecond);
  let seconds = MIN_WAIT_S;
  if (s.duePending + s.sending > 0) seconds = clamp((s.duePending + s.sending) / rate / 2, MIN_WAIT_S, 300);
  else if (s.nextAttemptAt) seconds = clamp((Date.parse(s.nextAttemptAt) - Date.parse(s.at)) / 1000 + 1, MIN_WAIT_S, 1800);
  return `${Math.ceil(seconds)}s`;
};

type FanOutFrom = { cursor: number; dueOnly: boolean };

export const createCampaignFunction = (deps: DispatchDeps = defaultDeps, options: { stepBudget?: number } = {}) => {
  const budget = options.stepBudget ?? STEP_BUDGET;
  return inngest.createFunction(
    {
      id: "campaign-dispatch",
      name: "Campanha: agenda, retrato, distribuição e acompanhamento",
      triggers: [campaignConfirmed, campaignWatch],
      cancelOn: [{ event: "campaign/cancelled", match: "data.campaignId" }],
      // One run per campaign: a new campaign/confirmed (a reschedule) replaces the sleeping run.
      singleton: { key: "event.data.campaignId", mode: "cancel" },
      retries: 10,
    },
    async ({ event, step, runId }) => {
      const { campaignId, organizationId } = event.data;
      const generation = event.name === "campaign/watch" ? event.data.generation : 0;
      let chipId = event.data.chipId;
      let used = 0;
      let listed = 0;
      let fanOuts = 0;

      const handOver = async (fanOut: FanOutFrom | null) => {
        await step.sendEvent("hand-over", campaignWatch.create({ campaignId, organizationId, chipId, generation: generation + 1, fanOut }));
        return { campaignId, status: "handed_over" as const, generation: generation + 1, fanOut };
      };

      /** Sends the pending ids from `from` as send events; the cursor to go on from when the budget ran out. */
      const fanOut = async (from: FanOutFrom, chip: { chipId: number; messagesPerSecond: number }) => {
        const g = fanOuts++;
        const tier = tierFor(chip.messagesPerSecond);
        const size = groupSizeFor(chip.messagesPerSecond);
        let cursor = from.cursor;
        for (let page = 0; ; page++) {
          if (used + FANOUT_PAGE_STEPS > budget || listed >= MAX_IDS_PER_RUN) return { cursor };
          used++;
          const list = await step.run(`list-${g}-${page}`, () =>
            listPendingIds(deps.db(), campaignId, { afterContactId: cursor, limit: FANOUT_PAGE_IDS, dueOnly: from.dueOnly }),
          );
          const events = groupIds(list.ids, size).map((ids) => ({
            // Inngest drops a second event with this id (24 h): a replayed sendEvent starts no duplicate runs.
            id: `${runId}.${g}.${ids[0]}`,
            name: tier.event,
            data: { campaignId, chipId: chip.chipId, recipientIds: ids },
          }));
          const chunks = chunkEvents(events);
          for (let c = 0; c < chunks.length; c++) {
            used++;
            await step.sendEvent(`fan-out-${g}-${page}-${c}`, chunks[c]!);
          }
          listed += list.ids.length;
          if (list.cursor === null) return { cursor: null };
          cursor = list.cursor;
        }
      };

      let pendingFanOut: FanOutFrom | null = event.name === "campaign/watch" ? event.data.fanOut : null;
      if (event.name === "campaign/confirmed") {
        let at = event.data.scheduledAt;
        for (let k = 0; at !== null; k++) {
          if (k >= MAX_SCHEDULE_CHECKS) return { campaignId, status: "not_started" as const, reason: "rescheduled_too_often" };
          used += 2;
          await step.sleepUntil(`wait-for-schedule-${k}`, new Date(at));
          const s = await step.run(`check-schedule-${k}`, () => scheduleState(deps.db(), campaignId, deps.now()));
          if (s.status !== "scheduled" || s.due || !s.scheduledAt) break;
          // Rescheduled later: sleep until then. Woken before the moment on the app's clock: a second more.
          at = Date.parse(s.scheduledAt) > Date.parse(at) ? s.scheduledAt : new Date(Date.parse(at) + 1000).toISOString();
        }
        used++;
        const start = await step.run("start", () => startForInngest(deps.db(), campaignId, deps.now()));
        if (!start.started) return { campaignId, status: "not_started" as const, reason: start.reason };
        if (start.chipId !== null) chipId = start.chipId;
        // Started already (a lost step result, a duplicate event): the watch loop dispatches what nobody sends.
        if (!start.already) {
          const r = await fanOut({ cursor: 0, dueOnly: false }, { chipId, messagesPerSecond: start.messagesPerSecond });
          if (r.cursor !== null) return handOver({ cursor: r.cursor, dueOnly: false });
        }
      }

      let prev: WatchState | null = null;
      let lastProgressAt = "";
      let dispatchAgain = false;
      for (let i = 0; ; i++) {
        if (used + 3 + FANOUT_PAGE_STEPS > budget) return handOver(pendingFanOut ?? (dispatchAgain ? { cursor: 0, dueOnly: true } : null));
        used++;
        const s = await step.run(`watch-${i}`, () => watchCampaign(deps.db(), campaignId, deps.now()));
        if (s.finished) return { campaignId, status: s.status, total: s.total, settled: s.settled };
        if (s.chipId !== null) chipId = s.chipId;
        if (s.status === "paused") {
          // Send runs meanwhile found it paused and left their rows pending: once resumed, dispatch them again.
          used++;
          await step.waitForEvent(`resume-${i}`, { event: "campaign/resumed", match: "data.campaignId", timeout: PAUSED_WAIT });
          dispatchAgain = true;
          prev = null;
          continue;
        }
        if (s.windowOpensAt || s.messagingLimitReached) {
          // Send runs meanwhile defer their rows: sleep until the window opens (or the 24 h window frees up),
          // then dispatch what is pending, through the throttle.
          used++;
          if (s.windowOpensAt) await step.sleepUntil(`window-${i}`, new Date(s.windowOpensAt));
          else await step.sleep(`limit-wait-${i}`, MESSAGING_LIMIT_WAIT);
          dispatchAgain = true;
          prev = null;
          continue;
        }
        if (!prev || s.pending !== prev.pending || s.settled !== prev.settled) lastProgressAt = s.at;
        const stalled = s.duePending > 0 && s.sending === 0 && Date.parse(s.at) - Date.parse(lastProgressAt) >= STALL_MS;
        if (pendingFanOut || (s.duePending > 0 && (dispatchAgain || stalled))) {
          const from = pendingFanOut ?? { cursor: 0, dueOnly: true };
          const r = await fanOut(from, { chipId, messagesPerSecond: s.messagesPerSecond });
          if (r.cursor !== null) return handOver({ cursor: r.cursor, dueOnly: from.dueOnly });
          pendingFanOut = null;
          dispatchAgain = false;
          lastProgressAt = s.at;
        }
        used++;
        await step.sleep(`watch-wait-${i}`, watchInterval(s));
        prev = s;
      }
    },
  );
};

export const campaignFunction = createCampaignFunction();
