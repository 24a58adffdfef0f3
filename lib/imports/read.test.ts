import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
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
