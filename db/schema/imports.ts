import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  char,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { optInSource, optInStatus } from "./enums";
import { organizations } from "./organizations";
import { users } from "./users";
import { chips } from "./chips";
import { contacts } from "./contacts";

// running → done (every batch tried; some may have failed) | failed (stopped partway). A run silent for longer
// than lib/imports/store.ts STALE_RUN_MS died with its process, whatever its state says.
export const contactImportState = pgEnum("contact_import_state", ["running", "done", "failed"]);

export const contactImportChangeKind = pgEnum("contact_import_change_kind", ["created", "updated"]);

// One contact import (its id is the upload's): what it wrote, kept up to date in the transaction of each batch,
// so the record is exactly what committed; and its undo (lib/imports/undo.ts).
export const contactImports = pgTable(
  "contact_imports",
  {
    id: uuid("id").primaryKey(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    fileName: text("file_name").notNull(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    // The chip every contact of the file was registered on, if any.
    chipId: integer("chip_id").references(() => chips.id, { onDelete: "set null" }),
    state: contactImportState("state").notNull().default("running"),
    // The run's clock: its consent events carry this very time (source import), which tells them from any other.
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    // Written by every batch: a running import silent for long died with its process.
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    totalRows: integer("total_rows").notNull().default(0),
    created: integer("created").notNull().default(0),
    updated: integer("updated").notNull().default(0),
    skipped: integer("skipped").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    // Etiquetas this import created (named in the file and unknown until then): undo removes those left unused.
    createdTagIds: integer("created_tag_ids").array().notNull().default(sql`'{}'::integer[]`),
    undoneAt: timestamp("undone_at", { withTimezone: true }),
    undoneByUserId: uuid("undone_by_user_id").references(() => users.id, { onDelete: "set null" }),
    // What the undo did, in numbers (lib/imports/undo-outcome.ts UndoOutcome).
    undoOutcome: jsonb("undo_outcome"),
  },
  (t) => [index("contact_imports_org_started_idx").on(t.organizationId, t.startedAt)],
);

// One row per contact an import created or updated, written by the batch's own statement: the contact's
// fingerprints after the import (to see, at undo, whether anything changed it since) and, for an updated one,
// what undo puts back. Deleted at undo, and with the contact (an erasure takes its earlier values too).
// import_id and organization_id carry no foreign key of their own: the rows go with their contact (an organization
// deleted takes its contacts), and each key costs a lookup per written row — measured, the two keys together
// added a sixth to the time of a batch's insert (1,000 rows: 66 → 87 ms; the contact's key alone: 82 ms).
export const contactImportChanges = pgTable(
  "contact_import_changes",
  {
    importId: uuid("import_id").notNull(),
    organizationId: uuid("organization_id").notNull(),
    contactId: bigint("contact_id", { mode: "number" })
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    kind: contactImportChangeKind("kind").notNull(),
    // 64-bit hashes of the contact's fields right after the import (lib/imports/record.ts dataSig / consentSig).
    dataSig: bigint("data_sig", { mode: "bigint" }).notNull(),
    consentSig: bigint("consent_sig", { mode: "bigint" }).notNull(),
    // Updated contacts only: the fields as they were. before_name null = not known (a contact created by someone
    // else between the batch's read and its write), so never restored.
    beforeName: text("before_name"),
    beforeCity: text("before_city"),
    beforeState: char("before_state", { length: 2 }),
    beforeWalletId: integer("before_wallet_id"),
    beforeTagIds: integer("before_tag_ids").array(),
    beforeOptInStatus: optInStatus("before_opt_in_status"),
    beforeOptInSource: optInSource("before_opt_in_source"),
    beforeOptInAt: timestamp("before_opt_in_at", { withTimezone: true }),
    beforeOptedOutAt: timestamp("before_opted_out_at", { withTimezone: true }),
    // The import's chip (contact_imports.chip_id) before it: null no registration row, else its `registered`.
    beforeChipRegistered: boolean("before_chip_registered"),
  },
  (t) => [
    primaryKey({ columns: [t.importId, t.contactId] }),
    // Deleting a contact (undo, erasure) finds its rows here.
    index("contact_import_changes_contact_idx").on(t.contactId),
  ],
);

export type ContactImport = typeof contactImports.$inferSelect;
