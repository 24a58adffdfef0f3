import { describe, expect, it } from "vitest";
import { CsvError, decodeText, detectDelimiter, neutralizeFormula, parseCsv, toCsv } from "./csv";

const win1252 = (text: string) => {
  // Every character used here is in Latin-1, where Windows-1252 and Unicode code points agree.
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) throw new Error(`not Latin-1: ${text[i]}`);
    bytes[i] = code;
  }
  return bytes;
};

describe("parseCsv", () => {
  it("splits on the separator and keeps empty fields", () => {
    expect(parseCsv("a;b;;d\n1;2;3;4\n", ";")).toEqual([
      ["a", "b", "", "d"],
      ["1", "2", "3", "4"],
    ]);
    expect(parseCsv("a,b,\n", ",")).toEqual([["a", "b", ""]]);
    expect(parseCsv("a\tb", "\t")).toEqual([["a", "b"]]);
  });

  it("reads quoted fields with separators, escaped quotes and line breaks inside", () => {
    const text = 'Nome;Obs\r\n"Silva; Maria";"Disse ""oi""\r\nna loja"\r\n"";fim\r\n';
    expect(parseCsv(text, ";")).toEqual([
      ["Nome", "Obs"],
      ["Silva; Maria", 'Disse "oi"\r\nna loja'],
      ["", "fim"],
    ]);
  });

  it("accepts CRLF, LF and a lone CR as line ends, with or without a final one", () => {
    expect(parseCsv("a;b\r\nc;d\re;f\ng;h", ";")).toEqual([
      ["a", "b"],
      ["c", "d"],
      ["e", "f"],
      ["g", "h"],
    ]);
  });

  it("keeps a quote inside an unquoted field as text, like Excel", () => {
    expect(parseCsv('Maria "Mari" Silva;x\n', ";")).toEqual([['Maria "Mari" Silva', "x"]]);
  });

  it("refuses an unterminated quote, naming the line where it starts", () => {
    expect(() => parseCsv('a;b\n1;"sem fim\n2;3\n', ";")).toThrow(CsvError);
    expect(() => parseCsv('a;b\n1;"sem fim\n2;3\n', ";")).toThrow(/linha 2/);
  });

  it("returns nothing for empty text", () => {
    expect(parseCsv("", ";")).toEqual([]);
  });
});

describe("detectDelimiter", () => {
  it("picks the separator of the header line", () => {
    expect(detectDelimiter("Nome;Telefone;Cidade\n1,2,3,4,5")).toBe(";");
    expect(detectDelimiter("Nome,Telefone,Cidade\n")).toBe(",");
    expect(detectDelimiter("Nome\tTelefone\n")).toBe("\t");
  });

  it("ignores separators inside quotes and defaults to ';' for one column", () => {
    expect(detectDelimiter('"Nome, completo";Telefone\n')).toBe(";");
    expect(detectDelimiter("Telefone\n11987654321\n")).toBe(";");
  });
});

describe("decodeText", () => {
  it("reads UTF-8 with and without BOM", () => {
    const utf8 = new TextEncoder().encode("Nome\nJoão;São Paulo");
    expect(decodeText(utf8)).toEqual({ text: "Nome\nJoão;São Paulo", encoding: "utf-8" });
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]);
    expect(decodeText(withBom)).toEqual({ text: "Nome\nJoão;São Paulo", encoding: "utf-8" });
  });

  it("falls back to Windows-1252 when the bytes are not UTF-8 (Excel pt-BR's CSV)", () => {
    const decoded = decodeText(win1252("Nome;Cidade\r\nJoão;São Paulo\r\nConceição;Maceió"));
    expect(decoded?.encoding).toBe("windows-1252");
    expect(parseCsv(decoded!.text, ";")).toEqual([
      ["Nome", "Cidade"],
      ["João", "São Paulo"],
      ["Conceição", "Maceió"],
    ]);
  });

  it("reads UTF-16 with its BOM (Excel's 'Unicode text')", () => {
    const text = "Nome\tCidade\r\nJoão\tSão Paulo";
    const le = new Uint8Array(2 + text.length * 2);
    le.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) {
      le[2 + i * 2] = text.charCodeAt(i) & 0xff;
      le[3 + i * 2] = text.charCodeAt(i) >> 8;
    }
    expect(decodeText(le)).toEqual({ text, encoding: "utf-16le" });
  });

  it("says binary data is not text", () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    expect(decodeText(png)).toBeNull();
    const noise = new Uint8Array(4096).map((_, i) => (i * 7919) % 256 || 1);
    expect(decodeText(noise)).toBeNull();
  });
});

describe("toCsv", () => {
  it("writes UTF-8 with BOM, ';' and CRLF, quoting what needs it", () => {
    expect(toCsv([["Linha", "Motivo"], ["2", 'Nome "errado"; veja']])).toBe('\uFEFFLinha;Motivo\r\n2;"Nome ""errado""; veja"\r\n');
  });

  it("neutralises anything a spreadsheet would run as a formula", () => {
    expect(neutralizeFormula('=HYPERLINK("http://x","clique")')).toBe('\'=HYPERLINK("http://x","clique")');
    expect(neutralizeFormula("+55 11 98765-4321")).toBe("'+55 11 98765-4321");
    expect(neutralizeFormula("-2+3+cmd|' /C calc'!A0")).toBe("'-2+3+cmd|' /C calc'!A0");
    expect(neutralizeFormula("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(neutralizeFormula("Maria = Silva")).toBe("Maria = Silva");
    expect(toCsv([["=1+1", "ok"]])).toBe("\uFEFF'=1+1;ok\r\n");
  });

  it("round-trips through the parser", () => {
    const rows = [
      ["Nome", "Obs"],
      ["João; da Silva", 'linha 1\r\nlinha "2"'],
    ];
    const csv = toCsv(rows);
    expect(parseCsv(decodeText(new TextEncoder().encode(csv))!.text, ";")).toEqual(rows);
  });
});
