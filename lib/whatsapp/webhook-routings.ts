import type { Db } from "@/db/client";
import { env } from "@/lib/env";
import { appWhatsAppClient } from "@/lib/whatsapp-runtime";
import { runFlowStart } from "./flow-routing";
import type { WebhookOutcome } from "./process-webhook";

/**
 * Routing to a chatbot flow talks to the network (the flow's entry message, the bot hand-off): it starts after
 * the webhook was answered, i.e. after its writes — the flow_starts rows included — committed, and never delays
 * or fails the answer. Whatever this run does not finish (a restart, a retry later) the sweeper resumes
 * (startFlowSweeper, started by instrumentation.ts).
 */
export const startFlowRoutings = (db: Db, outcome: WebhookOutcome | undefined) => {
  if (!outcome?.routings.length) return;
  const { ENCRYPTION_KEY } = env();
  for (const routing of outcome.routings)
    void runFlowStart(db, appWhatsAppClient(), ENCRYPTION_KEY, routing.flowStartId, { waitForRetries: true }).catch((err) =>
      console.error(`[fluxo] falhou: ${(err as Error).message}`),
    );
};
