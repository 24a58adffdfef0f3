import "server-only";
import { randomUUID } from "node:crypto";
import { mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { isUuid } from "@/lib/ids";
import type { CsvDelimiter, TextEncodingName } from "./csv";
import type { ColumnMapping, ErrorKind } from "./fields";
import type { ImportCounts, ImportProgress, ImportRowError } from "./run";

// Uploads between the mapping screen and the import live on this server's disk, never in the browser:
// <tmp>/disparo-imports/<organization id>/<upload id>/ with the file, a status.json the page polls, and the
// error report. Deleted an hour after the last activity; the uploaded file itself as soon as it is imported.
// One server only: another instance would not see the directory; a shared volume or an imports table would lift that.

export const UPLOAD_TTL_MS = 60 * 60 * 1000;
// A running import writes its status at least every batch; one silent for this long died with its process.
export const STALE_RUN_MS = 3 * 60 * 1000;


export const isImportId = (id: string) => isUuid(id);

export const importsRoot = () => process.env.DISPARO_IMPORTS_DIR || path.join(os.tmpdir(), "disparo-imports");

// Both parts are uuids checked here, so no path built from them can leave the root.
const dirFor = (organizationId: string, id: string) => {
  if (!isUuid(organizationId) || !isUuid(id)) throw new Error("identificador de importação inválido");
  return path.join(importsRoot(), organizationId.toLowerCase(), id.toLowerCase());
};

export type UploadSummary = {
  format: "csv" | "xlsx";
  encoding: TextEncodingName | null;
  delimiter: CsvDelimiter | null;
  headers: string[];
  preview: { line: number; cells: string[] }[];
  totalRows: number;
  guessedMapping: ColumnMapping;
};

export type ErrorPreview = ImportRowError & { phone: string; name: string };

export type ImportState = "uploaded" | "running" | "done" | "failed";

export type ImportStatus = {
  id: string;
  organizationId: string;
  fileName: string;
  fileSize: number;
  uploadedAt: string;
  uploadedBy: string;
  summary: UploadSummary;
  state: ImportState;
  updatedAt: string;
  progress?: ImportProgress;
  startedAt?: string;
  finishedAt?: string;
  counts?: ImportCounts;
  /** The first errors, for the screen; all of them are in the downloadable report. */
  errorsPreview?: ErrorPreview[];
  errorCount?: number;
  /** Rows with each kind of problem, most frequent first (a row may have several). */
  errorSummary?: { kind: ErrorKind; count: number }[];
  createdTags?: string[];
  consentChanges?: number;
  durationMs?: number;
  /** Why the whole import failed (state "failed"), in Portuguese. */
  message?: string;
};

const files = (dir: string) => ({
  upload: path.join(dir, "upload.bin"),
  status: path.join(dir, "status.json"),
  lock: path.join(dir, "run.lock"),
  report: path.join(dir, "erros.csv"),
});

const writeAtomic = async (file: string, data: string | Uint8Array) => {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    await writeFile(tmp, data, { mode: 0o600 });
    await rename(tmp, file);
  } catch (err) {
    // A half-written copy (a full disk) may hold personal data: it goes too.
    await rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
};

export const createUpload = async (input: {
  organizationId: string;
  userId: string;
  fileName: string;
  bytes: Uint8Array;
  summary: UploadSummary;
}): Promise<ImportStatus> => {
  const id = randomUUID();
  const dir = dirFor(input.organizationId, id);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const at = new Date().toISOString();
  const status: ImportStatus = {
    id,
    organizationId: input.organizationId,
    fileName: input.fileName,
    fileSize: input.bytes.length,
    uploadedAt: at,
    uploadedBy: input.userId,
    summary: input.summary,
    state: "uploaded",
    updatedAt: at,
  };
  try {
    await writeFile(files(dir).upload, input.bytes, { mode: 0o600 });
    await writeAtomic(files(dir).status, JSON.stringify(status));
  } catch (err) {
    // Nobody can reach an upload without its status: keep nothing of it.
    await rm(dir, { recursive: true, force: true }).catch(() => {});
    throw err;
  }
  return status;
};

export const interruptedMessage =
  "A importação foi interrompida (o servidor reiniciou). Veja abaixo o que ficou gravado; para completar, importe " +
  "o mesmo arquivo de novo com as mesmas opções (os contatos já gravados são reconhecidos pelo telefone e não se repetem).";

/** The status of an upload of this organization, or null (unknown, another organization's, or expired). */
export const readStatus = async (organizationId: string, id: string, now = Date.now()): Promise<ImportStatus | null> => {
  if (!isImportId(id)) return null;
  let status: ImportStatus;
  try {
    status = JSON.parse(await readFile(files(dirFor(organizationId, id)).status, "utf8")) as ImportStatus;
  } catch {
    return null;
  }
  if (status.organizationId !== organizationId || status.id !== id.toLowerCase()) return null;
  const idle = now - Date.parse(status.updatedAt);
  if (status.state === "running" && idle > STALE_RUN_MS)
    return { ...status, state: "failed", message: interruptedMessage };
  if (status.state !== "running" && idle > UPLOAD_TTL_MS) return null;
  return status;
};

export const writeStatus = async (status: ImportStatus) => {
  const next = { ...status, updatedAt: new Date().toISOString() };
  await writeAtomic(files(dirFor(status.organizationId, status.id)).status, JSON.stringify(next));
  return next;
};

export const readUpload = (organizationId: string, id: string) => readFile(files(dirFor(organizationId, id)).upload);

/** Removes the uploaded file (personal data) once it is no longer needed; status and report stay. */
export const deleteUpload = (organizationId: string, id: string) =>
  rm(files(dirFor(organizationId, id)).upload, { force: true });

/** Only one run per upload: a second click, tab or request finds the lock taken. */
export const claimRun = async (organizationId: string, id: string) => {
  try {
    const handle = await open(files(dirFor(organizationId, id)).lock, "wx");
    await handle.close();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
};

export const writeErrorReport = (organizationId: string, id: string, csv: string) =>
  writeAtomic(files(dirFor(organizationId, id)).report, csv);

export const errorReportFile = async (organizationId: string, id: string) => {
  const file = files(dirFor(organizationId, id)).report;
  try {
    await stat(file);
    return file;
  } catch {
    return null;
  }
};

export const removeUpload = (organizationId: string, id: string) =>
  rm(dirFor(organizationId, id), { recursive: true, force: true });

/** Deletes every upload idle for more than an hour (a running import writes its status at every batch). */
export const sweepExpired = async (now = Date.now()) => {
  const root = importsRoot();
  const orgs = await readdir(root).catch(() => [] as string[]);
  let removed = 0;
  let kept = 0;
  for (const org of orgs.filter((o) => isUuid(o))) {
    const orgDir = path.join(root, org);
    for (const id of (await readdir(orgDir).catch(() => [] as string[])).filter((i) => isUuid(i))) {
      const dir = path.join(orgDir, id);
      const lastActivity = await readFile(files(dir).status, "utf8").then(
        (text) => Date.parse((JSON.parse(text) as ImportStatus).updatedAt),
        // No readable status: an upload being written right now, or debris; the folder's time decides.
        () => stat(dir).then((s) => s.mtimeMs, () => 0),
      );
      if (now - lastActivity <= UPLOAD_TTL_MS) kept++;
      else {
        await rm(dir, { recursive: true, force: true });
        removed++;
      }
    }
  }
  return { removed, kept };
};

/** What the browser gets: the status without internal ids. */
export type ImportView = Omit<ImportStatus, "organizationId" | "uploadedBy">;

export const toView = ({ organizationId: _org, uploadedBy: _by, ...view }: ImportStatus): ImportView => view;
