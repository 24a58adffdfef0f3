import "server-only";
import type { Db } from "@/db/client";
import { ActionError } from "@/lib/auth/action";
import { describeError } from "@/lib/log";
import { toCsv } from "./csv";
import { guessMapping, LIMITS, tooLargeMessage, type ColumnMapping, type ErrorKind } from "./fields";
import { ImportFileError, readSpreadsheet, type SheetTable } from "./read";
import {
  checkReferences,
  ImportStoppedError,
  runImport,
  type ImportPartial,
  type ImportRowError,
  type ImportSettings,
} from "./run";
import {
  claimRun,
  createUpload,
  deleteUpload,
  readStatus,
  readUpload,
  sweepExpired,
  UPLOAD_TTL_MS,
  writeErrorReport,
  writeStatus,
  type ErrorPreview,
  type ImportStatus,
  type UploadSummary,
} from "./store";

// The steps behind the import screen: accept an upload, start its import, and run it to the end, keeping
// status.json up to date for the page that polls it.

export const ERRORS_ON_SCREEN = 100;

export const jobMessages = {
  notFound: "Não encontramos este arquivo: ele expira 1 hora depois do envio. Envie a planilha de novo.",
  alreadyStarted: "Esta importação já foi iniciada. Acompanhe o andamento nesta página.",
  mappingOutOfRange: "A coluna escolhida não existe nesta planilha. Escolha de novo.",
  duplicateColumn: "A mesma coluna foi escolhida para dois campos. Escolha uma coluna diferente para cada um.",
  failed:
    "A importação parou por um erro do nosso lado. Veja abaixo o que ficou gravado; para completar, importe o mesmo " +
    "arquivo de novo em instantes, com as mesmas opções (os contatos já gravados são reconhecidos pelo telefone e não se repetem).",
};

const cleanFileName = (name: string) =>
  // Only the name (browsers may send a path), no control characters, a sane length.
  (name.split(/[\\/]/).pop() ?? "")
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .trim()
    .slice(0, 200) || "planilha";

export const summarize = (table: SheetTable): UploadSummary => ({
  format: table.format,
  encoding: table.encoding,
  delimiter: table.delimiter,
  headers: table.headers,
  preview: table.rows.slice(0, LIMITS.previewRows).map((r) => ({
    line: r.line,
    cells: table.headers.map((_, i) => (r.cells[i] ?? "").slice(0, 200)),
  })),
  totalRows: table.rows.length,
  guessedMapping: guessMapping(table.headers),
});

// Uploads hold personal data: they are swept even if nobody opens the page again. One timer per process, armed
// by an upload, re-armed while anything is left to expire.
const sweeper = globalThis as unknown as { __disparoImportSweep?: ReturnType<typeof setTimeout> };
const scheduleSweep = (delay = UPLOAD_TTL_MS + 60_000) => {
  if (sweeper.__disparoImportSweep) return;
  sweeper.__disparoImportSweep = setTimeout(async () => {
    sweeper.__disparoImportSweep = undefined;
    const { kept } = await sweepExpired().catch(() => ({ kept: 1 }));
    if (kept) scheduleSweep(10 * 60_000);
  }, delay);
  sweeper.__disparoImportSweep.unref?.();
};

/** Reads the file once (to refuse a bad one at once and show the preview) and keeps it on the server. */
export const acceptUpload = async (input: { organizationId: string; userId: string; fileName: string; bytes: Uint8Array }) => {
  if (input.bytes.length > LIMITS.maxBytes) throw new ActionError("invalid", tooLargeMessage(input.bytes.length));
  let table: SheetTable;
  try {
    table = await readSpreadsheet(input.bytes);
  } catch (err) {
    if (err instanceof ImportFileError) throw new ActionError("invalid", err.message, { file: [err.message] });
    throw err;
  }
  await sweepExpired().catch(() => null);
  scheduleSweep();
  return createUpload({ ...input, fileName: cleanFileName(input.fileName), summary: summarize(table) });
};

const checkMapping = (mapping: ColumnMapping, width: number) => {
  const columns = Object.values(mapping).filter((c): c is number => c !== undefined);
  if (columns.some((c) => c < 0 || c >= width))
    throw new ActionError("invalid", jobMessages.mappingOutOfRange, { mapping: [jobMessages.mappingOutOfRange] });
  if (new Set(columns).size !== columns.length)
    throw new ActionError("invalid", jobMessages.duplicateColumn, { mapping: [jobMessages.duplicateColumn] });
};

/** The error report: UTF-8 with BOM, ";" — opens well in Excel pt-BR; the row as it was, plus line and reason. */
export const buildErrorReport = (table: SheetTable, errors: readonly ImportRowError[]) => {
  const byLine = new Map(table.rows.map((r) => [r.line, r.cells]));
  const records = [["Linha", "Motivo", ...table.headers]];
  for (const e of errors) {
    const cells = byLine.get(e.line) ?? [];
    records.push([String(e.line), e.reason, ...table.headers.map((_, i) => cells[i] ?? "")]);
  }
  return toCsv(records, ";");
};

type RunInput = { organizationId: string; userId: string; timeZone: string; id: string; settings: ImportSettings };

/**
 * Checks the choices and claims the upload (one run per upload), marking it running. Returns the run itself,
 * for the caller to start after answering the browser.
 */
export const prepareImport = async (db: Db, input: RunInput) => {
  const status = await readStatus(input.organizationId, input.id);
  if (!status) throw new ActionError("not_found", jobMessages.notFound);
  if (status.state !== "uploaded") throw new ActionError("conflict", jobMessages.alreadyStarted);
  checkMapping(input.settings.mapping, status.summary.headers.length);
  await checkReferences(db, input.organizationId, input.settings);
  if (!(await claimRun(input.organizationId, input.id))) throw new ActionError("conflict", jobMessages.alreadyStarted);
  const running = await writeStatus({
    ...status,
    state: "running",
    startedAt: new Date().toISOString(),
    progress: { phase: "validating", processed: 0, total: status.summary.totalRows, counts: emptyCounts(status) },
  });
  return () => executeImport(db, input, running);
};

const emptyCounts = (status: ImportStatus) => ({
  total: status.summary.totalRows,
  created: 0,
  updated: 0,
  skipped: 0,
  failed: 0,
});

const preview = (table: SheetTable, mapping: ColumnMapping, errors: readonly ImportRowError[]): ErrorPreview[] => {
  const byLine = new Map(table.rows.map((r) => [r.line, r.cells]));
  return errors.slice(0, ERRORS_ON_SCREEN).map((e) => {
    const cells = byLine.get(e.line) ?? [];
    const at = (i: number | undefined) => (i === undefined ? "" : (cells[i] ?? "").slice(0, 120));
    return { ...e, phone: at(mapping.phone), name: at(mapping.name) };
  });
};

const summarizeErrors = (errors: readonly ImportRowError[]) => {
  const counts = new Map<ErrorKind, number>();
  for (const e of errors) for (const kind of e.kinds) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return [...counts].map(([kind, count]) => ({ kind, count })).sort((a, b) => b.count - a.count);
};

// What the status of a run that stopped partway says: counts, the lines settled, and a report of every line not
// written (refused, in a failed batch, or never reached), so the screen can say exactly what is in the base.
const stoppedOutcome = async (input: RunInput, table: SheetTable, partial: ImportPartial): Promise<Partial<ImportStatus>> => {
  if (partial.errors.length)
    await writeErrorReport(input.organizationId, input.id, buildErrorReport(table, partial.errors)).catch(() => {});
  const total = table.rows.length;
  const processed = table.rows.filter((r) => r.line <= partial.written.settledThrough).length;
  return {
    progress: { phase: "writing", processed, total, counts: partial.counts, written: partial.written },
    counts: partial.counts,
    errorsPreview: preview(table, input.settings.mapping, partial.errors),
    errorCount: partial.errors.length,
    errorSummary: summarizeErrors(partial.errors),
    createdTags: partial.createdTags,
    consentChanges: partial.consentChanges,
  };
};

// Stopped before writing anything (the file could not be read again, a choice no longer valid).
const nothingWritten = (status: ImportStatus): Partial<ImportStatus> => {
  const total = status.summary.totalRows;
  const counts = { total, created: 0, updated: 0, skipped: 0, failed: 0 };
  return { progress: { phase: "validating", processed: 0, total, counts, written: { settledThrough: 0, writing: null, lastLine: 0 } } };
};

/** Runs a prepared import to the end; never throws (a failure is written to the status for the page). */
export const executeImport = async (db: Db, input: RunInput, running: ImportStatus): Promise<ImportStatus> => {
  let status = running;
  let read: SheetTable | null = null;
  let finished: ImportPartial | null = null;
  try {
    const table = (read = await readSpreadsheet(await readUpload(input.organizationId, input.id)));
    let lastWrite = 0;
    const result = await runImport(db, {
      organizationId: input.organizationId,
      userId: input.userId,
      timeZone: input.timeZone,
      table,
      settings: input.settings,
      fileName: status.fileName,
      importId: input.id,
      // Each batch is recorded before it is written (the result of a run that stops depends on it); the
      // validation's progress at most every 300 ms.
      onProgress: async (progress) => {
        if (!progress.written?.writing && Date.now() - lastWrite < 300) return;
        lastWrite = Date.now();
        status = await writeStatus({ ...status, progress });
      },
    });
    const lastLine = table.rows.at(-1)?.line ?? 0;
    finished = { ...result, written: { settledThrough: lastLine, writing: null, lastLine } };
    if (result.errors.length) await writeErrorReport(input.organizationId, input.id, buildErrorReport(table, result.errors));
    status = await writeStatus({
      ...status,
      state: "done",
      finishedAt: new Date().toISOString(),
      progress: { phase: "writing", processed: table.rows.length, total: table.rows.length, counts: result.counts, written: finished.written },
      counts: result.counts,
      errorsPreview: preview(table, input.settings.mapping, result.errors),
      errorCount: result.errors.length,
      errorSummary: summarizeErrors(result.errors),
      createdTags: result.createdTags,
      consentChanges: result.consentChanges,
      durationMs: result.durationMs,
    });
  } catch (caught) {
    // A run stopped partway says what it wrote; the error that stopped it is the one told and logged.
    const stopped = caught instanceof ImportStoppedError ? caught : null;
    const err = stopped ? stopped.stoppedBy : caught;
    const message = err instanceof ActionError || err instanceof ImportFileError ? err.message : jobMessages.failed;
    if (!(err instanceof ActionError || err instanceof ImportFileError))
      console.error(`[import ${input.id}] falhou: ${describeError(err)}`);
    const partial = stopped?.partial ?? finished;
    const outcome = partial && read ? await stoppedOutcome(input, read, partial) : nothingWritten(status);
    status = await writeStatus({ ...status, ...outcome, state: "failed", finishedAt: new Date().toISOString(), message }).catch(
      () => status,
    );
  } finally {
    await deleteUpload(input.organizationId, input.id).catch(() => {});
  }
  return status;
};
