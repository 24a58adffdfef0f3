import {
  bigint,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { ledgerKind, optInSource, optInStatus } from "./enums";
import { organizations } from "./organizations";
import { users } from "./users";
import { chips } from "./chips";
import { contacts } from "./contacts";
import { campaignRecipients, campaigns } from "./campaigns";

export const inboundMessages = pgTable(
  "inbound_messages",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    chipId: integer("chip_id")
      .notNull()
      .references(() => chips.id, { onDelete: "cascade" }),
    contactId: bigint("contact_id", { mode: "number" }).references(() => contacts.id, { onDelete: "set null" }),
    wamid: text("wamid").notNull(),
    fromPhone: text("from_phone"),
    type: text("type").notNull(),
    text: text("text"),
    contextWamid: text("context_wamid"),
    campaignRecipientId: bigint("campaign_recipient_id", { mode: "number" }).references(
      () => campaignRecipients.id,
      { onDelete: "set null" },
    ),
    payload: jsonb("payload"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Meta re-delivers webhooks: an inbound message is stored once.
    uniqueIndex("inbound_messages_wamid_unique").on(t.wamid),
    index("inbound_messages_contact_idx").on(t.contactId),
  ],
);

// Every opt-in / opt-out change, kept as LGPD evidence.
export const consentEvents = pgTable(
  "consent_events",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    contactId: bigint("contact_id", { mode: "number" }).references(() => contacts.id, { onDelete: "set null" }),
    status: optInStatus("status").notNull(),
    source: optInSource("source").notNull(),
    chipId: integer("chip_id").references(() => chips.id, { onDelete: "set null" }),
    campaignId: integer("campaign_id").references(() => campaigns.id, { onDelete: "set null" }),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    textShown: text("text_shown"),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("consent_events_contact_idx").on(t.contactId, t.occurredAt)],
);

// Conversation package movements, counted in messages (signed: debits are negative).
export const packageLedger = pgTable(
  "package_ledger",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    kind: ledgerKind("kind").notNull(),
    amount: integer("amount").notNull(),
    balanceAfter: integer("balance_after").notNull(),
    campaignId: integer("campaign_id").references(() => campaigns.id, { onDelete: "set null" }),
    recipientId: bigint("recipient_id", { mode: "number" }).references(() => campaignRecipients.id, {
      onDelete: "set null",
    }),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    note: text("note"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("package_ledger_org_time_idx").on(t.organizationId, t.createdAt),
    // A recipient's message is debited once, however often a step runs.
    uniqueIndex("package_ledger_recipient_debit_unique").on(t.recipientId, t.kind),
  ],
);

export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: text("entity_id"),
    data: jsonb("data"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("audit_log_org_time_idx").on(t.organizationId, t.createdAt)],
);
