import { campaignCancelled, campaignConfirmed, campaignResumed, campaignWatch, inngest } from "@/inngest/client";
import { dispatchEngine } from "@/lib/env";
import { ActionError } from "@/lib/action-error";

// How the app tells the dispatch engine about a campaign. With DISPATCH_ENGINE=inngest these send the Inngest
// events the functions in inngest/functions wait for; with the local engine they do nothing (the worker polls
// the campaigns table). Call them after the transaction that changed the campaign has committed:
//
//   confirmCampaign     → notifyCampaignConfirmed(campaign)     scheduled or queued
//   rescheduleCampaign  → notifyCampaignRescheduled(campaign)   the new scheduledAt
//   resumeCampaign      → notifyCampaignResumed(campaign)       sending again (or queued, if it never started)
//   cancelCampaign      → notifyCampaignCancelled(campaignId)
//   resendFailures      → notifyCampaignResent(campaign)         when it moved rows back to pending
//
// Pausing needs no event: every send step reads the campaign's status first. Each throws (in Portuguese, saying
// what to do) when Inngest does not take the event; the campaign row has changed regardless.

/** The campaign row after the change (the fields the events carry). `scheduledAt` counts only when `scheduled`. */
export type CampaignForEngine = { id: number; organizationId: string; chipId: number; status: string; scheduledAt: Date | null };

type Sent = { sent: boolean };

const send = async (what: string, payload: Parameters<typeof inngest.send>[0]): Promise<Sent> => {
  try {
    await inngest.send(payload);
    return { sent: true };
  } catch (err) {
    // An ActionError, so the action shows this message (the change itself is already saved).
    throw new ActionError(
      "error",
      `A campanha foi atualizada, mas o motor de disparo (Inngest) não recebeu o aviso de ${what}: ${err instanceof Error ? err.message : String(err)}. Confira INNGEST_EVENT_KEY e a conexão com o Inngest e tente de novo.`,
    );
  }
};

const confirmed = (campaign: CampaignForEngine, id: string) => {
  const at = campaign.status === "scheduled" ? (campaign.scheduledAt?.toISOString() ?? null) : null;
  return campaignConfirmed.create(
    { campaignId: campaign.id, organizationId: campaign.organizationId, chipId: campaign.chipId, scheduledAt: at },
    { id: `disparo-campaign-${campaign.id}-${id}-${at ?? "now"}` },
  );
};

/**
 * A campaign was confirmed (scheduled or queued): its campaign run sleeps until the moment, then sends. The same
 * confirmation sent twice (a retried request) starts one run: Inngest drops a repeated event id for 24 h.
 */
export const notifyCampaignConfirmed = async (campaign: CampaignForEngine): Promise<Sent> =>
  dispatchEngine() === "inngest" ? send("confirmação", confirmed(campaign, "confirmed")) : { sent: false };

/**
 * A scheduled campaign got a new moment: a new campaign run replaces the sleeping one (the function is a
 * singleton per campaign), so an earlier moment is kept too, not only a later one.
 */
export const notifyCampaignRescheduled = async (campaign: CampaignForEngine): Promise<Sent> =>
  dispatchEngine() === "inngest" ? send("reagendamento", confirmed(campaign, `rescheduled-${Date.now()}`)) : { sent: false };

/**
 * A paused campaign was resumed. One that had started (`sending` again): its run is waiting for this and
 * dispatches the pending rows. One paused before it started (`queued` again): its run had ended, so it gets a
 * new one, as a confirmation.
 */
export const notifyCampaignResumed = async (campaign: CampaignForEngine): Promise<Sent> => {
  if (dispatchEngine() !== "inngest") return { sent: false };
  if (campaign.status === "queued") return send("retomada", confirmed(campaign, `resumed-${Date.now()}`));
  return send("retomada", campaignResumed.create({ campaignId: campaign.id }));
};

/** A campaign was cancelled: cancels its campaign run and the send runs still queued for it. */
export const notifyCampaignCancelled = async (campaignId: number): Promise<Sent> =>
  dispatchEngine() === "inngest" ? send("cancelamento", campaignCancelled.create({ campaignId })) : { sent: false };

/**
 * "Reenviar falhas" moved rows back to pending (a completed campaign is sending again): a new campaign run
 * dispatches them at once (it replaces the campaign's run if one is still watching).
 */
export const notifyCampaignResent = async (campaign: CampaignForEngine): Promise<Sent> =>
  dispatchEngine() === "inngest"
    ? send(
        "reenvio",
        campaignWatch.create(
          { campaignId: campaign.id, organizationId: campaign.organizationId, chipId: campaign.chipId, generation: 0, fanOut: { cursor: 0, dueOnly: true } },
          { id: `disparo-campaign-${campaign.id}-resent-${Date.now()}` },
        ),
      )
    : { sent: false };
