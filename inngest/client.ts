import { eventType, Inngest } from "inngest";
import { z } from "zod";
import { RECIPIENTS_PER_RUN, TIERS } from "@/lib/campaigns/dispatch-inngest";

// The Inngest client and the events of the Inngest dispatch engine (DISPATCH_ENGINE=inngest, decision 0005).
// The SDK reads INNGEST_EVENT_KEY, INNGEST_SIGNING_KEY and INNGEST_DEV from the environment itself, when it
// first needs them: importing this module needs no configuration (`next build`, tests).

export const inngest = new Inngest({ id: "disparo" });

const id = z.number().int().positive();

/** A gestor confirmed the campaign (or rescheduled it): sleep until `scheduledAt` (ISO, null = now), then send. */
export const campaignConfirmed = eventType("campaign/confirmed", {
  schema: z.object({ campaignId: id, organizationId: z.string(), chipId: id, scheduledAt: z.string().nullable() }),
});

/** The campaign was cancelled: cancels its campaign run (cancelOn) and the send runs still queued. */
export const campaignCancelled = eventType("campaign/cancelled", { schema: z.object({ campaignId: id }) });

/** A paused campaign was resumed: its campaign run, waiting for this, dispatches the pending rows again. */
export const campaignResumed = eventType("campaign/resumed", { schema: z.object({ campaignId: id }) });

/**
 * A new campaign run that skips the schedule and the snapshot: it goes on watching and, with `fanOut`, first
 * dispatches the pending rows from that contact id (`dueOnly`: not those waiting for a retry). A campaign run
 * sends it to itself before it nears Inngest's 1,000 steps (generation ≥ 1); "Reenviar falhas" sends one with
 * generation 0 (notifyCampaignResent).
 */
export const campaignWatch = eventType("campaign/watch", {
  schema: z.object({
    campaignId: id,
    organizationId: z.string(),
    chipId: id,
    generation: z.number().int().min(0),
    fanOut: z.object({ cursor: z.number().int().min(0), dueOnly: z.boolean() }).nullable(),
  }),
});

/** One send run's work: a fixed-size group of recipient ids (ids only: the rows hold everything else). */
export const sendSchema = z.object({ campaignId: id, chipId: id, recipientIds: z.array(id).min(1).max(RECIPIENTS_PER_RUN) });

/** The send event of each throughput tier, by event name. */
export const sendEvents = Object.fromEntries(TIERS.map((t) => [t.event, eventType(t.event, { schema: sendSchema })])) as {
  [T in (typeof TIERS)[number] as T["event"]]: ReturnType<typeof eventType<T["event"], typeof sendSchema>>;
};

export type SendEventData = z.infer<typeof sendSchema>;
