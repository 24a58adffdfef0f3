import "server-only";
import { and, asc, count, desc, eq, ilike, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Db } from "@/db/client";
import { audiences, auditLog, campaigns, chatbotFlows, chips, organizations, templates, users, type Campaign } from "@/db/schema";

export const CAMPAIGNS_PAGE_SIZE = 20;

export type CampaignListFilter = { status?: Campaign["status"]; q?: string; page: number };

const escapeLike = (v: string) => v.replace(/[\\%_]/g, "\\$&");

/** Campanhas list: filter by status, search by name, server-side paging; newest first. */
export const listCampaigns = async (db: Db, organizationId: string, filter: CampaignListFilter) => {
  const conditions: SQL[] = [eq(campaigns.organizationId, organizationId)];
  if (filter.status) conditions.push(eq(campaigns.status, filter.status));
  if (filter.q) conditions.push(ilike(campaigns.name, `%${escapeLike(filter.q)}%`));
  const where = and(...conditions);
  const [rows, [total]] = await Promise.all([
    db
      .select({
        id: campaigns.id,
        name: campaigns.name,
        status: campaigns.status,
        sendMode: campaigns.sendMode,
        scheduledAt: campaigns.scheduledAt,
        createdAt: campaigns.createdAt,
        chip: chips.name,
        chipNumber: chips.displayNumber,
        template: templates.name,
        audience: sql<string | null>`coalesce(${campaigns.frozenAudienceName}, ${audiences.name})`,
        createdBy: users.name,
      })
      .from(campaigns)
      .innerJoin(chips, eq(chips.id, campaigns.chipId))
      .innerJoin(templates, eq(templates.id, campaigns.templateId))
      .leftJoin(audiences, eq(audiences.id, campaigns.audienceId))
      .leftJoin(users, eq(users.id, campaigns.createdByUserId))
      .where(where)
      .orderBy(desc(campaigns.createdAt), desc(campaigns.id))
      .limit(CAMPAIGNS_PAGE_SIZE)
      .offset((filter.page - 1) * CAMPAIGNS_PAGE_SIZE),
    db.select({ n: count() }).from(campaigns).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
};

/** What the Nova campanha panel offers: connected chips, lists, approved templates, active flows. */
export const panelOptions = async (db: Db, organizationId: string) => {
  const [chipRows, listRows, templateRows, flowRows] = await Promise.all([
    db
      .select({ id: chips.id, name: chips.name, displayNumber: chips.displayNumber, qualityRating: chips.qualityRating, messagesPerSecond: chips.messagesPerSecond, messagingLimitTier: chips.messagingLimitTier, wabaId: chips.wabaId })
      .from(chips)
      .where(and(eq(chips.organizationId, organizationId), eq(chips.status, "active")))
      .orderBy(asc(chips.name)),
    db
      .select({ id: audiences.id, name: audiences.name, filter: audiences.filter })
      .from(audiences)
      .where(eq(audiences.organizationId, organizationId))
      .orderBy(asc(audiences.name)),
    db
      .select({ id: templates.id, name: templates.name, language: templates.language, category: templates.category, components: templates.components, variables: templates.variables, wabaId: templates.wabaId, isOptInRequest: templates.isOptInRequest })
      .from(templates)
      .where(and(eq(templates.organizationId, organizationId), eq(templates.status, "approved")))
      .orderBy(asc(templates.name)),
    db
      .select({ id: chatbotFlows.id, name: chatbotFlows.name, description: chatbotFlows.description })
      .from(chatbotFlows)
      .where(and(eq(chatbotFlows.organizationId, organizationId), eq(chatbotFlows.active, true)))
      .orderBy(asc(chatbotFlows.name)),
  ]);
  return { chips: chipRows, lists: listRows, templates: templateRows, flows: flowRows };
};

const confirmer = alias(users, "confirmer");
const creator = alias(users, "creator");

/** One campaign with the names the campaign page shows. */
export const getCampaignDetail = async (db: Db, organizationId: string, id: number) => {
  const [row] = await db
    .select({
      campaign: campaigns,
      chip: { name: chips.name, displayNumber: chips.displayNumber, status: chips.status, messagesPerSecond: chips.messagesPerSecond },
      template: { name: templates.name, status: templates.status, category: templates.category, language: templates.language, components: templates.components },
      audience: { id: audiences.id, name: audiences.name },
      flow: { name: chatbotFlows.name },
      createdBy: creator.name,
      confirmedBy: confirmer.name,
    })
    .from(campaigns)
    .innerJoin(chips, eq(chips.id, campaigns.chipId))
    .innerJoin(templates, eq(templates.id, campaigns.templateId))
    .leftJoin(audiences, eq(audiences.id, campaigns.audienceId))
    .leftJoin(chatbotFlows, eq(chatbotFlows.id, campaigns.flowId))
    .leftJoin(creator, eq(creator.id, campaigns.createdByUserId))
    .leftJoin(confirmer, eq(confirmer.id, campaigns.confirmedByUserId))
    .where(and(eq(campaigns.organizationId, organizationId), eq(campaigns.id, id)));
  return row ?? null;
};

/** The campaign's history from the audit log: who did what, when. */
export const campaignHistory = (db: Db, organizationId: string, id: number) =>
  db
    .select({ id: auditLog.id, action: auditLog.action, data: auditLog.data, createdAt: auditLog.createdAt, user: users.name })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.userId))
    .where(and(eq(auditLog.organizationId, organizationId), eq(auditLog.entityType, "campaign"), eq(auditLog.entityId, String(id))))
    .orderBy(asc(auditLog.createdAt), asc(auditLog.id));

export const organizationPricing = async (db: Db, organizationId: string) => {
  const [org] = await db.select().from(organizations).where(eq(organizations.id, organizationId));
  return org ?? null;
};
