import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { DbOrTx } from "@/db/client";
import { contactImports, users } from "@/db/schema";
import { STALE_RUN_MS } from "./store";
import type { UndoOutcome } from "./undo-outcome";

// The record of each import in the database (db/schema/imports.ts): started before the first row is written,
// moved forward in the transaction of every batch (so it says exactly what committed), finished at the end.
// lib/imports/undo.ts reads it back.

/**
 * Fingerprints of a contact row (alias `c`): what undo compares with the row as the import left it. Two of them,
 * because a change of consent since the import (a "SAIR") does not stop the rest from being put back. A row's
 * text form quotes every field (no two rows print alike); timestamps go in as epoch numbers, since their text
 * would depend on the session's time zone. hashtextextended: measured 5 ms per 1,000 rows, md5 of a jsonb 13 ms.
 */
const fingerprint = (fields: string[]) => sql.raw(`hashtextextended(row(${fields.join(", ")})::text, 0)`);

export const dataSig = (c: string) =>
  fingerprint([`${c}.name`, `${c}.phone`, `${c}.city`, `${c}.state`, `${c}.wallet_id`, `${c}.tag_ids`]);

export const consentSig = (status: string, source: string, optInAt: string, optedOutAt: string) =>
  fingerprint([status, source, `extract(epoch from ${optInAt})`, `extract(epoch from ${optedOutAt})`]);

export const contactConsentSig = (c: string) =>
  consentSig(`${c}.opt_in_status`, `${c}.opt_in_source`, `${c}.opt_in_at`, `${c}.opted_out_at`);

/** A batch found its import undone (a run whose process was thought dead): it writes nothing more. */
export class ImportUndoneError extends Error {
  constructor() {
    super("A importação foi desfeita enquanto ainda gravava: as linhas seguintes não foram gravadas.");
  }
}

export const startImportRecord = (
  db: DbOrTx,
  input: { id: string; organizationId: string; userId: string | null; fileName: string; chipId: number | null; startedAt: Date; totalRows: number },
) =>
  db.insert(contactImports).values({
    id: input.id,
    organizationId: input.organizationId,
    userId: input.userId,
    fileName: input.fileName,
    chipId: input.chipId,
    startedAt: input.startedAt,
    totalRows: input.totalRows,
  });

const scope = (organizationId: string, id: string): SQL =>
  and(eq(contactImports.organizationId, organizationId), eq(contactImports.id, id))!;

/**
 * The first statement of a batch's transaction: takes the import's row (an undo takes it first too, so the two
 * queue in one order and never deadlock) and refuses to go on once the import is undone.
 */
export const claimBatch = async (tx: DbOrTx, organizationId: string, id: string) => {
  const [row] = await tx
    .update(contactImports)
    .set({ updatedAt: sql`now()` })
    .where(and(scope(organizationId, id), sql`${contactImports.undoneAt} is null`))
    .returning({ id: contactImports.id });
  if (!row) throw new ImportUndoneError();
};

export const countBatch = (
  tx: DbOrTx,
  organizationId: string,
  id: string,
  n: { created: number; updated: number; skipped: number },
) =>
  tx
    .update(contactImports)
    .set({
      created: sql`${contactImports.created} + ${n.created}`,
      updated: sql`${contactImports.updated} + ${n.updated}`,
      skipped: sql`${contactImports.skipped} + ${n.skipped}`,
    })
    .where(scope(organizationId, id));

export const recordCreatedTags = (tx: DbOrTx, organizationId: string, id: string, tagIds: number[]) =>
  tx.update(contactImports).set({ createdTagIds: tagIds }).where(scope(organizationId, id));

export const finishImportRecord = (
  db: DbOrTx,
  organizationId: string,
  id: string,
  end: { state: "done" | "failed"; failed: number },
) =>
  db
    .update(contactImports)
    .set({ state: end.state, failed: end.failed, finishedAt: sql`now()`, updatedAt: sql`now()` })
    .where(scope(organizationId, id));

/** A "running" record whose batches stopped long ago: its process died, it will not move again. */
export const isStaleRun = (r: { state: string; updatedAt: Date }, now = Date.now()) =>
  r.state === "running" && now - r.updatedAt.getTime() > STALE_RUN_MS;

export type ImportRecordState = "running" | "done" | "failed" | "interrupted" | "undone";

/** One line of "Importações recentes": client-safe (no internal ids but the import's own). */
export type ImportRecordView = {
  id: string;
  fileName: string;
  userName: string | null;
  startedAt: string;
  finishedAt: string | null;
  state: ImportRecordState;
  totalRows: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  undoneAt: string | null;
  undoneBy: string | null;
  undoOutcome: UndoOutcome | null;
};

export const RECENT_IMPORTS = 20;

const undoer = alias(users, "undoer");

/** The organization's latest imports, newest first. */
export const listRecentImports = async (db: DbOrTx, organizationId: string, limit = RECENT_IMPORTS): Promise<ImportRecordView[]> => {
  const rows = await db
    .select({
      record: contactImports,
      userName: users.name,
      undoneBy: undoer.name,
    })
    .from(contactImports)
    .leftJoin(users, eq(users.id, contactImports.userId))
    .leftJoin(undoer, eq(undoer.id, contactImports.undoneByUserId))
    .where(eq(contactImports.organizationId, organizationId))
    .orderBy(desc(contactImports.startedAt))
    .limit(limit);
  return rows.map(({ record: r, userName, undoneBy }) => ({
    id: r.id,
    fileName: r.fileName,
    userName,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    state: r.undoneAt ? "undone" : isStaleRun(r) ? "interrupted" : r.state,
    totalRows: r.totalRows,
    created: r.created,
    updated: r.updated,
    skipped: r.skipped,
    failed: r.failed,
    undoneAt: r.undoneAt?.toISOString() ?? null,
    undoneBy,
    undoOutcome: (r.undoOutcome as UndoOutcome | null) ?? null,
  }));
};
