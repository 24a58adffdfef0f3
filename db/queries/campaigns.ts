import "server-only";
import { desc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { audiences, campaigns, chips, templates } from "@/db/schema";

export const listCampaigns = (db: Db, organizationId: string) =>
  db
    .select({
      id: campaigns.id,
      name: campaigns.name,
      status: campaigns.status,
      scheduledAt: campaigns.scheduledAt,
      createdAt: campaigns.createdAt,
      chip: chips.name,
      template: templates.name,
      audience: audiences.name,
    })
    .from(campaigns)
    .innerJoin(chips, eq(chips.id, campaigns.chipId))
    .innerJoin(templates, eq(templates.id, campaigns.templateId))
    .leftJoin(audiences, eq(audiences.id, campaigns.audienceId))
    .where(eq(campaigns.organizationId, organizationId))
    .orderBy(desc(campaigns.createdAt));
