// RFC 4180 CSV, as Excel in pt-BR, Google Sheets and CRMs write it: quoted fields with "" escapes and line
// breaks inside, CRLF / LF / CR line ends, a byte-order mark, ";" (Excel pt-BR), "," or tab as separator.

export type CsvDelimiter = ";" | "," | "\t";
export type TextEncodingName = "utf-8" | "windows-1252" | "utf-16le" | "utf-16be";

export class CsvError extends Error {}

/** A record with data past `maxFields` fields, or a field longer than `maxFieldLength`; `record` counts from 1. */
export class CsvLimitError extends CsvError {
  constructor(
    readonly limit: "fields" | "length",
    readonly record: number,
    /** 0-based. */
    readonly field: number,
    readonly length: number,
  ) {
    super(`csv: registro ${record}, campo ${field + 1}: limite de ${limit === "fields" ? "campos" : "tamanho"}`);
  }
}

export type CsvLimits = { maxFields: number; maxFieldLength: number };

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** The separator used in the header line: the most frequent of ";", "," and tab outside quotes (";" on a tie). */
export const detectDelimiter = (text: string): CsvDelimiter => {
  const counts: Record<CsvDelimiter, number> = { ";": 0, ",": 0, "\t": 0 };
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === "\n" || ch === "\r")) break;
    else if (!quoted && (ch === ";" || ch === "," || ch === "\t")) counts[ch]++;
  }
  const order: CsvDelimiter[] = [";", ",", "\t"];
  return order.reduce((best, d) => (counts[d] > counts[best] ? d : best), ";");
};

/**
 * Parses the whole text into records of fields. Quotes are special only at the start of a field (a stray
 * quote inside an unquoted field is kept as text, as Excel does); an unterminated quote is an error, because
 * it would swallow the rest of the file into one field. With `limits`, empty fields past `maxFields` are dropped
 * (Excel pads every line to the widest one) and a field with data there, or a field too long, throws CsvLimitError.
 */
export const parseCsv = (text: string, delimiter: CsvDelimiter, limits?: CsvLimits): string[][] => {
  const records: string[][] = [];
  const sep = delimiter.charCodeAt(0);
  const n = text.length;
  let record: string[] = [];
  // Fields seen in this record, the dropped ones included.
  let fields = 0;
  const push = (field: string) => {
    if (!limits) return void record.push(field);
    const index = fields++;
    if (field.length > limits.maxFieldLength) throw new CsvLimitError("length", records.length + 1, index, field.length);
    if (index < limits.maxFields) record.push(field);
    else if (field.trim()) throw new CsvLimitError("fields", records.length + 1, index, field.length);
  };
  let i = 0;
  let line = 1;
  while (i < n) {
    let field: string;
    if (text.charCodeAt(i) === QUOTE) {
      const startLine = line;
      let value = "";
      let from = i + 1;
      for (;;) {
        const q = text.indexOf('"', from);
        if (q < 0)
          throw new CsvError(
            `Há aspas (") sem fechamento a partir da linha ${startLine}: confira se o arquivo não foi cortado.`,
          );
        value += text.slice(from, q);
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += '"';
          from = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      for (let k = 0; k < value.length; k++) if (value.charCodeAt(k) === LF) line++;
      // Anything between the closing quote and the separator is kept (lenient, like Excel).
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === sep || c === LF || c === CR) break;
        j++;
      }
      field = j > i ? value + text.slice(i, j) : value;
      i = j;
    } else {
      let j = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c === sep || c === LF || c === CR) break;
        j++;
      }
      field = text.slice(i, j);
      i = j;
    }
    push(field);
    if (i >= n) break;
    const c = text.charCodeAt(i);
    if (c === sep) {
      i++;
      // A separator at the very end of the text still closes an (empty) last field.
      if (i >= n) push("");
      continue;
    }
    // End of record: CRLF, LF or a lone CR.
    i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
    line++;
    records.push(record);
    record = [];
    fields = 0;
  }
  if (record.length) records.push(record);
  return records;
};

const hasNul = (bytes: Uint8Array, limit: number) => {
  const end = Math.min(bytes.length, limit);
  for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
  return false;
};

/**
 * Bytes → text. A BOM decides (UTF-8 or UTF-16); otherwise strict UTF-8, and Windows-1252 (what Excel in
 * pt-BR writes for "CSV (separado por vírgulas)") when the bytes are not valid UTF-8. Returns null for data
 * that is not text at all (NUL bytes, or mostly control characters).
 */
export const decodeText = (bytes: Uint8Array): { text: string; encoding: TextEncodingName } | null => {
  let decoded: { text: string; encoding: TextEncodingName };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    decoded = { text: new TextDecoder("utf-16le").decode(bytes.subarray(2)), encoding: "utf-16le" };
  } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    decoded = { text: new TextDecoder("utf-16be").decode(bytes.subarray(2)), encoding: "utf-16be" };
  } else {
    if (hasNul(bytes, 64 * 1024)) return null;
    const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
    try {
      decoded = { text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(body), encoding: "utf-8" };
    } catch {
      decoded = { text: new TextDecoder("windows-1252").decode(body), encoding: "windows-1252" };
    }
  }
  return looksLikeText(decoded.text) ? decoded : null;
};

// Text files have almost no control characters besides tab and line breaks; binary data decoded as
// Windows-1252 is full of them.
const looksLikeText = (text: string) => {
  const sample = text.slice(0, 64 * 1024);
  if (sample.includes("\u0000")) return false;
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) || (c >= 0x7f && c <= 0x9f) || c === 0xfffd) control++;
  }
  return control <= sample.length * 0.01;
};

// A value that a spreadsheet would run as a formula when the file is opened (CSV injection, OWASP).
const FORMULA_START = /^[=+\-@\t\r]/;

/** Makes a value safe to open in Excel / LibreOffice / Sheets: a leading =, +, -, @, tab or CR gets a quote. */
export const neutralizeFormula = (value: string) => (FORMULA_START.test(value) ? `'${value}` : value);

const quoteField = (value: string, delimiter: string) =>
  value.includes('"') || value.includes(delimiter) || value.includes("\n") || value.includes("\r")
    ? `"${value.replaceAll('"', '""')}"`
    : value;

/**
 * Records → CSV for Excel in pt-BR: UTF-8 with BOM (so accents survive), ";" and CRLF; every cell is
 * neutralised so nothing in it runs as a formula.
 */
export const toCsv = (records: readonly (readonly string[])[], delimiter: CsvDelimiter = ";") =>
  "\uFEFF" +
  records.map((r) => r.map((v) => quoteField(neutralizeFormula(v), delimiter)).join(delimiter)).join("\r\n") +
  "\r\n";
