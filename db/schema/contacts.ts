import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  char,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { optInSource, optInStatus } from "./enums";
import { organizations } from "./organizations";
import { users } from "./users";
import { chips } from "./chips";

export const wallets = pgTable(
  "wallets",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    ownerUserId: uuid("owner_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("wallets_org_name_unique").on(t.organizationId, sql`lower(${t.name})`)],
);

export const tags = pgTable(
  "tags",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    color: text("color").notNull().default("#0f766e"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("tags_org_name_unique").on(t.organizationId, sql`lower(${t.name})`)],
);

export const contacts = pgTable(
  "contacts",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    // The name with accents and case folded (disparo_fold, migration 0017): what contact search matches and
    // orders by, stored so that neither the match nor its index recheck computes it per row.
    nameFold: text("name_fold")
      .notNull()
      .generatedAlwaysAs(sql`disparo_fold(name)`),
    // E.164, Brazilian mobiles with the ninth digit (lib/phones.ts). Null only for a contact that wrote in with a
    // WhatsApp username and no phone number (known by its BSUID alone): it cannot receive a template by phone.
    phone: text("phone"),
    // Meta's business-scoped user id ("BR.1502…", webhooks' user_id / from_user_id / recipient_user_id): stable
    // per business portfolio, present on every webhook since April 2026 (docs/decisions/0006-bsuid.md).
    bsuid: text("bsuid"),
    // The WhatsApp username, when the person adopted one (it may change; never an identifier).
    username: text("username"),
    city: text("city"),
    state: char("state", { length: 2 }),
    walletId: integer("wallet_id").references(() => wallets.id, { onDelete: "set null" }),
    // Etiquetas as an int[] so segment filters use one GIN index instead of a join.
    tagIds: integer("tag_ids").array().notNull().default(sql`'{}'::integer[]`),
    // The chips the contact is registered on (contact_chips.registered), sorted: kept by a trigger on contact_chips
    // (migration 0002) so the segment filter "registrado no chip" is checked on the covering index, not by a join.
    chipIds: integer("chip_ids").array().notNull().default(sql`'{}'::integer[]`),
    // A 64-bit signature of tag_ids (bit id % 64 per etiqueta; function of migration 0007). Counts check it on the
    // covering index before the exact array test: most tuples are ruled out by one AND of two integers.
    // Derived, never read by the app; "number" mode only so a whole-row select stays JSON-safe.
    tagSig: bigint("tag_sig", { mode: "number" })
      .notNull()
      .generatedAlwaysAs(sql`contact_tag_signature(tag_ids)`),
    optInStatus: optInStatus("opt_in_status").notNull().default("none"),
    optInSource: optInSource("opt_in_source"),
    optInAt: timestamp("opt_in_at", { withTimezone: true }),
    optedOutAt: timestamp("opted_out_at", { withTimezone: true }),
    lastInteractionAt: timestamp("last_interaction_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("contacts_org_phone_unique").on(t.organizationId, t.phone),
    // A contact is found by phone or by BSUID (lib/whatsapp/process-webhook.ts) and has at least one of them.
    uniqueIndex("contacts_org_bsuid_unique").on(t.organizationId, t.bsuid).where(sql`${t.bsuid} is not null`),
    check("contacts_phone_or_bsuid", sql`${t.phone} is not null or ${t.bsuid} is not null`),
    // Etiquetas "tem alguma / tem todas", and the excluded part of "não tem nenhuma" (lib/segments/compile.ts).
    index("contacts_org_tags_gin").using("gin", t.tagIds),
    index("contacts_org_created_idx").on(t.organizationId, t.createdAt),
    index("contacts_org_state_city_idx").on(t.organizationId, t.state, t.city),
    // Segment counts (lib/segments, docs/benchmarks.md "Segmentação"). PostgreSQL 18 has no heap-free bitmap
    // count any more, so counts over large audiences are index-only scans, or no scan at all:
    // - scalar-only filters (opt-in, carteira, UF) and the "rest" of a "não tem nenhuma" subtraction: the
    //   buckets of contact_segment_counts (migration 0005 dropped the small index that served them before);
    // - every other filter column rides in one covering index, so etiquetas, chips, período and cidade are
    //   evaluated without reading the table. Key columns instead of INCLUDE because
    //   drizzle-kit cannot express INCLUDE; ids are unique, so deduplication is switched off.
    index("contacts_segment_cover_idx")
      .on(
        t.organizationId,
        t.optInStatus,
        t.walletId,
        t.state,
        t.city,
        t.createdAt,
        t.lastInteractionAt,
        t.tagSig,
        t.tagIds,
        t.chipIds,
        t.id,
      )
      .with({ deduplicate_items: false }),
    // Audience preview and the contact list: first rows by name without sorting the whole audience.
    index("contacts_org_name_idx").on(t.organizationId, t.name, t.id),
    // Contact search (accent- and case-blind, any part of the name or phone): trigram indexes on name_fold and
    // on phone (the latter added by hand in migration 0017), and its results in name_fold order.
    index("contacts_name_fold_gin_idx").using("gin", t.nameFold.op("gin_trgm_ops")),
    index("contacts_org_name_fold_idx").on(t.organizationId, t.nameFold, t.id),
    // The few contacts a campaign's confirmation must read row by row: a phone that is not a canonical Brazilian
    // mobile (invalid, or the same number written without the ninth digit) or an empty name. Everyone else is
    // counted on the covering index without touching the table (lib/campaigns/audience.ts; the predicate is
    // repeated there word for word so the planner matches it).
    index("contacts_org_suspect_idx")
      .on(t.organizationId, t.id)
      .where(sql`${t.phone} is null or ${t.phone} !~ '^[+]55[1-9][1-9]9[0-9]{8}$' or btrim(${t.name}) = ''`),
  ],
);

// Which chips a contact is registered on, or has talked through (a campaign's chip scope depends on it).
export const contactChips = pgTable(
  "contact_chips",
  {
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    contactId: bigint("contact_id", { mode: "number" })
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    chipId: integer("chip_id")
      .notNull()
      .references(() => chips.id, { onDelete: "cascade" }),
    registered: boolean("registered").notNull().default(true),
    firstSeenAt: timestamp("first_seen_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.contactId, t.chipId] }),
    index("contact_chips_chip_idx").on(t.chipId, t.contactId),
    // The segment filter "registrado no chip": an index-only probe per candidate contact.
    index("contact_chips_registered_idx").on(t.chipId, t.contactId).where(sql`${t.registered}`),
  ],
);

// How many contacts each (opt-in status, carteira, UF) bucket of an organization holds — in all (tag_id = 0 and
// chip_id = 0), carrying one etiqueta (tag_id), or registered on one chip (chip_id) — kept exact by statement
// triggers on contacts (migrations 0003 and 0007): a segment count over those columns and at most one etiqueta
// or chip ("com opt-in", "carteira Varejo", "etiqueta Cliente VIP", "não tem a etiqueta Inativo 180 dias") sums a few
// hundred rows instead of scanning the audience.
// wallet_id has no foreign key on purpose: a deleted carteira empties its bucket through the contacts it
// releases (their wallet_id becomes null), and the emptied row stays with n = 0.
export const contactSegmentCounts = pgTable(
  "contact_segment_counts",
  {
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    optInStatus: optInStatus("opt_in_status").notNull(),
    walletId: integer("wallet_id"),
    state: char("state", { length: 2 }),
    tagId: integer("tag_id").notNull().default(0),
    chipId: integer("chip_id").notNull().default(0),
    n: bigint("n", { mode: "number" }).notNull(),
  },
  (t) => [
    unique("contact_segment_counts_bucket")
      .on(t.organizationId, t.tagId, t.chipId, t.optInStatus, t.walletId, t.state)
      .nullsNotDistinct(),
  ],
);

// How many contacts of an organization live in each city/UF pair, kept exact by statement triggers on contacts
// (migration 0017), like contact_segment_counts: the city suggestions of Segmentação read a few thousand rows at
// most (Brazil has ~5,570 municipalities) instead of grouping the organization's contacts on every keystroke.
// Pairs that lose their last contact stay with n = 0 and are not suggested.
export const contactCityCounts = pgTable(
  "contact_city_counts",
  {
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    state: char("state", { length: 2 }).notNull(),
    city: text("city").notNull(),
    n: bigint("n", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.state, t.city] })],
);

export type Contact = typeof contacts.$inferSelect;
export type NewContact = typeof contacts.$inferInsert;
export type Tag = typeof tags.$inferSelect;
export type Wallet = typeof wallets.$inferSelect;
