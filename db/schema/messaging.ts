import { sql } from "drizzle-orm";
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
import { flowStartStatus, ledgerKind, optInSource, optInStatus } from "./enums";
import { organizations } from "./organizations";
import { users } from "./users";
import { chatbotFlows, chips } from "./chips";
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
  (t) => [
    index("consent_events_contact_idx").on(t.contactId, t.occurredAt),
    // The opt-outs a campaign caused (its report): few rows, most events have no campaign.
    index("consent_events_campaign_idx").on(t.campaignId).where(sql`${t.campaignId} is not null`),
  ],
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

// The durable record of routing a campaign reply to a chatbot flow: written by the webhook's statement in the
// same transaction as the routing, worked by lib/whatsapp/flow-starts.ts (at once after the answer, and by a
// sweeper that resumes whatever a restart interrupted). One per campaign message: a reply routes once.
export const flowStarts = pgTable(
  "flow_starts",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    campaignRecipientId: bigint("campaign_recipient_id", { mode: "number" })
      .notNull()
      .references(() => campaignRecipients.id, { onDelete: "cascade" }),
    flowId: integer("flow_id")
      .notNull()
      .references(() => chatbotFlows.id, { onDelete: "cascade" }),
    chipId: integer("chip_id")
      .notNull()
      .references(() => chips.id, { onDelete: "cascade" }),
    contactId: bigint("contact_id", { mode: "number" }).references(() => contacts.id, { onDelete: "set null" }),
    inboundMessageId: bigint("inbound_message_id", { mode: "number" }).references(() => inboundMessages.id, {
      onDelete: "set null",
    }),
    status: flowStartStatus("status").notNull().default("pending"),
    /** sent, unknown (in flight when the process stopped, or no answer), or failed: <kind> <code>. */
    entryResult: text("entry_result"),
    entryWamid: text("entry_wamid"),
    handoffAttempts: integer("handoff_attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    /** A worker holds the row until then; after it, another may take it over. */
    lockedUntil: timestamp("locked_until", { withTimezone: true }),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("flow_starts_recipient_unique").on(t.campaignRecipientId),
    index("flow_starts_due_idx").on(t.nextAttemptAt).where(sql`${t.status} in ('pending', 'entry_sending', 'handoff')`),
  ],
);
