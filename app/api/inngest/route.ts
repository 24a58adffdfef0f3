import { serve } from "inngest/next";
import { inngest } from "@/inngest/client";
import { functions } from "@/inngest/functions";

// The Inngest engine's endpoint (DISPATCH_ENGINE=inngest, decision 0005): Inngest calls it to sync the function
// list (PUT) and to run steps (POST). It authenticates by Inngest's request signature (INNGEST_SIGNING_KEY), not
// by session: proxy.ts lets /api/inngest through and tests/unit/routes.test.ts leaves it out of the
// authorizedRoute check. INNGEST_DEV=1 turns the signature check off, for a local dev server only.
export const { GET, POST, PUT } = serve({ client: inngest, functions });
