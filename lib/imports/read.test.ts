import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import ExcelJS from "exceljs";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { crc32 } from "@/lib/xlsx/zip";
import { LIMITS } from "./fields";
import { cellText, detectFormat, fileMessages, readSpreadsheet } from "./read";

const utf8 = (text: string) => new TextEncoder().encode(text);

const xlsx = async (build: (ws: ExcelJS.Worksheet, wb: ExcelJS.Workbook) => void) => {
  const wb = new ExcelJS.Workbook();
  build(wb.addWorksheet("Contatos"), wb);
  return new Uint8Array(await wb.xlsx.writeBuffer());
};

describe("detectFormat", () => {
  it("looks at the bytes, not the name", () => {
    expect(detectFormat(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14]))).toBe("xlsx");
    expect(detectFormat(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1]))).toBe("xls");
    expect(detectFormat(utf8("Nome;Telefone"))).toBe("text");
  });
});

describe("readSpreadsheet (CSV)", () => {
  it("gives the header and the rows with the line numbers a person sees, skipping blank lines", async () => {
    const table = await readSpreadsheet(utf8('Nome;Telefone\r\n\r\nAna;11987654321\r\n"Bia\r\nSouza";21987654321\r\n;;\r\n'));
    expect(table).toMatchObject({ format: "csv", encoding: "utf-8", delimiter: ";", headers: ["Nome", "Telefone"] });
    expect(table.rows).toEqual([
      { line: 3, cells: ["Ana", "11987654321"] },
      { line: 4, cells: ["Bia\r\nSouza", "21987654321"] },
    ]);
  });

  it("follows Excel's 'sep=' first line and does not count it as a row", async () => {
    const table = await readSpreadsheet(utf8("sep=,\r\nNome,Telefone;fixo\r\nAna,11987654321;x\r\n"));
    expect(table).toMatchObject({ delimiter: ",", headers: ["Nome", "Telefone;fixo"], rows: [{ line: 2, cells: ["Ana", "11987654321;x"] }] });
  });

  it("names unnamed columns like a spreadsheet does", async () => {
    const table = await readSpreadsheet(utf8("Nome,,Telefone\nAna,x,11987654321\n"));
    expect(table.headers).toEqual(["Nome", "Coluna B", "Telefone"]);
  });

  it("refuses a binary file renamed .csv, an empty file, and a header without rows", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    await expect(readSpreadsheet(png)).rejects.toThrow(fileMessages.notSpreadsheet);
    await expect(readSpreadsheet(new Uint8Array())).rejects.toThrow(fileMessages.empty);
    await expect(readSpreadsheet(utf8("  \r\n\r\n"))).rejects.toThrow(fileMessages.empty);
    await expect(readSpreadsheet(utf8("Nome;Telefone\r\n;\r\n"))).rejects.toThrow(
      "A planilha não tem linhas de contatos, só o cabeçalho",
    );
  });

  it("refuses an old .xls and a ZIP that is not a spreadsheet", async () => {
    await expect(readSpreadsheet(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))).rejects.toThrow(/\.xls/);
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...new Array(60).fill(0)]);
    await expect(readSpreadsheet(zip)).rejects.toThrow(fileMessages.notSpreadsheet);
  });

  it("stops at the row limit with a message that says what to do", async () => {
    const text = "Nome;Telefone\n" + Array.from({ length: 6 }, (_, i) => `P${i};1198765432${i}`).join("\n");
    await expect(readSpreadsheet(utf8(text), { maxRows: 5 })).rejects.toThrow(/mais de 5 linhas.*Divida o arquivo/);
    await expect(readSpreadsheet(utf8(text), { maxRows: 6 })).resolves.toMatchObject({ rows: { length: 6 } });
  });
});

describe("readSpreadsheet (XLSX)", () => {
  it("reads the first sheet with data as text: numbers, dates, booleans, rich text, formulas by their saved result", async () => {
    const bytes = await xlsx((ws) => {
      ws.addRow(["Nome", "Telefone", "Data do opt-in", "Opt-in", "Obs"]);
      ws.addRow([{ richText: [{ text: "Ma" }, { text: "ria" }] }, 5511987654321, new Date(Date.UTC(2025, 2, 15)), true, "x"]);
      ws.addRow([
        { formula: 'HYPERLINK("http://x.io","Clique")', result: "Clique" },
        "(21) 98765-4321",
        new Date(Date.UTC(2025, 2, 15, 14, 30)),
        false,
        "=texto",
      ]);
      ws.addRow([]);
      ws.addRow(["Caio", "+55 31 98888-7777"]);
    });
    const table = await readSpreadsheet(bytes);
    expect(table).toMatchObject({ format: "xlsx", encoding: null, delimiter: null });
    expect(table.headers).toEqual(["Nome", "Telefone", "Data do opt-in", "Opt-in", "Obs"]);
    expect(table.rows).toEqual([
      { line: 2, cells: ["Maria", "5511987654321", "15/03/2025", "VERDADEIRO", "x"] },
      { line: 3, cells: ["Clique", "(21) 98765-4321", "15/03/2025 14:30", "FALSO", "=texto"] },
      { line: 5, cells: ["Caio", "+55 31 98888-7777"] },
    ]);
  });

  it("refuses a workbook with only a header", async () => {
    const bytes = await xlsx((ws) => ws.addRow(["Nome", "Telefone"]));
    await expect(readSpreadsheet(bytes)).rejects.toThrow(fileMessages.headerOnly);
  });

  it("shows a formula without a saved result as its text, never running it", () => {
    expect(cellText({ formula: "1+1" })).toBe("=1+1");
    expect(cellText({ error: "#N/A" })).toBe("");
    expect(cellText({ text: "site", hyperlink: "http://x.io" })).toBe("site");
  });
});

// A ZIP written by hand, so a test can lie in it: `declare` is the unpacked size put in both headers.
type Part = { name: string; data: string | Buffer; store?: boolean; declare?: number };
const zip = (parts: Part[]) => {
  const body: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const raw = Buffer.from(p.data);
    const data = p.store ? raw : zlib.deflateRawSync(raw, { level: 9 });
    const name = Buffer.from(p.name);
    const method = p.store ? 0 : 8;
    const size = p.declare ?? raw.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc32(raw) >>> 0, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(20, 4);
    record.writeUInt16LE(20, 6);
    record.writeUInt16LE(method, 10);
    record.writeUInt32LE(crc32(raw) >>> 0, 16);
    record.writeUInt32LE(data.length, 20);
    record.writeUInt32LE(size, 24);
    record.writeUInt16LE(name.length, 28);
    record.writeUInt32LE(offset, 42);
    body.push(local, name, data);
    directory.push(record, name);
    offset += 30 + name.length + data.length;
  }
  const dir = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...body, dir, end]));
};

const NS = "http://schemas.openxmlformats.org";
const workbookParts = (sheetXml: string, sheet: Partial<Part> = {}): Part[] => [
  {
    name: "[Content_Types].xml",
    data:
      `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="${NS}/package/2006/content-types">` +
      `<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
      `<Default Extension="xml" ContentType="application/xml"/>` +
      `<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
      `<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
  },
  {
    name: "_rels/.rels",
    data: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${NS}/package/2006/relationships"><Relationship Id="rId1" Type="${NS}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
  },
  {
    name: "xl/workbook.xml",
    data: `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${NS}/spreadsheetml/2006/main" xmlns:r="${NS}/officeDocument/2006/relationships"><sheets><sheet name="Contatos" sheetId="1" r:id="rId1"/></sheets></workbook>`,
  },
  {
    name: "xl/_rels/workbook.xml.rels",
    data: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${NS}/package/2006/relationships"><Relationship Id="rId1" Type="${NS}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
  },
  {
    name: "xl/worksheets/sheet1.xml",
    data: `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${NS}/spreadsheetml/2006/main"><sheetData>${sheetXml}</sheetData></worksheet>`,
    ...sheet,
  },
];
const inline = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
const CONTACTS = `<row r="1">${inline("A1", "Nome")}${inline("B1", "Telefone")}</row><row r="2">${inline("A2", "Ana")}${inline("B2", "11987654321")}</row>`;

describe("readSpreadsheet (XLSX limits, checked before and while unpacking)", () => {
  afterEach(() => vi.restoreAllMocks());

  it("reads a workbook written by hand (the ZIP helper below makes valid files)", async () => {
    const table = await readSpreadsheet(zip(workbookParts(CONTACTS)));
    expect(table).toMatchObject({ headers: ["Nome", "Telefone"], rows: [{ line: 2, cells: ["Ana", "11987654321"] }] });
  });

  it("refuses a zip bomb by its declared sizes, before inflating anything", async () => {
    // 30 MB of spaces between two rows deflate to ~30 KB: 1,000 to 1, as zip bombs are.
    const bomb = zip(workbookParts(CONTACTS.replace("</row>", "</row>" + " ".repeat(30_000_000))));
    expect(bomb.length).toBeLessThan(100_000);
    const inflate = vi.spyOn(zlib, "createInflateRaw");
    await expect(readSpreadsheet(bomb)).rejects.toThrow(/^Este arquivo XLSX não parece uma planilha comum: .* \(1\.\d{3} vezes\).*salve de novo como \.xlsx/);
    expect(inflate).not.toHaveBeenCalled();
  });

  it("refuses a workbook that declares more than the limit unpacked, one part or all of them", async () => {
    const inflate = vi.spyOn(zlib, "createInflateRaw");
    // One part declaring 4 GB (the most a ZIP without ZIP64 can say).
    const huge = zip(workbookParts(CONTACTS, { declare: 0xffffffff }));
    await expect(readSpreadsheet(huge)).rejects.toThrow(
      "Aberto, este arquivo XLSX ocupa mais de 4 GB; o limite é 200 MB. Apague as abas e as colunas que não vão ser importadas",
    );
    // Two pictures of 2 MB, each declaring 150 MB: neither over the limit nor absurdly packed, but 300 MB together.
    const noise = () => Buffer.from(Array.from({ length: 2_000_000 }, () => Math.floor(Math.random() * 256)));
    const pictures = zip([
      ...workbookParts(CONTACTS),
      { name: "xl/media/image1.png", data: noise(), store: true, declare: 150_000_000 },
      { name: "xl/media/image2.png", data: noise(), store: true, declare: 150_000_000 },
    ]);
    await expect(readSpreadsheet(pictures)).rejects.toThrow(/^Aberto, este arquivo XLSX ocupa 300 MB; o limite é 200 MB/);
    expect(inflate).not.toHaveBeenCalled();
  });

  it("stops inflating a part as soon as it passes the size it declared", async () => {
    // Declares 2 KB (too small for the ratio check to look at) and unpacks to 20 MB.
    const liar = zip(workbookParts(CONTACTS + " ".repeat(20_000_000), { declare: 2_000 }));
    const inflated: number[] = [];
    const real = zlib.createInflateRaw;
    vi.spyOn(zlib, "createInflateRaw").mockImplementation((options) => {
      const stream = real(options);
      stream.on("data", (chunk: Buffer) => inflated.push(chunk.length));
      return stream;
    });
    await expect(readSpreadsheet(liar)).rejects.toThrow(fileMessages.zipSizeLie);
    // One chunk past the 2 KB, not 20 MB.
    expect(inflated.reduce((a, b) => a + b, 0)).toBeLessThan(1_000_000);
  });

  it("refuses data past the column limit, by line and column, and ignores formatted empty cells there", async () => {
    const tooWide = await xlsx((ws) => {
      ws.addRow(["Nome", "Telefone"]);
      ws.addRow(["Ana", "11987654321"]);
      ws.getCell("CW3").value = "x";
    });
    await expect(readSpreadsheet(tooWide)).rejects.toThrow(
      "A linha 3 tem dados na coluna CW (a 101ª); o limite é 100 colunas. Apague as colunas que não vão ser importadas",
    );
    // The last column Excel has: refused as it comes, not after building 16,384 cells a row.
    const lastColumn = await xlsx((ws) => {
      ws.addRow(["Nome", "Telefone"]);
      for (let i = 0; i < 20; i++) ws.getCell(`XFD${i + 2}`).value = i;
    });
    await expect(readSpreadsheet(lastColumn)).rejects.toThrow("A linha 2 tem dados na coluna XFD (a 16.384ª)");
    const formatted = await xlsx((ws) => {
      ws.addRow(["Nome", "Telefone"]);
      ws.addRow(["Ana", "11987654321"]);
      ws.getCell("CZ2").border = { top: { style: "thin" } };
      ws.getCell("CV2").value = "última coluna aceita";
    });
    const table = await readSpreadsheet(formatted);
    expect(table.headers).toHaveLength(100);
    expect(table.rows[0]!.cells[99]).toBe("última coluna aceita");
  });

  it("refuses a cell longer than Excel allows: by its address, or while unpacking when it is huge", async () => {
    const long = await xlsx((ws) => {
      ws.addRow(["Nome", "Obs"]);
      ws.addRow(["Ana", "a".repeat(LIMITS.maxCellLength)]);
      ws.addRow(["Bia", "b".repeat(40_000)]);
    });
    await expect(readSpreadsheet(long)).rejects.toThrow(
      "A célula B3 tem 40.000 caracteres; o limite é 32.767 por célula (o mesmo do Excel). Encurte ou apague",
    );
    // A megabyte of text that does not compress (no zip bomb) in one cell: refused while unpacking, before the XML
    // parser gathers it into one string.
    const letters = Array.from({ length: 1_000_000 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join("");
    const giant = zip(workbookParts(`${CONTACTS}<row r="3">${inline("A3", letters)}</row>`));
    await expect(readSpreadsheet(giant)).rejects.toThrow(fileMessages.cellTooLongSomewhere);
  });

  it("keeps an accented letter whole when it falls between two unpacked chunks", async () => {
    const names = Array.from({ length: 5000 }, (_, i) => `João Conceição ${i} ã é ç`);
    const bytes = await xlsx((ws) => {
      ws.addRow(["Nome", "Telefone"]);
      names.forEach((n, i) => ws.addRow([n, `119${String(10_000_000 + i)}`]));
    });
    const table = await readSpreadsheet(bytes);
    expect(table.rows.map((r) => r.cells[0])).toEqual(names);
  });

  it("uses exceljs's part parsers (internals of the pinned 4.4.0) where read.ts expects them", () => {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader("", {}) as unknown as Record<string, unknown>;
    for (const method of ["_parseRels", "_parseWorkbook", "_parseSharedStrings", "_parseStyles", "_parseWorksheet"])
      expect(typeof reader[method], method).toBe("function");
  });
});

describe("readSpreadsheet (CSV limits)", () => {
  it("refuses data past the column limit and a cell too long, and drops empty padding past the limit", async () => {
    const wide = "Nome;Telefone\r\nAna;11987654321" + ";".repeat(99) + "x\r\n";
    await expect(readSpreadsheet(utf8(wide))).rejects.toThrow("A linha 2 tem dados na coluna CW (a 101ª)");
    const long = `Nome;Obs\r\nAna;${"a".repeat(40_000)}\r\n`;
    await expect(readSpreadsheet(utf8(long))).rejects.toThrow("A célula B2 tem 40.000 caracteres");
    const padded = "Nome;Telefone" + ";".repeat(300) + "\r\nAna;11987654321" + ";".repeat(300) + "\r\n";
    await expect(readSpreadsheet(utf8(padded))).resolves.toMatchObject({ headers: ["Nome", "Telefone"] });
  });
});

describe("readSpreadsheet leaves no temporary file", () => {
  // exceljs's reader writes a worksheet met before the shared strings (the order Excel and exceljs use) to a file
  // in the system's temporary folder: point that folder at an empty one and look at it after each read.
  const saved = process.env.TMPDIR;
  let tmp: string;
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), "disparo-read-test-"));
    process.env.TMPDIR = tmp;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    rmSync(tmp, { recursive: true, force: true });
  });
  const contacts = (rows: number, extra?: (ws: ExcelJS.Worksheet) => void) =>
    xlsx((ws) => {
      ws.addRow(["Nome", "Telefone"]);
      for (let i = 0; i < rows; i++) ws.addRow([`Pessoa ${i}`, `119${String(10_000_000 + i)}`]);
      extra?.(ws);
    });

  it("after a read, a refusal and a read stopped at the row limit", async () => {
    expect(os.tmpdir()).toBe(tmp);
    const ok = await contacts(20);
    await expect(readSpreadsheet(ok)).resolves.toMatchObject({ rows: { length: 20 } });
    expect(readdirSync(tmp)).toEqual([]);

    const refused = await contacts(20, (ws) => (ws.getCell("CW10").value = "x"));
    await expect(readSpreadsheet(refused)).rejects.toThrow(/coluna CW/);
    expect(readdirSync(tmp)).toEqual([]);

    await expect(readSpreadsheet(ok, { maxRows: 5 })).rejects.toThrow(/mais de 5 linhas/);
    expect(readdirSync(tmp)).toEqual([]);
  });
});
