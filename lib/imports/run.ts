import { randomUUID } from "node:crypto";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { chips, contacts, tags, wallets } from "@/db/schema";
import { ActionError } from "@/lib/auth/action";
import { audit } from "@/lib/audit";
import {
  formatInt,
  LIMITS,
  type ColumnMapping,
  type DuplicatePolicy,
  type ErrorKind,
  type ImportOptInSource,
  type OptInStatus,
} from "./fields";
import { fold as foldText } from "@/lib/search-rank";
import { resolveConsent, type ConsentState } from "./optin";
import type { SheetTable } from "./read";
import {
  claimBatch,
  contactConsentSig,
  countBatch,
  dataSig,
  finishImportRecord,
  ImportUndoneError,
  recordCreatedTags,
  startImportRecord,
} from "./record";
import { messages, validateRow, type ParsedRow } from "./validate";

export type ImportSettings = {
  mapping: ColumnMapping;
  /** Etiquetas added to every contact of the file. */
  tagIds: number[];
  walletId: number | null;
  /** The chip every contact of the file is registered on (contact_chips.registered). */
  chipId: number | null;
  defaultOptInStatus: OptInStatus;
  defaultOptInSource: ImportOptInSource;
  duplicates: DuplicatePolicy;
};

export type ImportCounts = {
  /** Data rows in the file (blank rows left out). */
  total: number;
  created: number;
  updated: number;
  /** Already in the base, left as they were ("ignorar"). */
  skipped: number;
  failed: number;
};

export type ImportRowError = { line: number; reason: string; kinds: ErrorKind[] };

/**
 * Where the writing stands, kept in the status at every batch, so that a run that stops (an error, or the server
 * going down) can say exactly which lines of the file are in the base and which are not.
 */
export type ImportWritten = {
  /** Every line up to this one is settled: written, left as it was ("ignorar") or refused with a reason. */
  settledThrough: number;
  /** The batch being written now (its first and last line): in the base only if it committed. */
  writing: { from: number; to: number } | null;
  /** The file's last data line. */
  lastLine: number;
};

export type ImportProgress = {
  phase: "validating" | "writing";
  processed: number;
  total: number;
  counts: ImportCounts;
  written?: ImportWritten;
};

export type ImportResult = {
  /** The import's record (contact_imports.id): the upload's id when the screen ran it. */
  importId: string;
  counts: ImportCounts;
  errors: ImportRowError[];
  createdTags: string[];
  consentChanges: number;
  batches: number;
  failedBatches: number;
  durationMs: number;
};

/** What a run that stopped partway had written; the errors list every line it did not write, with the reason. */
export type ImportPartial = Pick<ImportResult, "counts" | "errors" | "createdTags" | "consentChanges"> & {
  written: ImportWritten;
};

/** A run that stopped partway (`stoppedBy` is why): batches commit one by one, so some may be in the base. */
export class ImportStoppedError extends Error {
  constructor(
    readonly partial: ImportPartial,
    readonly stoppedBy: unknown,
  ) {
    super("importação interrompida");
  }
}

export const BATCH_SIZE = 1_000;

export const runMessages = {
  missingPhoneColumn: "Escolha a coluna do telefone: sem ela não há como importar os contatos.",
  missingNameColumn: "Escolha a coluna do nome: ele aparece nas mensagens, como em “Olá, Maria”.",
  unknownTags: "Alguma etiqueta escolhida não existe mais nesta organização. Recarregue a página e escolha de novo.",
  unknownWallet: "A carteira escolhida não existe mais nesta organização. Recarregue a página e escolha de novo.",
  unknownChip: "O chip escolhido não existe mais nesta organização. Recarregue a página e escolha de novo.",
  tooManyNewTags: (n: number) =>
    `A coluna de etiquetas tem ${formatInt(n)} nomes que ainda não existem; criamos no máximo ` +
    `${LIMITS.maxNewTags} por importação. Confira se escolheu a coluna certa ou crie as etiquetas antes.`,
  batchFailed: (from: number, to: number) =>
    `Não gravada: o lote das linhas ${formatInt(from)} a ${formatInt(to)} falhou no banco de dados e foi desfeito ` +
    "por inteiro (nenhuma linha dele entrou). Importe estas linhas de novo.",
  notReached: "Não gravada: a importação parou antes de chegar a esta linha. Importe-a de novo.",
};

type Actor = { organizationId: string; userId: string | null };

/** Every id the settings name must belong to the organization (ids come from the browser). */
export const checkReferences = async (db: Db, organizationId: string, settings: ImportSettings) => {
  const fieldErrors: Record<string, string[]> = {};
  if (settings.mapping.phone === undefined) fieldErrors["mapping.phone"] = [runMessages.missingPhoneColumn];
  if (settings.mapping.name === undefined) fieldErrors["mapping.name"] = [runMessages.missingNameColumn];
  const [tagRows, walletRows, chipRows] = await Promise.all([
    settings.tagIds.length
      ? db
          .select({ id: tags.id })
          .from(tags)
          .where(and(eq(tags.organizationId, organizationId), inArray(tags.id, settings.tagIds)))
      : [],
    settings.walletId === null
      ? []
      : db
          .select({ id: wallets.id })
          .from(wallets)
          .where(and(eq(wallets.organizationId, organizationId), eq(wallets.id, settings.walletId))),
    settings.chipId === null
      ? []
      : db
          .select({ id: chips.id })
          .from(chips)
          .where(and(eq(chips.organizationId, organizationId), eq(chips.id, settings.chipId))),
  ]);
  if (tagRows.length !== new Set(settings.tagIds).size) fieldErrors.tagIds = [runMessages.unknownTags];
  if (settings.walletId !== null && walletRows.length === 0) fieldErrors.walletId = [runMessages.unknownWallet];
  if (settings.chipId !== null && chipRows.length === 0) fieldErrors.chipId = [runMessages.unknownChip];
  if (Object.keys(fieldErrors).length)
    throw new ActionError("invalid", Object.values(fieldErrors)[0]![0]!, fieldErrors);
};

// "calcados" in a file is the organization's "Calçados", not a second etiqueta beside it (the pickers' folding).
const tagKey = foldText;

// Etiquetas named in the file: existing ones matched without regard to case or accents, the others created (a capped
// number, so a wrongly mapped column cannot flood the organization with tags).
// The ones created are recorded on the import in the same transaction (its undo removes those left unused).
const resolveTagNames = async (db: Db, organizationId: string, importId: string, names: Map<string, string>) => {
  const ids = new Map<string, number>();
  if (names.size === 0) return { ids, created: [] as string[] };
  const load = async () => {
    const rows = await db.select({ id: tags.id, name: tags.name }).from(tags).where(eq(tags.organizationId, organizationId));
    for (const r of rows) if (!ids.has(tagKey(r.name))) ids.set(tagKey(r.name), r.id);
  };
  await load();
  const missing = [...names].filter(([key]) => !ids.has(key)).map(([, name]) => name);
  if (missing.length > LIMITS.maxNewTags) throw new ActionError("invalid", runMessages.tooManyNewTags(missing.length));
  if (missing.length) {
    await db.transaction(async (tx) => {
      const inserted = await tx
        .insert(tags)
        .values(missing.map((name) => ({ organizationId, name })))
        .onConflictDoNothing()
        .returning({ id: tags.id });
      if (inserted.length) await recordCreatedTags(tx, organizationId, importId, inserted.map((t) => t.id));
    });
    await load();
  }
  return { ids, created: missing };
};

/**
 * Imports a parsed spreadsheet: validates every row, then writes the valid ones in batches, each batch one
 * transaction (all of its rows or none). Every query is scoped by the organization. A run that stops partway
 * throws ImportStoppedError with what it wrote.
 *
 * Not one transaction for the whole file: every contact write also moves the organization's segment count
 * buckets (statement triggers of migrations 0003 and 0007), so a transaction holds the bucket rows it touched —
 * the organization-wide ones among them — until it commits. One transaction of 200,000 rows (~18 s) would make
 * every other contact write of the organization wait that long (an opt-out by webhook, which answers Meta only
 * after it commits; a contact saved on screen; another import), and its lock order across batches would deadlock
 * with them. A batch holds them ~100 ms.
 */
export const runImport = async (
  db: Db,
  input: Actor & {
    timeZone: string;
    table: SheetTable;
    settings: ImportSettings;
    fileName: string;
    importId?: string;
    batchSize?: number;
    now?: Date;
    onProgress?: (progress: ImportProgress) => void | Promise<void>;
  },
): Promise<ImportResult> => {
  const started = performance.now();
  const { organizationId, userId, settings, table } = input;
  const now = input.now ?? new Date();
  const batchSize = input.batchSize ?? BATCH_SIZE;
  const total = table.rows.length;
  const counts: ImportCounts = { total, created: 0, updated: 0, skipped: 0, failed: 0 };
  const errors: ImportRowError[] = [];
  const fail = (line: number, reason: string, kinds: ErrorKind[]) => {
    errors.push({ line, reason, kinds });
    counts.failed++;
  };
  const lastLine = total ? table.rows[total - 1]!.line : 0;
  let settledThrough = 0;
  let createdTags: string[] = [];
  let consentChanges = 0;
  const written = (writing: ImportWritten["writing"]): ImportWritten => ({ settledThrough, writing, lastLine });
  const progress = (phase: ImportProgress["phase"], processed: number, writing: ImportWritten["writing"] = null) =>
    input.onProgress?.({ phase, processed, total, counts: { ...counts }, written: written(writing) });

  await checkReferences(db, organizationId, settings);
  const importId = input.importId ?? randomUUID();
  await startImportRecord(db, {
    id: importId,
    organizationId,
    userId,
    fileName: input.fileName,
    chipId: settings.chipId,
    startedAt: now,
    totalRows: total,
  });

  // 1. Every row on its own, then repeated phones (the later row is the one reported). Nothing is written yet.
  const valid: ParsedRow[] = [];
  const firstLine = new Map<string, number>();
  const tagNames = new Map<string, string>();
  const ctx = { timeZone: input.timeZone, now };
  for (let i = 0; i < total; i++) {
    const { line, cells } = table.rows[i]!;
    const result = validateRow(line, cells, settings.mapping, ctx);
    if (!result.ok) {
      fail(line, result.reason, result.kinds);
      continue;
    }
    const row = result.row;
    const seen = firstLine.get(row.phone);
    if (seen !== undefined) {
      fail(line, messages.duplicate(seen), ["duplicate"]);
      continue;
    }
    firstLine.set(row.phone, line);
    for (const name of row.tags) if (!tagNames.has(tagKey(name))) tagNames.set(tagKey(name), name);
    valid.push(row);
    if (i % 20_000 === 19_999) await progress("validating", i + 1);
  }

  try {
    const resolved = await resolveTagNames(db, organizationId, importId, tagNames);
    const tagIdByName = resolved.ids;
    createdTags = resolved.created;
    const fileTagIds = [...new Set(settings.tagIds)];

    let batches = 0;
    let failedBatches = 0;
    for (let start = 0; start < valid.length; start += batchSize) {
      // A batch is consecutive valid rows of the file: every line before its first one is settled.
      const rows = valid.slice(start, start + batchSize);
      const from = rows[0]!.line;
      const to = rows[rows.length - 1]!.line;
      settledThrough = from - 1;
      await progress("writing", counts.failed + counts.created + counts.updated + counts.skipped, { from, to });
      // Sorted by phone, so two imports touching the same contacts lock them in the same order.
      const batch = rows.sort((a, b) => (a.phone < b.phone ? -1 : a.phone > b.phone ? 1 : 0));
      batches++;
      try {
        const outcome = await writeBatch(db, { organizationId, userId, importId, settings, now, batch, tagIdByName, fileTagIds });
        counts.created += outcome.created;
        counts.updated += outcome.updated;
        counts.skipped += outcome.skipped;
        consentChanges += outcome.consentChanges;
        for (const e of outcome.errors) fail(e.line, e.reason, e.kinds);
      } catch (err) {
        // Undone meanwhile (its process was taken for dead): nothing more is written.
        if (err instanceof ImportUndoneError) throw err;
        failedBatches++;
        // Only the PostgreSQL error code: the message may quote a phone or a name.
        const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
        const code = cause?.code ?? (err as { code?: unknown } | null)?.code;
        console.error(`[import ${importId}] lote ${batches} desfeito (linhas ${batch.length})`, String(code ?? "sem código"));
        for (const row of batch) fail(row.line, runMessages.batchFailed(from, to), ["batch"]);
      }
      settledThrough = to;
    }
    settledThrough = lastLine;
    await progress("writing", total);

    errors.sort((a, b) => a.line - b.line);
    await finishImportRecord(db, organizationId, importId, { state: "done", failed: counts.failed });
    const durationMs = Math.round(performance.now() - started);
    await audit(db, {
      organizationId,
      userId,
      action: "contacts.import",
      entityType: "contact_import",
      entityId: importId,
      data: {
        fileName: input.fileName,
        format: table.format,
        rows: total,
        created: counts.created,
        updated: counts.updated,
        skipped: counts.skipped,
        failed: counts.failed,
        failedBatches,
        consentChanges,
        createdTags: createdTags.length,
        duplicates: settings.duplicates,
        defaultOptInStatus: settings.defaultOptInStatus,
        tagIds: fileTagIds,
        walletId: settings.walletId,
        chipId: settings.chipId,
        durationMs,
      },
    });
    return { importId, counts, errors, createdTags, consentChanges, batches, failedBatches, durationMs };
  } catch (err) {
    // Every valid line past the settled ones was not written.
    for (const row of valid) if (row.line > settledThrough) fail(row.line, runMessages.notReached, ["stopped"]);
    errors.sort((a, b) => a.line - b.line);
    // Best effort: with the database gone, the record stays "running" and goes stale (record.ts isStaleRun).
    await finishImportRecord(db, organizationId, importId, { state: "failed", failed: counts.failed }).catch(() => {});
    throw new ImportStoppedError({ counts, errors, createdTags, consentChanges, written: written(null) }, err);
  }
};

type BatchInput = {
  organizationId: string;
  userId: string | null;
  importId: string;
  settings: ImportSettings;
  now: Date;
  batch: ParsedRow[];
  tagIdByName: Map<string, number>;
  fileTagIds: number[];
};

type ContactValues = {
  phone: string;
  name: string;
  city: string | null;
  state: string | null;
  wallet_id: number | null;
  tag_ids: number[];
  opt_in_status: ConsentState["optInStatus"];
  opt_in_source: ConsentState["optInSource"];
  opt_in_at: string | null;
  opted_out_at: string | null;
} & Partial<Before>;

// An updated contact's fields before the import, recorded for its undo (contact_import_changes.before_*).
type Before = {
  b_name: string;
  b_city: string | null;
  b_state: string | null;
  b_wallet_id: number | null;
  b_tag_ids: number[];
  b_status: ConsentState["optInStatus"];
  b_source: ConsentState["optInSource"];
  b_opt_in_at: string | null;
  b_opted_out_at: string | null;
  b_chip: boolean | null;
};

// Rows travel as one JSON parameter read by jsonb_to_recordset: building and binding ~12,000 parameters per
// batch through the query builder cost more than PostgreSQL's own work (measured: ~40 ms of 130 ms per batch).
const asJson = (value: unknown) => JSON.stringify(value);
const textArray = (values: readonly string[]) => `{${values.map((v) => `"${v.replace(/["\\]/g, "\\$&")}"`).join(",")}}`;

// One transaction: nothing of a batch is written unless all of it is.
const writeBatch = (db: Db, b: BatchInput) =>
  db.transaction(async (tx) => {
    const { organizationId, settings, now } = b;
    const update = settings.duplicates === "update";
    await claimBatch(tx, organizationId, b.importId);
    const existingQuery = tx
      .select({
        id: contacts.id,
        phone: contacts.phone,
        name: contacts.name,
        city: contacts.city,
        state: contacts.state,
        walletId: contacts.walletId,
        tagIds: contacts.tagIds,
        optInStatus: contacts.optInStatus,
        optInSource: contacts.optInSource,
        optInAt: contacts.optInAt,
        optedOutAt: contacts.optedOutAt,
        chipRegistered:
          settings.chipId === null
            ? sql<null>`null`
            : sql<boolean | null>`(select cc.registered from contact_chips cc where cc.contact_id = ${contacts.id} and cc.chip_id = ${settings.chipId})`,
      })
      .from(contacts)
      .where(
        and(
          eq(contacts.organizationId, organizationId),
          sql`${contacts.phone} = any(${textArray(b.batch.map((r) => r.phone))}::text[])`,
        ),
      );
    // Updating: lock the rows, so the consent read here is the one the update replaces.
    const existingRows = update ? await existingQuery.for("update") : await existingQuery;
    const existing = new Map(existingRows.map((r) => [r.phone, r]));

    const errors: ImportRowError[] = [];
    let skipped = 0;
    const values: ContactValues[] = [];
    const consentByPhone = new Map<string, ConsentState>();
    for (const row of b.batch) {
      const current = existing.get(row.phone);
      if (current && !update) {
        skipped++;
        continue;
      }
      if (!current && row.name === null) {
        errors.push({ line: row.line, reason: messages.nameMissing, kinds: ["name"] });
        continue;
      }
      const consent = resolveConsent(
        current ?? null,
        { status: row.optInStatus, source: row.optInSource, at: row.optInAt },
        { status: settings.defaultOptInStatus, source: settings.defaultOptInSource },
        now,
      );
      if (consent.changed) consentByPhone.set(row.phone, consent.state);
      const rowTags = row.tags.map((t) => b.tagIdByName.get(tagKey(t))).filter((id): id is number => id !== undefined);
      values.push({
        phone: row.phone,
        name: row.name ?? current!.name,
        city: row.city,
        state: row.state,
        wallet_id: settings.walletId,
        tag_ids: [...new Set([...b.fileTagIds, ...rowTags])].sort((x, y) => x - y),
        opt_in_status: consent.state.optInStatus,
        opt_in_source: consent.state.optInSource,
        opt_in_at: consent.state.optInAt?.toISOString() ?? null,
        opted_out_at: consent.state.optedOutAt?.toISOString() ?? null,
        ...(current && {
          b_name: current.name,
          b_city: current.city,
          b_state: current.state,
          b_wallet_id: current.walletId,
          b_tag_ids: current.tagIds,
          b_status: current.optInStatus,
          b_source: current.optInSource,
          b_opt_in_at: current.optInAt?.toISOString() ?? null,
          b_opted_out_at: current.optedOutAt?.toISOString() ?? null,
          b_chip: current.chipRegistered,
        }),
      });
    }
    if (values.length === 0) {
      await countBatch(tx, organizationId, b.importId, { created: 0, updated: 0, skipped });
      return { created: 0, updated: 0, skipped, consentChanges: 0, errors };
    }

    // An empty cell keeps what the base has; a wallet is only set, etiquetas only added. Consent was decided
    // above from the locked row.
    const onConflict = update
      ? sql`do update set
          name = excluded.name,
          city = coalesce(excluded.city, c.city),
          state = coalesce(excluded.state, c.state),
          wallet_id = coalesce(excluded.wallet_id, c.wallet_id),
          tag_ids = (select coalesce(array_agg(distinct t order by t), '{}'::int[]) from unnest(c.tag_ids || excluded.tag_ids) as t),
          opt_in_status = excluded.opt_in_status,
          opt_in_source = excluded.opt_in_source,
          opt_in_at = excluded.opt_in_at,
          opted_out_at = excluded.opted_out_at,
          updated_at = now()`
      : sql`do nothing`;
    // The same statement records each written contact for the import's undo: its fingerprints as written and,
    // when it existed, its fields before (read above under lock). A contact created by someone else between that
    // read and this write has no "before" (b_name null): its undo will leave it as it is.
    const written = (
      await tx.execute<{ id: string; phone: string; inserted: boolean }>(sql`
        with r as (
          select * from jsonb_to_recordset(${asJson(values)}::jsonb) as r(name text, phone text, city text, state text,
            wallet_id integer, tag_ids integer[], opt_in_status text, opt_in_source text, opt_in_at timestamptz,
            opted_out_at timestamptz, b_name text, b_city text, b_state text, b_wallet_id integer, b_tag_ids integer[],
            b_status text, b_source text, b_opt_in_at timestamptz, b_opted_out_at timestamptz, b_chip boolean)
        ),
        w as (
          insert into contacts as c
            (organization_id, name, phone, city, state, wallet_id, tag_ids, opt_in_status, opt_in_source, opt_in_at, opted_out_at)
          select ${organizationId}::uuid, r.name, r.phone, r.city, r.state, r.wallet_id, coalesce(r.tag_ids, '{}'),
            r.opt_in_status::opt_in_status, r.opt_in_source::opt_in_source, r.opt_in_at, r.opted_out_at
          from r
          on conflict (organization_id, phone) ${onConflict}
          returning c.id, c.phone, (c.xmax = 0) as inserted, ${dataSig("c")} as data_sig, ${contactConsentSig("c")} as consent_sig
        ),
        recorded as (
          insert into contact_import_changes (import_id, organization_id, contact_id, kind, data_sig, consent_sig,
            before_name, before_city, before_state, before_wallet_id, before_tag_ids, before_opt_in_status,
            before_opt_in_source, before_opt_in_at, before_opted_out_at, before_chip_registered)
          select ${b.importId}::uuid, ${organizationId}::uuid, w.id,
            case when w.inserted then 'created' else 'updated' end::contact_import_change_kind, w.data_sig, w.consent_sig,
            r.b_name, r.b_city, r.b_state, r.b_wallet_id, r.b_tag_ids, r.b_status::opt_in_status,
            r.b_source::opt_in_source, r.b_opt_in_at, r.b_opted_out_at, r.b_chip
          from w join r on r.phone = w.phone
        )
        select w.id::text as id, w.phone, w.inserted from w`)
    ).map((w) => ({ id: Number(w.id), phone: w.phone, inserted: w.inserted }));

    const created = written.filter((w) => w.inserted).length;
    // "Ignorar": a contact created by someone else between the read and the insert is skipped too.
    skipped += values.length - written.length;

    const events = written
      .filter((w) => consentByPhone.has(w.phone))
      .map((w) => ({ contact_id: w.id, status: consentByPhone.get(w.phone)!.optInStatus }));
    if (events.length)
      await tx.execute(sql`
        insert into consent_events (organization_id, contact_id, status, source, chip_id, user_id, occurred_at)
        select ${organizationId}::uuid, e.contact_id, e.status::opt_in_status, 'import', ${settings.chipId}::integer,
          ${b.userId}::uuid, ${now.toISOString()}::timestamptz
        from jsonb_to_recordset(${asJson(events)}::jsonb) as e(contact_id bigint, status text)`);

    if (settings.chipId !== null && written.length)
      await tx.execute(sql`
        insert into contact_chips (organization_id, contact_id, chip_id, registered)
        select ${organizationId}::uuid, id::bigint, ${settings.chipId}::integer, true
        from jsonb_array_elements_text(${asJson(written.map((w) => w.id))}::jsonb) as id
        on conflict (contact_id, chip_id) do update set registered = true`);

    await countBatch(tx, organizationId, b.importId, { created, updated: written.length - created, skipped });
    return { created, updated: written.length - created, skipped, consentChanges: events.length, errors };
  });
