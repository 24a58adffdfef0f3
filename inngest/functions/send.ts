import { NonRetriableError, RetryAfterError } from "inngest";
import { LATER_CODES, runsPerSecond, sendRecipientGated, TIERS, type Tier } from "@/lib/campaigns/dispatch-inngest";
import { inngest, sendEvents } from "../client";
import { defaultDeps, type DispatchDeps } from "../deps";

// The send functions: one per throughput tier (20, 80, 1,000 messages/s), throttled per chip, each run carrying
// a fixed-size group of recipient ids, one step per contact. A step is the core's send (sendRecipientGated:
// sendRecipient behind the local worker's gates — chip, quality, send window, messaging limit): it claims the
// row only while it is pending, so a step run again (a retry, a replay after a lost checkpoint, a duplicate
// event) sends nothing more. The outcome the core recorded becomes what Inngest does next (decision 0005):
//
//   sent / released or paused (the campaign paused) /
//   deferred (window closed, messaging limit) / nothing to do → the step succeeds; the campaign run dispatches
//                                                              the rows still pending once they can go
//   retry, transient (5xx, 131000, network before sending)  → a plain error: Inngest retries with its backoff
//                                                              (15 s, 30 s, 1 min, …, after the row's own)
//   retry, "later" (131056, 131049, 130429, …)               → RetryAfterError at the row's next_attempt_at
//   failed (permanent, opt-out, attempts exhausted)          → NonRetriableError
//   indeterminate (the answer was lost: never twice)         → NonRetriableError
//
// A retry arriving before the row's next_attempt_at (the row is pending but not due, so the claim took nothing)
// is sent back with RetryAfterError for that moment: it never sends early and never gives the row up.

/** Inngest retries per step. The core fails a row after MAX_ATTEMPTS claims (5); the rest is slack. */
export const SEND_RETRIES = 8;

export type SendStepResult =
  | { recipientId: number; result: "sent"; wamid: string }
  /** The send answered that the campaign cannot go on (the token, the template…): paused with the reason. */
  | { recipientId: number; result: "released"; pausedReason: string | null }
  /** The chip is deactivated or its quality went red: the step paused the campaign. */
  | { recipientId: number; result: "paused"; pausedReason: string }
  /** Outside the send window or over Meta's messaging limit: the row waits, the campaign run dispatches it later. */
  | { recipientId: number; result: "deferred"; why: "window" | "messaging_limit"; until: string | null }
  | { recipientId: number; result: "campaign_not_sending"; campaignStatus: string }
  | { recipientId: number; result: "not_pending"; rowStatus: string };

/** One per-contact step: the core's send behind the worker's gates, its outcome mapped to Inngest's retries. */
export const sendStep = async (deps: DispatchDeps, campaignId: number, recipientId: number): Promise<SendStepResult> => {
  const r = await sendRecipientGated(deps.db(), campaignId, recipientId, deps.client(), deps.encryptionKey(), deps.now());
  switch (r.kind) {
    case "not_sending":
      return { recipientId, result: "campaign_not_sending", campaignStatus: r.status };
    case "paused":
      return { recipientId, result: "paused", pausedReason: r.reason };
    case "deferred":
      return { recipientId, result: "deferred", why: r.why, until: r.until };
    case "not_pending":
      if (r.waitingUntil) throw new RetryAfterError(`Destinatário ${recipientId}: aguardando a próxima tentativa (${r.waitingUntil}).`, new Date(r.waitingUntil));
      return { recipientId, result: "not_pending", rowStatus: r.status };
  }
  const o = r.outcome;
  switch (o.kind) {
    case "sent":
      return { recipientId, result: "sent", wamid: o.wamid };
    case "release":
      return { recipientId, result: "released", pausedReason: o.pause ?? null };
    case "retry": {
      const text = `Destinatário ${recipientId}: ${o.message}; nova tentativa a partir de ${o.at.toISOString()}.`;
      if (o.code !== undefined && LATER_CODES.has(o.code)) throw new RetryAfterError(text, o.at);
      throw new Error(text);
    }
    case "failed":
      throw new NonRetriableError(`Destinatário ${recipientId}: falha definitiva, não é reenviado — ${o.message}`);
    case "indeterminate":
      throw new NonRetriableError(`Destinatário ${recipientId}: indeterminado (pode ter sido entregue), nunca reenviado automaticamente — ${o.message}`);
  }
};

export const createSendFunction = (tier: Tier, deps: DispatchDeps = defaultDeps) =>
  inngest.createFunction(
    {
      id: tier.id,
      name: `Campanha: envios (${tier.mps} msg/s por chip)`,
      triggers: [sendEvents[tier.event]],
      // mps ÷ recipients per run starts a second per chip; the key partitions, the limit is the tier's.
      throttle: { key: "event.data.chipId", limit: runsPerSecond(tier), period: "1s" },
      // A cancelled campaign's queued runs are dropped instead of each starting to find it cancelled.
      cancelOn: [{ event: "campaign/cancelled", match: "data.campaignId" }],
      retries: SEND_RETRIES,
    },
    async ({ event, step }) => {
      const { campaignId, recipientIds } = event.data;
      // In parallel: a recipient waiting for a retry (131049 waits a day) does not hold the others back.
      const settled = await Promise.allSettled(recipientIds.map((id) => step.run(`send-${id}`, () => sendStep(deps, campaignId, id))));
      return {
        campaignId,
        results: settled.map((s, i) =>
          s.status === "fulfilled" ? s.value : { recipientId: recipientIds[i]!, result: "error" as const, error: s.reason instanceof Error ? s.reason.message : String(s.reason) },
        ),
      };
    },
  );

export const createSendFunctions = (deps: DispatchDeps = defaultDeps) => TIERS.map((tier) => createSendFunction(tier, deps));

/** The three tier functions, in TIERS order. */
export const sendFunctions = createSendFunctions();
