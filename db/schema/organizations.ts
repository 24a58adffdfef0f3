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
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export type Organization = typeof organizations.$inferSelect;
export type NewOrganization = typeof organizations.$inferInsert;
