import { PassThrough, Writable } from "node:stream";
import zlib from "node:zlib";
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { collect } from "@/tests/support/collect";
import { XlsxWriter, columnName } from "./writer";
import { crc32 } from "./zip";

// The writer's output is read back by another implementation (exceljs's reader, both the whole-file one and the
// streaming one, which follows the local headers and data descriptors as a download is read), and the zip is
// checked entry by entry: every CRC-32 and size in the central directory must match the inflated data.

/** The zip's entries as its central directory lists them, each inflated and checked against its CRC and sizes. */
const entries = (zip: Buffer) => {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(eocd).toBe(zip.length - 22);
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  expect(p + zip.readUInt32LE(eocd + 12)).toBe(eocd);
  const out = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(p)).toBe(0x02014b50);
    const [crc, csize, size, nameLen, offset] = [zip.readUInt32LE(p + 16), zip.readUInt32LE(p + 20), zip.readUInt32LE(p + 24), zip.readUInt16LE(p + 28), zip.readUInt32LE(p + 42)];
    const name = zip.toString("utf8", p + 46, p + 46 + nameLen);
    expect(zip.readUInt32LE(offset)).toBe(0x04034b50);
    const dataStart = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
    const data = zlib.inflateRawSync(zip.subarray(dataStart, dataStart + csize));
    expect(data.length, name).toBe(size);
    expect(crc32(data), name).toBe(crc);
    // The data descriptor after the data says the same.
    expect(zip.readUInt32LE(dataStart + csize)).toBe(0x08074b50);
    expect(zip.readUInt32LE(dataStart + csize + 4)).toBe(crc);
    out.set(name, data.toString("utf8"));
    p += 46 + nameLen;
  }
  return out;
};

const sample = (rows: number) => async (out: PassThrough) => {
  const wb = new XlsxWriter(out, { creator: "Disparo", sharedStrings: ["Entregue", " espaço ", "=compartilhado", "Entregue"] });
  const a = await wb.addSheet("Envios", [
    { header: "Contato", width: 30 },
    { header: "Telefone", width: 18 },
    { header: "Quando", width: 17 },
    { header: "Número", width: 10 },
  ]);
  for (let i = 0; i < rows; i++) await a.row([`Contato ${i}`, `+5511900${String(i).padStart(6, "0")}`, new Date(Date.UTC(2026, 10, 30, 23, 30)), i]);
  const b = await wb.addSheet("Resumo: [total]?", [
    { header: "Campo", width: 20 },
    { header: "Valor", width: 40 },
  ]);
  for (const cells of [
    ["=SOMA(A1:A9)", '+55 "aspas" & <tags>'],
    ["-1", "@menção"],
    ["Linha 1\nLinha 2", "João 😀 Silva"],
    ["controle\u0001\u0008fora", "meio \ud800 surrogate"],
    ["Taxa", { value: 0.875, format: "percent" as const }],
    ["Vazio", null],
    ["Entregue", " espaço "],
    ["=compartilhado", "Entregue"],
  ])
    await b.row(cells);
  await wb.finish();
};

describe("xlsx writer", () => {
  it("names columns as Excel does", () => {
    expect([0, 25, 26, 51, 52, 701, 702, 16383].map(columnName)).toEqual(["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD"]);
  });

  it("writes a zip whose every entry matches its CRC-32 and sizes, with the parts Excel needs", async () => {
    const parts = entries(await collect(sample(5_000)));
    expect([...parts.keys()].sort()).toEqual(
      ["[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "docProps/core.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"].sort(),
    );
    expect(parts.get("xl/worksheets/sheet1.xml")).not.toContain("<f>"); // never a formula
    // Declared texts are written once and referred to; the rest inline.
    expect(parts.get("xl/sharedStrings.xml")).toContain('uniqueCount="3"');
    expect(parts.get("xl/worksheets/sheet2.xml")).toMatch(/<c r="A8" t="s"><v>0<\/v><\/c>/);
    expect(parts.get("xl/sharedStrings.xml")).toContain('<t xml:space="preserve"> espaço </t>');
    // Only leading or trailing white space needs xml:space (Excel trims it otherwise); a line break inside is kept.
    expect(parts.get("xl/worksheets/sheet2.xml")).toContain("<t>Linha 1\nLinha 2</t>");
    expect(parts.get("xl/workbook.xml")).toContain(`<sheet name="Resumo total" sheetId="2" r:id="rId2"/>`);
  });

  it("reads back as typed cells: text stays text, risky text has the Text format, dates and percentages formatted", async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await collect(sample(3))) as unknown as ExcelJS.Buffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(["Envios", "Resumo total"]);
    const envios = wb.getWorksheet("Envios")!;
    expect(envios.getRow(1).values).toEqual([undefined, "Contato", "Telefone", "Quando", "Número"]);
    expect(envios.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(envios.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(envios.autoFilter).toBe("A1:D1");
    expect(envios.columns.map((c) => c.width)).toEqual([30, 18, 17, 10]);
    const row = envios.getRow(3);
    expect(row.getCell(1).value).toBe("Contato 1");
    expect(row.getCell(2).value).toBe("+5511900000001");
    expect(row.getCell(2).type).toBe(ExcelJS.ValueType.String);
    expect(row.getCell(2).numFmt).toBe("@");
    expect((row.getCell(3).value as Date).toISOString()).toBe("2026-11-30T23:30:00.000Z");
    expect(row.getCell(3).numFmt).toBe("dd/mm/yyyy hh:mm");
    expect(row.getCell(4).value).toBe(1);
    expect(envios.rowCount).toBe(4);

    const resumo = wb.getWorksheet("Resumo total")!;
    const values = resumo.getSheetValues().slice(2).map((v) => (v as unknown[]).slice(1));
    expect(values).toEqual([
      ["=SOMA(A1:A9)", '+55 "aspas" & <tags>'],
      ["-1", "@menção"],
      ["Linha 1\nLinha 2", "João 😀 Silva"],
      ["controlefora", "meio \ufffd surrogate"],
      ["Taxa", 0.875],
      ["Vazio"],
      ["Entregue", " espaço "],
      ["=compartilhado", "Entregue"],
    ]);
    expect(resumo.getRow(9).getCell(1).numFmt).toBe("@");
    for (const r of [2, 3]) for (const c of [1, 2]) expect(resumo.getRow(r).getCell(c).numFmt, `${r}:${c}`).toBe("@");
    expect(resumo.getRow(4).getCell(1).numFmt ?? "General").not.toBe("@");
    expect(resumo.getRow(6).getCell(2).numFmt).toBe("0.0%");
  });

  it("streams: exceljs's streaming reader finds every row while reading the bytes in order", async () => {
    const zip = await collect(sample(20_000));
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(PassThrough.from([zip]), { worksheets: "emit", sharedStrings: "cache", styles: "ignore", hyperlinks: "ignore", entries: "ignore" });
    const rows: Record<string, number> = {};
    for await (const ws of reader) {
      let n = 0;
      for await (const row of ws) if (row.number > 1) n++;
      rows[(ws as unknown as { name: string }).name] = n;
    }
    expect(Object.values(rows)).toEqual([20_000, 8]);
  });

  it("waits for a slow reader instead of filling memory, and stops when the download is cancelled", async () => {
    let received = 0;
    let release: () => void = () => undefined;
    let paused = true;
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, done) {
        received += chunk.length;
        if (paused) release = done;
        else done();
      },
    });
    const wb = new XlsxWriter(slow, { creator: "Disparo" });
    const ws = await wb.addSheet("Envios", [{ header: "Contato", width: 30 }]);
    // Random text compresses badly: the deflate output fills the reader's buffer quickly.
    const noise = () => Math.random().toString(36).repeat(20);
    let written = 0;
    const writing = (async () => {
      for (let i = 0; i < 200_000; i++) {
        await ws.row([noise()]);
        written = i;
        if (wb.aborted) return "aborted";
      }
      return "finished";
    })();
    await new Promise((r) => setTimeout(r, 300));
    // The reader took nothing: the writer is waiting, a bounded amount written.
    const stuckAt = written;
    expect(stuckAt).toBeLessThan(10_000);
    expect(received).toBeLessThan(2 * 1024 * 1024);
    paused = false;
    release();
    await new Promise((r) => setTimeout(r, 100));
    expect(written).toBeGreaterThan(stuckAt);
    slow.destroy(); // the browser cancels
    await expect(writing).resolves.toBe("aborted");
    await wb.finish(); // nothing more to write, and no hang
  });
});
