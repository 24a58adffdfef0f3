import "server-only";
import { asc, desc, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { chatbotFlows, chips, organizations, templates, users } from "@/db/schema";

export const getOrganization = async (db: Db, organizationId: string) => {
  const [org] = await db.select().from(organizations).where(eq(organizations.id, organizationId)).limit(1);
  return org ?? null;
};

export const listUsers = (db: Db, organizationId: string) =>
  db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      role: users.role,
      active: users.active,
      lastLoginAt: users.lastLoginAt,
      createdAt: users.createdAt,
    })
    .from(users)
    .where(eq(users.organizationId, organizationId))
    .orderBy(desc(users.active), asc(users.name));

// Never selects the encrypted token: this list reaches pages.
export const listChips = (db: Db, organizationId: string) =>
  db
    .select({
      id: chips.id,
      name: chips.name,
      displayNumber: chips.displayNumber,
      phoneNumberId: chips.phoneNumberId,
      wabaId: chips.wabaId,
      status: chips.status,
      qualityRating: chips.qualityRating,
      messagingLimitTier: chips.messagingLimitTier,
      messagesPerSecond: chips.messagesPerSecond,
    })
    .from(chips)
    .where(eq(chips.organizationId, organizationId))
    .orderBy(asc(chips.name));

export const listTemplates = (db: Db, organizationId: string) =>
  db.select().from(templates).where(eq(templates.organizationId, organizationId)).orderBy(asc(templates.name));

export const listFlows = (db: Db, organizationId: string) =>
  db
    .select({
      id: chatbotFlows.id,
      name: chatbotFlows.name,
      description: chatbotFlows.description,
      active: chatbotFlows.active,
      entryMessage: chatbotFlows.entryMessage,
      endpointUrl: chatbotFlows.endpointUrl,
      hasSecret: sql<boolean>`${chatbotFlows.endpointSecretEncrypted} is not null`,
    })
    .from(chatbotFlows)
    .where(eq(chatbotFlows.organizationId, organizationId))
    .orderBy(asc(chatbotFlows.name));
