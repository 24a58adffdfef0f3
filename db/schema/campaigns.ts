import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { campaignSendMode, campaignStatus, chipScope, recipientStatus, skipReason } from "./enums";
import { organizations } from "./organizations";
import { users } from "./users";
import { chatbotFlows, chips, templates } from "./chips";
import { contacts } from "./contacts";

// "Listas de público": a named, validated filter, re-evaluated at send time.
export const audiences = pgTable(
  "audiences",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    filter: jsonb("filter").notNull(),
    filterVersion: integer("filter_version").notNull().default(1),
    // The count when the list was last saved: the confirmation screen says how much it changed since.
    savedCount: integer("saved_count"),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("audiences_org_name_unique").on(t.organizationId, sql`lower(${t.name})`)],
);

export const campaigns = pgTable(
  "campaigns",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    chipId: integer("chip_id")
      .notNull()
      .references(() => chips.id, { onDelete: "restrict" }),
    audienceId: integer("audience_id").references(() => audiences.id, { onDelete: "restrict" }),
    templateId: integer("template_id")
      .notNull()
      .references(() => templates.id, { onDelete: "restrict" }),
    // How each template variable is filled: a contact field or a fixed text.
    templateVariables: jsonb("template_variables").notNull().default(sql`'[]'::jsonb`),
    flowId: integer("flow_id").references(() => chatbotFlows.id, { onDelete: "set null" }),
    // Optional send window (lib/campaigns/send-window.ts): { start: "08:00", end: "20:00", days: [1..5] } on the
    // organization's clock; outside it the campaign waits and resumes by itself.
    sendWindow: jsonb("send_window"),
    // Link of the media header (image, document, video) when the template has one; https only.
    headerMediaUrl: text("header_media_url"),
    sendMode: campaignSendMode("send_mode").notNull().default("immediate"),
    scheduledAt: timestamp("scheduled_at", { withTimezone: true }),
    status: campaignStatus("status").notNull().default("draft"),
    chipScope: chipScope("chip_scope"),
    optInConfirmed: boolean("opt_in_confirmed").notNull().default(false),
    packageConsent: boolean("package_consent").notNull().default(false),
    packageConsentAt: timestamp("package_consent_at", { withTimezone: true }),
    packageConsentByUserId: uuid("package_consent_by_user_id").references(() => users.id, { onDelete: "set null" }),
    confirmedByUserId: uuid("confirmed_by_user_id").references(() => users.id, { onDelete: "set null" }),
    confirmedAt: timestamp("confirmed_at", { withTimezone: true }),
    // Frozen at confirmation (lib/campaigns/confirm.ts): what the engines use, whatever happens to the list or
    // the template afterwards.
    frozenFilter: jsonb("frozen_filter"),
    frozenAudienceName: text("frozen_audience_name"),
    frozenTemplate: jsonb("frozen_template"),
    estimate: jsonb("estimate"),
    submittedByUserId: uuid("submitted_by_user_id").references(() => users.id, { onDelete: "set null" }),
    submittedAt: timestamp("submitted_at", { withTimezone: true }),
    startedAt: timestamp("started_at", { withTimezone: true }),
    // The audience snapshot (lib/campaigns/dispatch.ts): when it was taken and how many rows it wrote (skipped
    // included); the report shows it beside the confirmation's estimate.
    snapshotAt: timestamp("snapshot_at", { withTimezone: true }),
    snapshotCount: integer("snapshot_count"),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    pausedReason: text("paused_reason"),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("campaigns_org_status_idx").on(t.organizationId, t.status),
    index("campaigns_due_idx").on(t.status, t.scheduledAt),
  ],
);

// One row per contact per campaign: the durable truth of a dispatch.
export const campaignRecipients = pgTable(
  "campaign_recipients",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    // organization_id and chip_id carry no foreign key of their own (migration 0012): both are the campaign's,
    // which campaign_id's key already guards (deleting the organization cascades through the campaign; a chip
    // with campaigns cannot be deleted). Each key costs a lookup per inserted row: the snapshot of 1,000,000
    // recipients spent a quarter of its time in the four checks (bench:dispatch).
    organizationId: uuid("organization_id").notNull(),
    campaignId: integer("campaign_id")
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    // Null after the contact is erased on request (LGPD): the row stays as an anonymous statistic.
    contactId: bigint("contact_id", { mode: "number" }).references(() => contacts.id, { onDelete: "set null" }),
    chipId: integer("chip_id").notNull(),
    phone: text("phone"),
    variables: jsonb("variables").notNull().default(sql`'[]'::jsonb`),
    status: recipientStatus("status").notNull().default("pending"),
    skipReason: skipReason("skip_reason"),
    wamid: text("wamid"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
    errorCode: integer("error_code"),
    errorMessage: text("error_message"),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    readAt: timestamp("read_at", { withTimezone: true }),
    failedAt: timestamp("failed_at", { withTimezone: true }),
    repliedAt: timestamp("replied_at", { withTimezone: true }),
    // What Meta's status webhooks said about the charge (their pricing object, on sent and delivered): null until
    // one says; false for a free message (a reply inside the customer service window). The report's billed cost.
    billable: boolean("billable"),
    routedFlowId: integer("routed_flow_id").references(() => chatbotFlows.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // Never twice: one row per contact per campaign.
    uniqueIndex("campaign_recipients_campaign_contact_unique").on(t.campaignId, t.contactId),
    uniqueIndex("campaign_recipients_wamid_unique").on(t.wamid).where(sql`${t.wamid} is not null`),
    // No index names status, sent_at, delivered_at, read_at or replied_at: every status webhook (three per message)
    // and every send step updates those, and with no index on them (and the free space of fillfactor 80,
    // migration 0008) the update is HOT — no index entries to add (docs/benchmarks.md, "Webhooks"). A campaign's
    // recipients are found through campaign_recipients_campaign_contact_unique.
    index("campaign_recipients_contact_idx").on(t.contactId),
  ],
);

export type Audience = typeof audiences.$inferSelect;
export type Campaign = typeof campaigns.$inferSelect;
export type NewCampaign = typeof campaigns.$inferInsert;
export type CampaignRecipient = typeof campaignRecipients.$inferSelect;
