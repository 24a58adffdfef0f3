import type { Db } from "@/db/client";
import { env } from "@/lib/env";
import { describeError } from "@/lib/log";
import { appWhatsAppClient } from "@/lib/whatsapp-runtime";
import { runFlowStart } from "./flow-routing";
import { clearChipCache, type WebhookOutcome } from "./process-webhook";

// Webhooks find their organization by phone_number_id through a per-process cache (process-webhook.ts, 30 s).
// One process may hold several copies of that module — the production server's fast path (server.ts, loaded by
// tsx) and each Next.js bundle (the App Router route, the server actions) — each with its own cache. Every copy
// that serves webhooks imports this file, so each registers its cache's clear here, on globalThis, and a chip
// edit (lib/chips.ts) clears them all at once: a webhook for a phone_number_id the chip no longer has must not
// reach the organization, not even for 30 s.
const registry = globalThis as unknown as { __disparoChipCacheClearers?: Set<() => void> };
(registry.__disparoChipCacheClearers ??= new Set()).add(clearChipCache);

/** Forgets every cached phone_number_id → chip routing in this process (all copies of the webhook code). */
export const invalidateChipRoutings = () => {
  for (const clear of registry.__disparoChipCacheClearers ?? []) clear();
};

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
      console.error(`[fluxo] falhou: ${describeError(err)}`),
    );
};
