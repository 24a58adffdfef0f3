import { and, eq, inArray } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { campaigns, type Campaign, type Role } from "@/db/schema";
import { hasRole } from "@/lib/auth/roles";
import { EDITABLE_STATUSES } from "@/lib/campaigns/campaigns";

// The role app/(app)/relatorios/[id]/page.tsx requires (requireUser's default: every signed-in user, operadores
// included, as "leitura de relatórios" in lib/auth/roles.ts). The campaign page requires the same.
export const REPORT_ROLE: Role = "operador";

/**
 * Where "campanhas recebidas" on the contact page link: the campaign page always (every campaign has one), and its
 * report only when the viewer may open it and the campaign was confirmed (a draft, or one awaiting a gestor, has
 * no report yet).
 */
export const receivedCampaignLinks = (campaign: { id: number; status: Campaign["status"] }, viewer: Role) => ({
  campaign: `/campanhas/${campaign.id}`,
  report:
    hasRole(viewer, REPORT_ROLE) && !(EDITABLE_STATUSES as readonly string[]).includes(campaign.status)
      ? `/relatorios/${campaign.id}`
      : null,
});

/** The current status of a few campaigns of the organization (the ones a contact received). */
export const campaignStatuses = async (db: DbOrTx, organizationId: string, ids: number[]) => {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map<number, Campaign["status"]>();
  const rows = await db
    .select({ id: campaigns.id, status: campaigns.status })
    .from(campaigns)
    .where(and(eq(campaigns.organizationId, organizationId), inArray(campaigns.id, unique)));
  return new Map(rows.map((r) => [r.id, r.status]));
};
