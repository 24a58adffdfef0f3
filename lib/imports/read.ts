import { Readable } from "node:stream";
import ExcelJS from "exceljs";
import { CsvError, CsvLimitError, decodeText, detectDelimiter, parseCsv, type CsvDelimiter, type TextEncodingName } from "./csv";
import { columnLetter, formatInt, formatMegabytes, LIMITS } from "./fields";
import { isBlankRow } from "./validate";
import { partText, readZipDirectory, ZipFormatError, ZipSizeLieError, type ZipPart } from "./zip";

// A CSV or XLSX file → a header and its data rows, every cell as the text a person sees in Excel.

export type SheetRow = { line: number; cells: string[] };

export type SheetTable = {
  format: "csv" | "xlsx";
  encoding: TextEncodingName | null;
  delimiter: CsvDelimiter | null;
  /** Header names as written; an empty one becomes "Coluna C". */
  headers: string[];
  /** Non-blank data rows; `line` is the row number a person sees in the spreadsheet (the header is 1). */
  rows: SheetRow[];
};

/** A file we cannot read as contacts; the message says what to do. */
export class ImportFileError extends Error {}

export const fileMessages = {
  notSpreadsheet:
    "O arquivo não parece ser uma planilha CSV ou XLSX. Exporte do Excel ou do Google Planilhas como " +
    "CSV ou XLSX e envie de novo.",
  xls: "Arquivos .xls (Excel 97–2003) não são aceitos: abra no Excel, use Salvar como › Pasta de Trabalho do Excel (.xlsx) ou CSV, e envie de novo.",
  empty: "O arquivo está vazio. Exporte a planilha de novo e confira se ela tem o cabeçalho e os contatos.",
  headerOnly: "A planilha não tem linhas de contatos, só o cabeçalho. Preencha os contatos abaixo do cabeçalho e envie de novo.",
  tooManyRows: (max: number) =>
    `A planilha tem mais de ${formatInt(max)} linhas de contatos, o limite por importação. Divida o arquivo em partes ` +
    "e importe uma de cada vez.",
  unreadableXlsx:
    "Não conseguimos ler este arquivo XLSX: ele pode estar corrompido ou protegido por senha. Abra no Excel, " +
    "salve de novo (sem senha) e envie.",
  tooManyColumns: (line: number, column: number) =>
    `A linha ${formatInt(line)} tem dados na coluna ${columnLetter(column)} (a ${formatInt(column + 1)}ª); o limite é ` +
    `${formatInt(LIMITS.maxColumns)} colunas. Apague as colunas que não vão ser importadas (ou copie só as colunas dos ` +
    "contatos para uma planilha nova) e envie de novo.",
  cellTooLong: (line: number, column: number, length: number) =>
    `A célula ${columnLetter(column)}${line} tem ${formatInt(length)} caracteres; o limite é ` +
    `${formatInt(LIMITS.maxCellLength)} por célula (o mesmo do Excel). Encurte ou apague o texto dessa célula (ou a ` +
    "coluna inteira, se ela não vai ser importada) e envie de novo.",
  cellTooLongSomewhere:
    `A planilha tem uma célula com mais de ${formatInt(LIMITS.maxCellLength)} caracteres, o limite por célula (o mesmo ` +
    "do Excel). Procure o texto longo demais, encurte ou apague, e envie de novo.",
  unzippedTooLarge: (bytes: number) =>
    `Aberto, este arquivo XLSX ocupa ${bytes >= 0xffffffff ? "mais de 4 GB" : formatMegabytes(bytes)}; o limite é ` +
    `${formatMegabytes(LIMITS.maxUnzippedBytes)}. Apague as abas e as colunas que não vão ser importadas, ou divida os ` +
    "contatos em mais de um arquivo, e envie de novo.",
  zipBomb: (packed: number, unpacked: number) =>
    `Este arquivo XLSX não parece uma planilha comum: ${formatMegabytes(packed)} dele se expandem para ` +
    `${formatMegabytes(unpacked)} (${formatInt(Math.round(unpacked / Math.max(1, packed)))} vezes), o que só acontece ` +
    "com arquivos danificados ou montados para travar sistemas. Abra a planilha no Excel ou no Google Planilhas, " +
    "salve de novo como .xlsx (ou CSV) e envie.",
  zipSizeLie:
    "Este arquivo XLSX está danificado: uma parte dele se expande além do tamanho que declara. Abra a planilha no " +
    "Excel ou no Google Planilhas, salve de novo como .xlsx (ou CSV) e envie.",
};

export type FileFormat = "xlsx" | "xls" | "text";

/** By content, never by name: XLSX is a ZIP (PK\x03\x04), old .xls an OLE2 compound file. */
export const detectFormat = (bytes: Uint8Array): FileFormat => {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return "xlsx";
  if (bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0) return "xls";
  return "text";
};

const headerNames = (raw: readonly string[], width: number) =>
  Array.from({ length: width }, (_, i) => (raw[i] ?? "").trim().replace(/\s+/g, " ") || `Coluna ${columnLetter(i)}`);

const tableFrom = (
  records: Iterable<SheetRow>,
  meta: Pick<SheetTable, "format" | "encoding" | "delimiter">,
  maxRows: number,
): SheetTable => {
  let header: SheetRow | null = null;
  const rows: SheetRow[] = [];
  let width = 0;
  for (const record of records) {
    if (isBlankRow(record.cells)) continue;
    if (!header) header = record;
    else {
      if (rows.length >= maxRows) throw new ImportFileError(fileMessages.tooManyRows(maxRows));
      rows.push(record);
    }
    // Trailing empty cells do not make a column.
    let last = record.cells.length;
    while (last > 0 && !record.cells[last - 1]?.trim()) last--;
    width = Math.max(width, last);
  }
  if (!header) throw new ImportFileError(fileMessages.empty);
  if (rows.length === 0) throw new ImportFileError(fileMessages.headerOnly);
  return { ...meta, headers: headerNames(header.cells, width), rows };
};

const readCsv = (bytes: Uint8Array, maxRows: number): SheetTable => {
  const decoded = decodeText(bytes);
  if (!decoded) throw new ImportFileError(fileMessages.notSpreadsheet);
  if (!decoded.text.trim()) throw new ImportFileError(fileMessages.empty);
  // Excel writes (and honours) a first line "sep=;" naming the separator; it is not a row of the sheet.
  const hint = /^sep=([;,\t])\r?\n/i.exec(decoded.text);
  const text = hint ? decoded.text.slice(hint[0].length) : decoded.text;
  const delimiter = hint ? (hint[1] as CsvDelimiter) : detectDelimiter(text.replace(/^\s+/, ""));
  let records: string[][];
  try {
    records = parseCsv(text, delimiter, { maxFields: LIMITS.maxColumns, maxFieldLength: LIMITS.maxCellLength });
  } catch (err) {
    if (err instanceof CsvLimitError)
      throw new ImportFileError(
        err.limit === "fields"
          ? fileMessages.tooManyColumns(err.record, err.field)
          : fileMessages.cellTooLong(err.record, err.field, err.length),
      );
    if (err instanceof CsvError) throw new ImportFileError(err.message);
    throw err;
  }
  return tableFrom(
    records.map((cells, i) => ({ line: i + 1, cells })),
    { format: "csv", encoding: decoded.encoding, delimiter },
    maxRows,
  );
};

const pad = (n: number) => String(n).padStart(2, "0");

// Excel stores wall-clock dates without a zone; exceljs hands them over as UTC.
const excelDate = (d: Date) => {
  const date = `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
  return d.getUTCHours() || d.getUTCMinutes() ? `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}` : date;
};

/** What a person sees in the cell. A formula cell gives the result Excel saved with it; it is never run here. */
export const cellText = (value: unknown): string => {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  if (typeof value === "boolean") return value ? "VERDADEIRO" : "FALSO";
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "" : excelDate(value);
  if (typeof value === "object") {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText)) return v.richText.map((part: { text?: unknown }) => cellText(part.text)).join("");
    if ("formula" in v || "sharedFormula" in v) {
      if (v.result !== undefined && v.result !== null) return cellText(v.result);
      return typeof v.formula === "string" ? `=${v.formula}` : "";
    }
    if ("error" in v) return "";
    if ("text" in v) return cellText(v.text);
  }
  return "";
};

// exceljs's own WorkbookReader unpacks a worksheet met before the shared strings (Excel and exceljs write them in
// that order) into a temporary file, with no size limit, and leaves it behind when reading stops early; it also
// decodes each chunk on its own, breaking an accented letter split between two chunks. So the ZIP is read here
// (lib/imports/zip.ts: from memory, sizes checked first, inflation counted) and its parts are handed to the
// reader's part parsers in the order they need. These are exceljs 4.4.0's internals (pinned exactly in
// package.json); read.test.ts fails if an upgrade moves them.
type WorkbookInternals = {
  workbookRels?: { Id: string; Target: string; Type?: string }[];
  model?: { sheets?: { rId: string }[] };
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncIterable<unknown>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseWorksheet(
    iterator: AsyncIterable<string>,
    sheetNo: string,
  ): Iterable<{ eventType: string; value: AsyncIterable<ExcelJS.Row> }>;
};

const SHEET_PATH = /^xl\/worksheets\/sheet(\d+)\.xml$/;

/** The parts a workbook needs, refused before anything is inflated when they declare too much. */
const openWorkbook = (bytes: Uint8Array) => {
  let parts: ZipPart[];
  try {
    parts = readZipDirectory(bytes);
  } catch (err) {
    if (err instanceof ZipFormatError) throw new ImportFileError(fileMessages.notSpreadsheet);
    throw err;
  }
  let total = 0;
  for (const part of parts) {
    total += part.size;
    if (part.size > LIMITS.maxUnzippedBytes) throw new ImportFileError(fileMessages.unzippedTooLarge(part.size));
    if (part.size >= LIMITS.maxRatioFloor && part.size > part.compressedSize * LIMITS.maxZipRatio)
      throw new ImportFileError(fileMessages.zipBomb(part.compressedSize, part.size));
  }
  if (total > LIMITS.maxUnzippedBytes) throw new ImportFileError(fileMessages.unzippedTooLarge(total));
  // The first part of a name wins (a ZIP may list a name twice; Excel never does).
  const byName = new Map<string, ZipPart>();
  for (const part of parts) if (!byName.has(part.name)) byName.set(part.name, part);
  return byName;
};

// No text run (a cell, an attribute) between two tags is longer than a cell may be, even written as entities: a
// giant cell is refused while it is inflated, before the XML parser gathers it into one string.
const MAX_XML_RUN = LIMITS.maxCellLength * 10;

const runGuard = () => {
  let run = 0;
  return (chunk: Buffer) => {
    const first = chunk.indexOf(0x3c);
    // Runs inside one chunk are shorter than the chunk (64 KB), far under the limit: only the one that crosses
    // chunk boundaries needs counting.
    run += first < 0 ? chunk.length : first;
    if (run > MAX_XML_RUN) throw new ImportFileError(fileMessages.cellTooLongSomewhere);
    if (first >= 0) run = chunk.length - chunk.lastIndexOf(0x3c) - 1;
  };
};

const readXlsx = async (bytes: Uint8Array, maxRows: number): Promise<SheetTable> => {
  const parts = openWorkbook(bytes);
  const workbookPart = parts.get("xl/workbook.xml");
  if (!workbookPart) throw new ImportFileError(fileMessages.notSpreadsheet);
  const text = (part: ZipPart) => partText(bytes, part, runGuard());
  // Object mode (Readable.from's default): the strings reach the parser as they are, never re-encoded.
  const stream = (part: ZipPart) => Readable.from(text(part));

  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([]), {
    sharedStrings: "cache",
    styles: "cache",
    hyperlinks: "ignore",
    worksheets: "emit",
    entries: "ignore",
  }) as unknown as WorkbookInternals;
  try {
    const rels = parts.get("xl/_rels/workbook.xml.rels");
    if (rels) await reader._parseRels(stream(rels));
    await reader._parseWorkbook(stream(workbookPart));
    const shared = parts.get("xl/sharedStrings.xml");
    if (shared) for await (const _ of reader._parseSharedStrings(stream(shared)));
    const styles = parts.get("xl/styles.xml");
    if (styles) await reader._parseStyles(stream(styles));

    // The sheets in the workbook's tab order, then any other worksheet part in the ZIP's order.
    const targets = new Map((reader.workbookRels ?? []).map((r) => [r.Id, r.Target.startsWith("/") ? r.Target.slice(1) : `xl/${r.Target}`]));
    const names = (reader.model?.sheets ?? []).map((sheet) => targets.get(sheet.rId)).filter((n): n is string => Boolean(n));
    for (const name of parts.keys()) if (SHEET_PATH.test(name) && !names.includes(name)) names.push(name);

    for (const name of names) {
      const part = parts.get(name);
      if (!part) continue;
      const sheetNo = SHEET_PATH.exec(name)?.[1] ?? String(names.indexOf(name) + 1);
      for (const { value: worksheet } of reader._parseWorksheet(text(part), sheetNo)) {
        const records = await sheetRecords(worksheet, maxRows);
        if (records.length) return tableFrom(records, { format: "xlsx", encoding: null, delimiter: null }, maxRows);
      }
    }
  } catch (err) {
    if (err instanceof ImportFileError) throw err;
    if (err instanceof ZipSizeLieError) throw new ImportFileError(fileMessages.zipSizeLie);
    throw new ImportFileError(fileMessages.unreadableXlsx);
  }
  throw new ImportFileError(fileMessages.empty);
};

/** A sheet's non-blank rows as text, refused at the first cell past the column or length limit. */
const sheetRecords = async (worksheet: AsyncIterable<ExcelJS.Row>, maxRows: number) => {
  const records: SheetRow[] = [];
  for await (const row of worksheet) {
    const cells: string[] = [];
    // row.values is sparse (index = column, from 1): only the cells that exist, however far right they are.
    (row.values as unknown[]).forEach((value, col) => {
      const text = cellText(value);
      if (!text) return;
      if (col > LIMITS.maxColumns) throw new ImportFileError(fileMessages.tooManyColumns(row.number, col - 1));
      if (text.length > LIMITS.maxCellLength)
        throw new ImportFileError(fileMessages.cellTooLong(row.number, col - 1, text.length));
      cells[col - 1] = text;
    });
    const dense = Array.from(cells, (c) => c ?? "");
    if (isBlankRow(dense)) continue;
    records.push({ line: row.number, cells: dense });
    // Header + one row over the limit is enough to refuse.
    if (records.length > maxRows + 1) break;
  }
  return records;
};

/** Reads a CSV or XLSX file (by its bytes, whatever its name) into a header and rows. */
export const readSpreadsheet = async (bytes: Uint8Array, opts: { maxRows?: number } = {}): Promise<SheetTable> => {
  const maxRows = opts.maxRows ?? LIMITS.maxRows;
  if (bytes.length === 0) throw new ImportFileError(fileMessages.empty);
  const format = detectFormat(bytes);
  if (format === "xls") throw new ImportFileError(fileMessages.xls);
  if (format === "xlsx") return readXlsx(bytes, maxRows);
  return readCsv(bytes, maxRows);
};
