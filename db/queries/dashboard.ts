import "server-only";
import { and, count, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { audiences, campaigns, chips, contacts, organizations, templates } from "@/db/schema";

export const getDashboardCounts = async (db: Db, organizationId: string) => {
  const [contactRow, audienceRow, campaignRow, chipRow, templateRow, org] = await Promise.all([
    db
      .select({
        total: count(),
        optedIn: sql<number>`count(*) filter (where ${contacts.optInStatus} = 'opted_in')::int`,
        optedOut: sql<number>`count(*) filter (where ${contacts.optInStatus} = 'opted_out')::int`,
      })
      .from(contacts)
      .where(eq(contacts.organizationId, organizationId)),
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
