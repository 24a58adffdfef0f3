import { NextResponse } from "next/server";
import { z } from "zod";
import { authorizedRoute } from "@/lib/auth/route";
import { campaignProgress } from "@/lib/campaigns/dispatch";
import { loadCampaignOrNull } from "@/lib/campaigns/queries";

const params = z.object({ id: z.coerce.number().int().positive() });

// The campaign page's live progress (polled every few seconds while the campaign is under way).
export const GET = authorizedRoute<{ id: string }>({ role: "operador" }, async (_req, { db, user, params: raw }) => {
  const parsed = params.safeParse(raw);
  if (!parsed.success) return NextResponse.json({ error: "Campanha inválida." }, { status: 400 });
  const campaign = await loadCampaignOrNull(db, user.organizationId, parsed.data.id);
  if (!campaign) return NextResponse.json({ error: "Campanha não encontrada nesta organização." }, { status: 404 });
  const progress = await campaignProgress(db, campaign.id);
  return NextResponse.json(
    {
      status: campaign.status,
      pausedReason: campaign.pausedReason,
      startedAt: campaign.startedAt,
      finishedAt: campaign.finishedAt,
      progress,
      at: new Date().toISOString(),
    },
    { headers: { "cache-control": "no-store" } },
  );
});
