import type { Writable } from "node:stream";
import { columnName } from "./columns";
import { ZipWriter, type ZipEntry } from "./zip";

// A streaming XLSX (Office Open XML spreadsheet) writer for reports: sheets written one after another, rows turned
// straight into SpreadsheetML and deflated into the zip as they come. It does what the send report needs and no
// more: typed cells (inline strings, numbers, dates as serial numbers with a date format), a bold frozen header
// row with an autofilter, column widths, and four cell formats. Text is never a formula (no <f> is ever written),
// and text that begins with = + - @ gets the Text format ("@"), so Excel keeps it text when someone edits the cell.
// Written instead of exceljs's streaming writer, which spent ~50 µs a row in its cell objects and style lookups
// (bench:export, docs/benchmarks.md).

export type CellFormat = "date" | "percent" | "text";
/** A cell: text, a number, a date (its UTC fields are what the cell shows), empty, or a number with a format. */
export type Cell = string | number | Date | null | undefined | { value: number; format: CellFormat };
export type Column = { header: string; width: number };

/** Cell formats, by their index in styles.xml's cellXfs. */
const STYLE = { plain: 0, date: 1, text: 2, header: 3, percent: 4 } as const;
const DATE_FORMAT = "dd/mm/yyyy hh:mm";
const PERCENT_FORMAT = "0.0%";
/** Excel's serial day 0 is 1899-12-30; 25569 days before 1970-01-01. */
export const EXCEL_EPOCH_DAYS = 25569;
const MS_PER_DAY = 86_400_000;
export const MAX_ROWS = 1_048_576;
const FLUSH_CHARS = 256 * 1024;

const RISKY = /^[=+\-@\t\r]/;
// Characters XML 1.0 cannot carry at all are dropped (control characters, U+FFFE/U+FFFF); lone surrogates become
// U+FFFD (toWellFormed); & < > are escaped.
const NEEDS_WORK = /[&<>\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff\ud800-\udfff]/;
const INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const escapeText = (s: string) => {
  if (!NEEDS_WORK.test(s)) return s;
  const clean = (s.isWellFormed() ? s : s.toWellFormed()).replace(INVALID, "");
  return clean.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
};
const escapeAttr = (s: string) => escapeText(s).replace(/"/g, "&quot;");

export { columnName };

/** A sheet's name as Excel allows it: no : \ / ? * [ ], no ' at either end, at most 31 characters, not empty. */
const sheetName = (name: string) =>
  name
    .replace(/[:\\/?*[\]]/g, " ")
    .replace(/\s+/g, " ")
    .replace(/^[\s']+|[\s']+$/g, "")
    .slice(0, 31)
    .trim() || "Planilha";

export class SheetWriter {
  private rows = 0;
  private buffer = "";
  private readonly refs: string[];

  constructor(
    private readonly entry: ZipEntry,
    private readonly columns: Column[],
    /** Each column's format for numbers and dates without one of their own (dates default to "date"). */
    private readonly formats: (CellFormat | undefined)[],
    /** Texts declared up front as shared strings (their index in sharedStrings.xml). */
    private readonly shared: Map<string, number> | null,
  ) {
    this.refs = columns.map((_, i) => columnName(i));
  }

  /** Rows written so far, the header included. */
  get rowCount() {
    return this.rows;
  }

  /** Appends a row (cells in column order); resolves at once unless the buffer was flushed to a full stream. */
  row(cells: Cell[], header = false): Promise<void> | void {
    if (this.rows >= MAX_ROWS) throw new Error(`uma planilha do Excel comporta ${MAX_ROWS} linhas`);
    const r = ++this.rows;
    let xml = `<row r="${r}">`;
    for (let i = 0; i < cells.length; i++) {
      const v = cells[i];
      if (v === null || v === undefined || v === "") continue;
      const ref = this.refs[i] + r;
      if (typeof v === "string") {
        const style = header ? STYLE.header : RISKY.test(v) ? STYLE.text : STYLE.plain;
        const shared = v.length <= 256 ? this.shared?.get(v) : undefined;
        if (shared !== undefined && !header) {
          xml += `<c r="${ref}"${style ? ` s="${style}"` : ""} t="s"><v>${shared}</v></c>`;
          continue;
        }
        // Excel drops a text's leading and trailing spaces, tabs and line breaks unless told to keep them.
        const keep = v.charCodeAt(0) <= 32 || v.charCodeAt(v.length - 1) <= 32;
        xml += `<c r="${ref}"${style ? ` s="${style}"` : ""} t="inlineStr"><is><t${keep ? ' xml:space="preserve"' : ""}>${escapeText(v)}</t></is></c>`;
      } else if (typeof v === "number") {
        if (!Number.isFinite(v)) continue;
        const f = this.formats[i];
        xml += `<c r="${ref}"${f ? ` s="${STYLE[f]}"` : ""}><v>${v}</v></c>`;
      } else if (v instanceof Date) {
        const t = v.getTime();
        if (Number.isNaN(t)) continue;
        xml += `<c r="${ref}" s="${STYLE.date}"><v>${t / MS_PER_DAY + EXCEL_EPOCH_DAYS}</v></c>`;
      } else {
        xml += `<c r="${ref}" s="${STYLE[v.format]}"><v>${v.value}</v></c>`;
      }
    }
    this.buffer += xml + "</row>";
    if (this.buffer.length >= FLUSH_CHARS) return this.flush();
  }

  private flush() {
    const chunk = this.buffer;
    this.buffer = "";
    return this.entry.write(chunk);
  }

  /** Ends the sheet: the rest of the rows, the autofilter over the header. */
  async close() {
    const last = columnName(this.columns.length - 1);
    this.buffer += `</sheetData><autoFilter ref="A1:${last}1"/><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`;
    await this.flush();
    await this.entry.close();
  }
}

/** Writes a workbook to `out`: addSheet, rows, close; then finish. One sheet is open at a time. */
export class XlsxWriter {
  private readonly zip: ZipWriter;
  private readonly sheets: { name: string; columns: number }[] = [];
  private current: SheetWriter | null = null;
  private readonly shared: Map<string, number> | null;
  private sharedWritten = false;

  /**
   * `sharedStrings`: texts known before the first row that recur in many rows (statuses, reasons, chip names).
   * They are written once, first, and cells holding exactly one of them refer to it: a fraction of the XML to
   * build and deflate. Other texts are inline strings.
   */
  constructor(
    out: Writable,
    private readonly meta: { creator: string; level?: number; sharedStrings?: Iterable<string> } = { creator: "" },
  ) {
    this.zip = new ZipWriter(out, meta.level ?? 6);
    const list = [...new Set(meta.sharedStrings ?? [])].filter((t) => t !== "");
    this.shared = list.length ? new Map(list.map((t, i) => [t, i])) : null;
  }

  private async writeSharedStrings() {
    if (this.sharedWritten) return;
    this.sharedWritten = true;
    if (!this.shared) return;
    const items = [...this.shared.keys()]
      .map((t) => `<si><t${t.charCodeAt(0) <= 32 || t.charCodeAt(t.length - 1) <= 32 ? ' xml:space="preserve"' : ""}>${escapeText(t)}</t></si>`)
      .join("");
    await this.zip.file(
      "xl/sharedStrings.xml",
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="${this.shared.size}" uniqueCount="${this.shared.size}">${items}</sst>`,
    );
  }

  /** True once the reader is gone. */
  get aborted() {
    return this.zip.aborted;
  }

  /** Opens the next sheet with its bold header row; closes the one before. */
  async addSheet(name: string, columns: (Column & { format?: CellFormat })[]) {
    if (this.current) await this.current.close();
    await this.writeSharedStrings();
    let unique = sheetName(name);
    for (let n = 2; this.sheets.some((s) => s.name.toLowerCase() === unique.toLowerCase()); n++) unique = sheetName(`${name} ${n}`);
    this.sheets.push({ name: unique, columns: columns.length });
    const entry = this.zip.entry(`xl/worksheets/sheet${this.sheets.length}.xml`);
    const first = this.sheets.length === 1;
    const cols = columns.map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${c.width}" customWidth="1"/>`).join("");
    await entry.write(
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n` +
        `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
        `<sheetViews><sheetView${first ? ` tabSelected="1"` : ""} workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>` +
        `<sheetFormatPr defaultRowHeight="15"/><cols>${cols}</cols><sheetData>`,
    );
    const sheet = new SheetWriter(
      entry,
      columns,
      columns.map((c) => c.format),
      this.shared,
    );
    await sheet.row(
      columns.map((c) => c.header),
      true,
    );
    this.current = sheet;
    return sheet;
  }

  /** Closes the last sheet and writes the workbook's parts and the zip's directory. */
  async finish() {
    if (this.current) await this.current.close();
    this.current = null;
    if (this.aborted) return;
    await this.writeSharedStrings();
    const sheets = this.sheets;
    const zip = this.zip;
    await zip.file(
      "[Content_Types].xml",
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>` +
        `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
        sheets.map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join("") +
        `<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
        (this.shared ? `<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>` : "") +
        `<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>` +
        `<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>`,
    );
    await zip.file(
      "_rels/.rels",
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
        `<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
        `<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>`,
    );
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    await zip.file(
      "docProps/core.xml",
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
        `<dc:creator>${escapeText(this.meta.creator)}</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">${now}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${now}</dcterms:modified></cp:coreProperties>`,
    );
    await zip.file(
      "docProps/app.xml",
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>${escapeText(this.meta.creator || "Microsoft Excel")}</Application></Properties>`,
    );
    await zip.file(
      "xl/workbook.xml",
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
        `<bookViews><workbookView activeTab="0"/></bookViews><sheets>` +
        sheets.map((s, i) => `<sheet name="${escapeAttr(s.name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join("") +
        `</sheets><definedNames>` +
        sheets
          .map((s, i) => `<definedName name="_xlnm._FilterDatabase" localSheetId="${i}" hidden="1">'${escapeText(s.name.replace(/'/g, "''"))}'!$A$1:$${columnName(s.columns - 1)}$1</definedName>`)
          .join("") +
        `</definedNames></workbook>`,
    );
    await zip.file(
      "xl/_rels/workbook.xml.rels",
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
        sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join("") +
        `<Relationship Id="rId${sheets.length + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
        (this.shared ? `<Relationship Id="rId${sheets.length + 2}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>` : "") +
        `</Relationships>`,
    );
    await zip.file(
      "xl/styles.xml",
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
        `<numFmts count="2"><numFmt numFmtId="164" formatCode="${DATE_FORMAT}"/><numFmt numFmtId="165" formatCode="${PERCENT_FORMAT}"/></numFmts>` +
        `<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>` +
        `<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
        `<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
        `<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
        `<cellXfs count="5">` +
        `<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
        `<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
        `<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
        `<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>` +
        `<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
        `</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`,
    );
    await zip.finish();
  }
}
