import "server-only";
import { and, count, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { audiences, campaigns, chips, contactSegmentCounts, organizations, templates } from "@/db/schema";

export const getDashboardCounts = async (db: Db, organizationId: string) => {
  const [contactRow, audienceRow, campaignRow, chipRow, templateRow, org] = await Promise.all([
    // From the segment buckets (every contact once: tag_id = 0, chip_id = 0), kept exact by triggers on contacts:
    // a few hundred rows instead of a scan of the whole base.
    db
      .select({
        total: sql<number>`coalesce(sum(${contactSegmentCounts.n}), 0)::int`,
        optedIn: sql<number>`coalesce(sum(${contactSegmentCounts.n}) filter (where ${contactSegmentCounts.optInStatus} = 'opted_in'), 0)::int`,
        optedOut: sql<number>`coalesce(sum(${contactSegmentCounts.n}) filter (where ${contactSegmentCounts.optInStatus} = 'opted_out'), 0)::int`,
      })
      .from(contactSegmentCounts)
      .where(
        and(
          eq(contactSegmentCounts.organizationId, organizationId),
          eq(contactSegmentCounts.tagId, 0),
          eq(contactSegmentCounts.chipId, 0),
        ),
      ),
    db.select({ total: count() }).from(audiences).where(eq(audiences.organizationId, organizationId)),
    db
      .select({
        total: count(),
        active: sql<number>`count(*) filter (where ${campaigns.status} in ('scheduled','queued','sending','paused'))::int`,
      })
      .from(campaigns)
      .where(eq(campaigns.organizationId, organizationId)),
    db
      .select({ total: count() })
      .from(chips)
      .where(and(eq(chips.organizationId, organizationId), eq(chips.status, "active"))),
    db
      .select({ total: count() })
      .from(templates)
      .where(and(eq(templates.organizationId, organizationId), eq(templates.status, "approved"))),
    db
      .select({ packageBalance: organizations.packageBalance })
      .from(organizations)
      .where(eq(organizations.id, organizationId)),
  ]);
  return {
    contacts: contactRow[0]?.total ?? 0,
    optedIn: contactRow[0]?.optedIn ?? 0,
    optedOut: contactRow[0]?.optedOut ?? 0,
    audiences: audienceRow[0]?.total ?? 0,
    campaigns: campaignRow[0]?.total ?? 0,
    activeCampaigns: campaignRow[0]?.active ?? 0,
    activeChips: chipRow[0]?.total ?? 0,
    approvedTemplates: templateRow[0]?.total ?? 0,
    packageBalance: org[0]?.packageBalance ?? 0,
  };
};
