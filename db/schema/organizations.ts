import { integer, numeric, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const organizations = pgTable("organizations", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  timeZone: text("time_zone").notNull().default("America/Sao_Paulo"),
  // Prices in BRL per delivered message, by template category (Meta bills per message since July 2025).
  priceMarketing: numeric("price_marketing", { precision: 10, scale: 4 }).notNull().default("0.3125"),
  priceUtility: numeric("price_utility", { precision: 10, scale: 4 }).notNull().default("0.0400"),
  priceAuthentication: numeric("price_authentication", { precision: 10, scale: 4 }).notNull().default("0.0400"),
  // Conversation package, counted in messages.
  packageBalance: integer("package_balance").notNull().default(0),
  autoIncreaseSize: integer("auto_increase_size").notNull().default(1000),
  // Frequency cap: no more than N marketing messages per contact in D days (both null = off).
  frequencyCapMessages: integer("frequency_cap_messages"),
  frequencyCapDays: integer("frequency_cap_days"),
  // Since October 2025 Meta sets the messaging limit per business portfolio, shared by all its numbers; one
  // organization is one portfolio here. Refreshed from whatsapp_business_manager_messaging_limit ("Testar conexão").
  messagingLimitTier: text("messaging_limit_tier").notNull().default("TIER_2K"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export type Organization = typeof organizations.$inferSelect;
export type NewOrganization = typeof organizations.$inferInsert;
