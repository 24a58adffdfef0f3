import { sql } from "drizzle-orm";
import { integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid, boolean } from "drizzle-orm/pg-core";
import { chipQuality, chipStatus, templateCategory, templateStatus } from "./enums";
import { organizations } from "./organizations";

export const chips = pgTable(
  "chips",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    displayNumber: text("display_number").notNull(),
    phoneNumberId: text("phone_number_id").notNull(),
    wabaId: text("waba_id").notNull(),
    // AES-256-GCM (lib/crypto.ts); never selected into anything that reaches the client.
    accessTokenEncrypted: text("access_token_encrypted").notNull(),
    status: chipStatus("status").notNull().default("active"),
    qualityRating: chipQuality("quality_rating").notNull().default("unknown"),
    messagingLimitTier: text("messaging_limit_tier").notNull().default("TIER_1K"),
    messagesPerSecond: integer("messages_per_second").notNull().default(80),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Webhooks name the phone_number_id: it identifies one chip across the deployment.
    uniqueIndex("chips_phone_number_id_unique").on(t.phoneNumberId),
  ],
);

export type TemplateVariable = { index: number; component: "header" | "body"; example?: string };

export const templates = pgTable(
  "templates",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    wabaId: text("waba_id").notNull(),
    metaTemplateId: text("meta_template_id"),
    name: text("name").notNull(),
    language: text("language").notNull().default("pt_BR"),
    category: templateCategory("category").notNull(),
    status: templateStatus("status").notNull(),
    components: jsonb("components").notNull().default(sql`'[]'::jsonb`),
    variables: jsonb("variables").$type<TemplateVariable[]>().notNull().default(sql`'[]'::jsonb`),
    variableCount: integer("variable_count").notNull().default(0),
    // Marked in Configurações › Templates: the template that asks contacts for opt-in (its campaigns may target
    // contacts whose opt-in is pending or unknown, never those who opted out).
    isOptInRequest: boolean("is_opt_in_request").notNull().default(false),
    syncedAt: timestamp("synced_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("templates_org_waba_name_lang_unique").on(t.organizationId, t.wabaId, t.name, t.language)],
);

export const chatbotFlows = pgTable(
  "chatbot_flows",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description"),
    active: boolean("active").notNull().default(true),
    entryMessage: text("entry_message").notNull(),
    endpointUrl: text("endpoint_url"),
    endpointSecretEncrypted: text("endpoint_secret_encrypted"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("chatbot_flows_org_name_unique").on(t.organizationId, sql`lower(${t.name})`)],
);

export type Chip = typeof chips.$inferSelect;
export type Template = typeof templates.$inferSelect;
export type ChatbotFlow = typeof chatbotFlows.$inferSelect;
