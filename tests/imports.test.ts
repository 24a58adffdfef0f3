import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, asc, eq, sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { auditLog, chips, consentEvents, contactChips, contacts, tags, wallets } from "@/db/schema";
import { parseCsv } from "@/lib/imports/csv";
import { acceptUpload, buildErrorReport, prepareImport } from "@/lib/imports/job";
import { describeStoppedImport } from "@/lib/imports/outcome";
import { readSpreadsheet } from "@/lib/imports/read";
import { ImportStoppedError, runImport, runMessages, type ImportSettings } from "@/lib/imports/run";
import { interruptedMessage, readStatus, STALE_RUN_MS, sweepExpired, toView, writeStatus } from "@/lib/imports/store";
import { createOrganization, createUser } from "./support/fixtures";
import { withImportHeld } from "./support/import-hold";

const importsDir = mkdtempSync(path.join(os.tmpdir(), "disparo-imports-test-"));
// The system's temporary folder, for this file only: whatever a read or an import leaves there is seen.
const tmpDir = mkdtempSync(path.join(os.tmpdir(), "disparo-imports-tmp-"));
const savedTmp = process.env.TMPDIR;
beforeAll(() => {
  process.env.DISPARO_IMPORTS_DIR = importsDir;
  process.env.TMPDIR = tmpDir;
});
afterAll(() => {
  delete process.env.DISPARO_IMPORTS_DIR;
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  rmSync(importsDir, { recursive: true, force: true });
  rmSync(tmpDir, { recursive: true, force: true });
});

// Excel pt-BR's "CSV (separado por vírgulas)": Windows-1252, ";" and CRLF.
const windows1252 = (text: string) => {
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) throw new Error(`fora do Latin-1: ${text[i]}`);
    bytes[i] = code;
  }
  return bytes;
};

const HEADER = "Nome;Telefone;Cidade;UF;Opt-in;Etiquetas";
const CSV_LINES = [
  HEADER,
  "João da Silva;(11) 8765-4321;São Paulo;São Paulo;sim;Clientes VIP, Novidade", // 2: new, ninth digit, UF by name
  "Maria Souza;21 99876-5432;Rio de Janeiro;RJ;;", // 3: already in the base
  "Telefone Ruim;123;;;;", // 4: bad phone
  "João Repetido;+55 11 98765-4321;;;;", // 5: same phone as line 2
  '"=HYPERLINK(""http://evil.example"",""Clique"")";31988887777;Belo Horizonte;mg;não;', // 6: formula as a name
  "Conceição;(85) 9988-7766;Fortaleza;Ceará;descadastrado;", // 7: new, opted out
  "Pedro Alves;41 99999-0000;;;sim;", // 8: opted out in the base, the file says yes
  "\"=cmd|' /C calc'!A0\";abc;;;;", // 9: formula and a bad phone: goes to the report
  "Sem Nome Novo;;Recife;PE;;", // 10: no phone
  ";(48) 99911-2233;;;;", // 11: new contact without a name
];
const csvBytes = () => windows1252(CSV_LINES.join("\r\n") + "\r\n");

type Fixture = Awaited<ReturnType<typeof setup>>;

const setup = async () => {
  const db = getDb();
  const org = await createOrganization();
  const user = await createUser(org.id, "operador");
  const [vip, fileTag, old] = await db
    .insert(tags)
    .values([
      { organizationId: org.id, name: "Clientes VIP" },
      { organizationId: org.id, name: "Feira 2026" },
      { organizationId: org.id, name: "Antiga" },
    ])
    .returning();
  const [wallet] = await db.insert(wallets).values({ organizationId: org.id, name: "Varejo" }).returning();
  const [chip] = await db
    .insert(chips)
    .values({
      organizationId: org.id,
      name: "Vendas",
      displayNumber: "+55 11 4000-1000",
      phoneNumberId: `pn-${org.id}`,
      wabaId: "w",
      accessTokenEncrypted: "x",
    })
    .returning();
  await db.insert(contacts).values([
    {
      organizationId: org.id,
      name: "Maria S.",
      phone: "+5521998765432",
      city: "Niterói",
      tagIds: [old!.id],
      optInStatus: "none",
    },
    {
      organizationId: org.id,
      name: "Pedro",
      phone: "+5541999990000",
      optInStatus: "opted_out",
      optInSource: "form",
      optInAt: new Date("2024-01-01T12:00:00Z"),
      optedOutAt: new Date("2025-01-01T12:00:00Z"),
    },
  ]);
  const settings: ImportSettings = {
    mapping: { name: 0, phone: 1, city: 2, state: 3, optInStatus: 4, tags: 5 },
    tagIds: [fileTag!.id],
    walletId: wallet!.id,
    chipId: chip!.id,
    defaultOptInStatus: "opted_in",
    defaultOptInSource: "form",
    duplicates: "update",
  };
  return { db, org, user, vip: vip!, fileTag: fileTag!, old: old!, wallet: wallet!, chip: chip!, settings };
};

const importCsv = async (f: Fixture, overrides: Partial<ImportSettings> = {}, bytes = csvBytes()) => {
  const table = await readSpreadsheet(bytes);
  const result = await runImport(f.db, {
    organizationId: f.org.id,
    userId: f.user.id,
    timeZone: "America/Sao_Paulo",
    table,
    settings: { ...f.settings, ...overrides },
    fileName: "clientes.csv",
  });
  return { table, result };
};

const contactsOf = (f: Fixture) =>
  f.db.select().from(contacts).where(eq(contacts.organizationId, f.org.id)).orderBy(asc(contacts.phone));

const byPhone = async (f: Fixture) => new Map((await contactsOf(f)).map((c) => [c.phone, c]));

describe("contact import (CSV, Windows-1252, ';')", () => {
  it("creates and updates contacts, with E.164 phones, etiquetas, wallet, chip and consent evidence", async () => {
    const f = await setup();
    const { table, result } = await importCsv(f);
    expect(table).toMatchObject({ encoding: "windows-1252", delimiter: ";" });

    expect(result.counts).toEqual({ total: 10, created: 3, updated: 2, skipped: 0, failed: 5 });
    expect(result.errors.map((e) => e.line)).toEqual([4, 5, 9, 10, 11]);
    expect(result.errors[0]!.reason).toBe("Telefone curto demais: inclua o DDD.");
    expect(result.errors[1]!.reason).toBe("Telefone repetido na linha 2: cada telefone entra uma vez só.");
    expect(result.errors[3]!.reason).toBe("Telefone vazio.");
    expect(result.errors[4]!.reason).toMatch(/^Nome vazio: preencha o nome/);
    expect(result.createdTags).toEqual(["Novidade"]);

    const [novidade] = await f.db
      .select()
      .from(tags)
      .where(and(eq(tags.organizationId, f.org.id), eq(tags.name, "Novidade")));
    const c = await byPhone(f);
    expect([...c.keys()]).toEqual(["+5511987654321", "+5521998765432", "+5531988887777", "+5541999990000", "+5585999887766"]);

    const joao = c.get("+5511987654321")!;
    expect(joao).toMatchObject({
      name: "João da Silva",
      city: "São Paulo",
      state: "SP",
      walletId: f.wallet.id,
      optInStatus: "opted_in",
      optInSource: "form",
      optedOutAt: null,
    });
    expect(joao.tagIds).toEqual([f.vip.id, f.fileTag.id, novidade!.id].sort((a, b) => a - b));

    // Existing contact: the file's values, etiquetas added to the ones it had, the default opt-in filled in.
    const maria = c.get("+5521998765432")!;
    expect(maria).toMatchObject({ name: "Maria Souza", city: "Rio de Janeiro", state: "RJ", walletId: f.wallet.id, optInStatus: "opted_in" });
    expect(maria.tagIds).toEqual([f.fileTag.id, f.old.id].sort((a, b) => a - b));

    // A name that looks like a formula is stored as the text it is.
    expect(c.get("+5531988887777")).toMatchObject({
      name: '=HYPERLINK("http://evil.example","Clique")',
      state: "MG",
      optInStatus: "none",
      optInSource: null,
    });
    expect(c.get("+5585999887766")).toMatchObject({ name: "Conceição", state: "CE", optInStatus: "opted_out" });
    expect(c.get("+5585999887766")!.optedOutAt).toBeInstanceOf(Date);
    // Opted out before: a spreadsheet never opts anyone back in.
    expect(c.get("+5541999990000")).toMatchObject({ name: "Pedro Alves", optInStatus: "opted_out" });

    const registered = await f.db.select().from(contactChips).where(eq(contactChips.organizationId, f.org.id));
    expect(registered).toHaveLength(5);
    expect(registered.every((r) => r.chipId === f.chip.id && r.registered)).toBe(true);

    const events = await f.db
      .select({ contactId: consentEvents.contactId, status: consentEvents.status, source: consentEvents.source, userId: consentEvents.userId, chipId: consentEvents.chipId })
      .from(consentEvents)
      .where(eq(consentEvents.organizationId, f.org.id));
    expect(result.consentChanges).toBe(3);
    expect(events.map((e) => [e.contactId, e.status]).sort()).toEqual(
      [
        [joao.id, "opted_in"],
        [maria.id, "opted_in"],
        [c.get("+5585999887766")!.id, "opted_out"],
      ].sort(),
    );
    expect(events.every((e) => e.source === "import" && e.userId === f.user.id && e.chipId === f.chip.id)).toBe(true);

    const [entry] = await f.db.select().from(auditLog).where(eq(auditLog.organizationId, f.org.id));
    expect(entry).toMatchObject({ action: "contacts.import", userId: f.user.id });
    expect(entry!.data).toMatchObject({ fileName: "clientes.csv", rows: 10, created: 3, updated: 2, failed: 5 });
    const audited = JSON.stringify(entry!.data);
    expect(audited).not.toMatch(/9876|Maria|João/);
  });

  it("'ignorar' leaves contacts that already exist as they were and counts them", async () => {
    const f = await setup();
    const { result } = await importCsv(f, { duplicates: "skip" });
    expect(result.counts).toEqual({ total: 10, created: 3, updated: 0, skipped: 2, failed: 5 });
    const c = await byPhone(f);
    expect(c.get("+5521998765432")).toMatchObject({ name: "Maria S.", city: "Niterói", walletId: null, tagIds: [f.old.id], optInStatus: "none" });
    const registered = await f.db.select().from(contactChips).where(eq(contactChips.organizationId, f.org.id));
    expect(registered).toHaveLength(3);
    const events = await f.db.select().from(consentEvents).where(eq(consentEvents.organizationId, f.org.id));
    expect(events).toHaveLength(2);
  });

  it("writes an error report Excel opens safely: BOM, ';', line, reason, original values, formulas neutralised", async () => {
    const f = await setup();
    const { table, result } = await importCsv(f);
    const csv = buildErrorReport(table, result.errors);
    expect(csv.startsWith("\uFEFFLinha;Motivo;Nome;Telefone;Cidade;UF;Opt-in;Etiquetas\r\n")).toBe(true);
    const records = parseCsv(csv.slice(1), ";");
    expect(records[1]).toEqual(["4", "Telefone curto demais: inclua o DDD.", "Telefone Ruim", "123", "", "", "", ""]);
    expect(records[2]!.slice(0, 4)).toEqual([
      "5",
      "Telefone repetido na linha 2: cada telefone entra uma vez só.",
      "João Repetido",
      "'+55 11 98765-4321",
    ]);
    expect(records[3]!.slice(0, 3)).toEqual(["9", "Telefone “abc” não tem números: confira se a coluna do telefone é a certa.", "'=cmd|' /C calc'!A0"]);
    expect(records).toHaveLength(6);
  });

  it("a batch that fails in the database leaves nothing of that batch, and the others are written", async () => {
    const f = await setup();
    const lines = ["Nome;Telefone", ...[1, 2, 3, 4, 5].map((i) => `Pessoa ${i};(11) 90000-000${i}`)];
    await f.db.execute(sql`
      create or replace function imports_test_fail() returns trigger language plpgsql as $$
      begin
        if new.phone = '+5511900000003' then raise exception 'falha simulada'; end if;
        return new;
      end $$`);
    await f.db.execute(sql`create trigger imports_test_fail before insert on contacts for each row execute function imports_test_fail()`);
    try {
      const table = await readSpreadsheet(new TextEncoder().encode(lines.join("\n")));
      const result = await runImport(f.db, {
        organizationId: f.org.id,
        userId: f.user.id,
        timeZone: "America/Sao_Paulo",
        table,
        settings: { ...f.settings, mapping: { name: 0, phone: 1 } },
        fileName: "lotes.csv",
        batchSize: 2,
      });
      expect(result).toMatchObject({ batches: 3, failedBatches: 1 });
      expect(result.counts).toEqual({ total: 5, created: 3, updated: 0, skipped: 0, failed: 2 });
      expect(result.errors).toEqual([
        { line: 4, reason: runMessages.batchFailed(4, 5), kinds: ["batch"] },
        { line: 5, reason: runMessages.batchFailed(4, 5), kinds: ["batch"] },
      ]);
      const phones = (await contactsOf(f)).map((c) => c.phone ?? "").filter((p) => p.startsWith("+55119000"));
      expect(phones).toEqual(["+5511900000001", "+5511900000002", "+5511900000005"]);
      // Nothing of the failed batch anywhere: no chip registration, no consent event for it.
      const registered = await f.db.select().from(contactChips).where(eq(contactChips.organizationId, f.org.id));
      expect(registered).toHaveLength(3);
      const events = await f.db.select().from(consentEvents).where(eq(consentEvents.organizationId, f.org.id));
      expect(events).toHaveLength(3);
    } finally {
      await f.db.execute(sql`drop trigger if exists imports_test_fail on contacts`);
    }
  });

  it("matches the file's etiquetas to existing ones ignoring case and accents: no second \"Calçados\"", async () => {
    const f = await setup();
    const [calcados] = await f.db.insert(tags).values({ organizationId: f.org.id, name: "Calçados" }).returning();
    const bytes = windows1252([HEADER, "Ana Lima;(11) 97777-0001;;;sim;calcados", "Bia Lima;(11) 97777-0002;;;sim;CALÇADOS, clientes vip"].join("\r\n"));
    const { result } = await importCsv(f, { tagIds: [] }, bytes);
    expect(result.createdTags).toEqual([]);
    const names = await f.db.select({ name: tags.name }).from(tags).where(eq(tags.organizationId, f.org.id));
    expect(names.filter((t) => /cal/i.test(t.name))).toEqual([{ name: "Calçados" }]);
    const people = await byPhone(f);
    expect(people.get("+5511977770001")!.tagIds).toEqual([calcados!.id]);
    expect(people.get("+5511977770002")!.tagIds).toEqual([calcados!.id, f.vip.id].sort((a, b) => a - b));
  });

  it("refuses etiquetas, a wallet or a chip of another organization", async () => {
    const f = await setup();
    const other = await setup();
    await expect(importCsv(f, { tagIds: [other.fileTag.id] })).rejects.toMatchObject({ code: "invalid", fieldErrors: { tagIds: [runMessages.unknownTags] } });
    await expect(importCsv(f, { walletId: other.wallet.id })).rejects.toMatchObject({ fieldErrors: { walletId: [runMessages.unknownWallet] } });
    await expect(importCsv(f, { chipId: other.chip.id })).rejects.toMatchObject({ fieldErrors: { chipId: [runMessages.unknownChip] } });
    expect(await contactsOf(f)).toHaveLength(2);
  });
});

describe("contact import (XLSX)", () => {
  it("imports a workbook: numeric phones, date cells, a formula cell by its saved value", async () => {
    const f = await setup();
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Contatos");
    ws.addRow(["Nome", "Celular", "Estado", "Opt-in", "Data do opt-in", "Origem do opt-in"]);
    ws.addRow(["Ana Lima", 11912345678, "Paraná", "aceitou", new Date(Date.UTC(2025, 2, 15, 10, 0)), "loja"]);
    ws.addRow([{ formula: 'CONCAT("Bruno"," ","Reis")', result: "Bruno Reis" }, "5521987651234", "RJ", "", "", ""]);
    ws.addRow(["Carla", 1234, "SP", "sim", "", ""]);
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
    const table = await readSpreadsheet(bytes);
    expect(table.format).toBe("xlsx");
    const result = await runImport(f.db, {
      organizationId: f.org.id,
      userId: f.user.id,
      timeZone: "America/Sao_Paulo",
      table,
      settings: {
        ...f.settings,
        mapping: { name: 0, phone: 1, state: 2, optInStatus: 3, optInAt: 4, optInSource: 5 },
        defaultOptInStatus: "pending",
        chipId: null,
      },
      fileName: "contatos.xlsx",
    });
    expect(result.counts).toEqual({ total: 3, created: 2, updated: 0, skipped: 0, failed: 1 });
    expect(result.errors).toEqual([{ line: 4, reason: "Telefone curto demais: inclua o DDD.", kinds: ["phone"] }]);
    const c = await byPhone(f);
    expect(c.get("+5511912345678")).toMatchObject({
      name: "Ana Lima",
      state: "PR",
      optInStatus: "opted_in",
      optInSource: "manual",
      optInAt: new Date("2025-03-15T13:00:00Z"),
    });
    expect(c.get("+5521987651234")).toMatchObject({ name: "Bruno Reis", state: "RJ", optInStatus: "pending", optInSource: "form" });
  });
});

describe("import job (upload kept on the server, status, report)", () => {
  it("runs an upload to the end: status done, report written, uploaded file removed, one run per upload", async () => {
    const f = await setup();
    const uploaded = await acceptUpload({ organizationId: f.org.id, userId: f.user.id, fileName: "C:\\planilhas\\clientes.csv", bytes: csvBytes() });
    expect(uploaded).toMatchObject({ state: "uploaded", fileName: "clientes.csv" });
    expect(uploaded.summary).toMatchObject({
      format: "csv",
      encoding: "windows-1252",
      delimiter: ";",
      totalRows: 10,
      headers: ["Nome", "Telefone", "Cidade", "UF", "Opt-in", "Etiquetas"],
      guessedMapping: { name: 0, phone: 1, city: 2, state: 3, optInStatus: 4, tags: 5 },
    });
    expect(uploaded.summary.preview[0]!.cells[0]).toBe("João da Silva");

    // Another organization cannot see it.
    const other = await createOrganization();
    expect(await readStatus(other.id, uploaded.id)).toBeNull();

    const input = { organizationId: f.org.id, userId: f.user.id, timeZone: "America/Sao_Paulo", id: uploaded.id, settings: f.settings };
    const run = await prepareImport(f.db, input);
    await expect(prepareImport(f.db, input)).rejects.toMatchObject({ code: "conflict" });
    const done = await run();
    expect(done).toMatchObject({ state: "done", counts: { created: 3, updated: 2, failed: 5 }, errorCount: 5 });
    expect(done.errorsPreview![0]).toEqual({
      line: 4,
      reason: "Telefone curto demais: inclua o DDD.",
      kinds: ["phone"],
      phone: "123",
      name: "Telefone Ruim",
    });
    expect(done.errorSummary).toEqual([
      { kind: "phone", count: 3 },
      { kind: "duplicate", count: 1 },
      { kind: "name", count: 1 },
    ]);

    const dir = path.join(importsDir, f.org.id, uploaded.id);
    expect(existsSync(path.join(dir, "upload.bin"))).toBe(false);
    const report = readFileSync(path.join(dir, "erros.csv"), "utf8");
    expect(report.startsWith("\uFEFFLinha;Motivo;")).toBe(true);
    expect(await readStatus(f.org.id, uploaded.id)).toMatchObject({ state: "done" });
  });

  it("expires an upload an hour after its last activity, and reports a run whose server died", async () => {
    const f = await setup();
    const uploaded = await acceptUpload({ organizationId: f.org.id, userId: f.user.id, fileName: "a.csv", bytes: csvBytes() });
    const dir = path.join(importsDir, f.org.id, uploaded.id);
    const later = Date.now() + 61 * 60_000;
    expect(await readStatus(f.org.id, uploaded.id, later)).toBeNull();

    const running = await writeStatus({ ...uploaded, state: "running" });
    expect(await readStatus(f.org.id, uploaded.id, Date.now() + 4 * 60_000)).toMatchObject({
      state: "failed",
      message: interruptedMessage,
    });
    expect((await sweepExpired(Date.parse(running.updatedAt) + 30 * 60_000)).kept).toBeGreaterThan(0);
    expect(existsSync(dir)).toBe(true);
    await sweepExpired(later + 60_000);
    expect(existsSync(dir)).toBe(false);
  });

  it("refuses a non-spreadsheet and a file of only a header with the message to show", async () => {
    const f = await setup();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    await expect(acceptUpload({ organizationId: f.org.id, userId: f.user.id, fileName: "foto.csv", bytes: png })).rejects.toMatchObject({
      code: "invalid",
      message: expect.stringMatching(/^O arquivo não parece ser uma planilha CSV ou XLSX/),
    });
    await expect(
      acceptUpload({ organizationId: f.org.id, userId: f.user.id, fileName: "vazia.csv", bytes: new TextEncoder().encode("Nome;Telefone\r\n") }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/^A planilha não tem linhas de contatos, só o cabeçalho/) });
  });
});

const workbook = async (rows: number, extra?: (ws: ExcelJS.Worksheet) => void) => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("Contatos");
  ws.addRow(["Nome", "Telefone"]);
  for (let i = 0; i < rows; i++) ws.addRow([`Pessoa ${i}`, `(11) 9${String(10_000_000 + i)}`]);
  extra?.(ws);
  return new Uint8Array(await wb.xlsx.writeBuffer());
};

// The central directory of `bytes` says `size` bytes unpacked for `part` (what a crafted file would declare).
const declareSize = (bytes: Uint8Array, part: string, size: number) => {
  const buf = Buffer.from(bytes);
  const signature = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
  for (let p = buf.indexOf(signature); p >= 0; p = buf.indexOf(signature, p + 4))
    if (buf.toString("utf8", p + 46, p + 46 + buf.readUInt16LE(p + 28)) === part) buf.writeUInt32LE(size, p + 24);
  return new Uint8Array(buf);
};

describe("import of a hostile or oversized XLSX", () => {
  it("refuses, at upload, a workbook that declares too much unpacked, too many columns or a giant cell, keeping nothing", async () => {
    const f = await setup();
    const upload = (bytes: Uint8Array) => acceptUpload({ organizationId: f.org.id, userId: f.user.id, fileName: "contatos.xlsx", bytes });
    const bomb = declareSize(await workbook(10), "xl/worksheets/sheet1.xml", 3_000_000_000);
    await expect(upload(bomb)).rejects.toMatchObject({
      code: "invalid",
      message: expect.stringMatching(/^Aberto, este arquivo XLSX ocupa 3\.000 MB; o limite é 200 MB\. Apague as abas/),
      fieldErrors: { file: [expect.stringMatching(/^Aberto, este arquivo XLSX/)] },
    });
    await expect(upload(await workbook(10, (ws) => (ws.getCell("CW5").value = "x")))).rejects.toMatchObject({
      message: expect.stringMatching(/^A linha 5 tem dados na coluna CW \(a 101ª\); o limite é 100 colunas/),
    });
    await expect(upload(await workbook(10, (ws) => (ws.getCell("B7").value = "9".repeat(100_000))))).rejects.toMatchObject({
      message: expect.stringMatching(/^A célula B7 tem 100\.000 caracteres; o limite é 32\.767 por célula/),
    });
    expect(existsSync(path.join(importsDir, f.org.id))).toBe(false);
    expect(readdirSync(tmpDir)).toEqual([]);
  });

  it("leaves no temporary file after an import, a refusal, or a read stopped partway", async () => {
    const f = await setup();
    const before = readdirSync(tmpDir);
    expect(before).toEqual([]);
    // Written by exceljs, like by Excel: the sheet comes before the shared strings in the ZIP.
    const uploaded = await acceptUpload({ organizationId: f.org.id, userId: f.user.id, fileName: "ok.xlsx", bytes: await workbook(30) });
    expect(readdirSync(tmpDir)).toEqual([]);
    const run = await prepareImport(f.db, {
      organizationId: f.org.id,
      userId: f.user.id,
      timeZone: "America/Sao_Paulo",
      id: uploaded.id,
      settings: { ...f.settings, mapping: { name: 0, phone: 1 } },
    });
    await expect(run()).resolves.toMatchObject({ state: "done", counts: { created: 30 } });
    expect(readdirSync(tmpDir)).toEqual([]);
    expect(readdirSync(path.join(importsDir, f.org.id, uploaded.id))).toEqual(["run.lock", "status.json"]);

    const bomb = declareSize(await workbook(30), "xl/sharedStrings.xml", 0xffffffff);
    await expect(acceptUpload({ organizationId: f.org.id, userId: f.user.id, fileName: "b.xlsx", bytes: bomb })).rejects.toThrow();
    // Stops at line 12 of 31.
    const wide = await workbook(30, (ws) => (ws.getCell("DA12").value = "x"));
    await expect(acceptUpload({ organizationId: f.org.id, userId: f.user.id, fileName: "w.xlsx", bytes: wide })).rejects.toThrow(
      /A linha 12 tem dados na coluna DA/,
    );
    expect(readdirSync(tmpDir)).toEqual([]);
    expect(readdirSync(path.join(importsDir, f.org.id))).toEqual([uploaded.id]);
  });
});

describe("the upload store's own temporary files", () => {
  it("a status that cannot be written leaves no half-written copy beside it", async () => {
    const f = await setup();
    const uploaded = await acceptUpload({ organizationId: f.org.id, userId: f.user.id, fileName: "a.csv", bytes: csvBytes() });
    const dir = path.join(importsDir, f.org.id, uploaded.id);
    // A folder where status.json should go: the rename of the written copy fails.
    rmSync(path.join(dir, "status.json"));
    mkdirSync(path.join(dir, "status.json", "x"), { recursive: true });
    await expect(writeStatus({ ...uploaded, state: "running" })).rejects.toThrow();
    expect(readdirSync(dir).sort()).toEqual(["status.json", "upload.bin"]);
  });
});

describe("an import that stops partway says exactly what it wrote", () => {
  const bigCsv = (rows: number, bad: (i: number) => boolean = () => false) =>
    new TextEncoder().encode(
      ["Nome;Telefone", ...Array.from({ length: rows }, (_, i) => `Pessoa ${i};${bad(i) ? "123" : `(11) 9${String(20_000_000 + i)}`}`)].join("\n"),
    );
  const phonesInBase = async (f: Fixture) =>
    (await contactsOf(f)).map((c) => c.phone ?? "").filter((p) => p.startsWith("+55119200"));

  it("the server going down mid-batch: the status names the lines written, the batch in flight and the rest", async () => {
    const f = await setup();
    // 3,500 rows (lines 2–3,501), batches of 1,000: the third batch (lines 2,002–3,001) waits on a lock the test holds.
    const uploaded = await acceptUpload({ organizationId: f.org.id, userId: f.user.id, fileName: "grande.csv", bytes: bigCsv(3500) });
    const run = await prepareImport(f.db, {
      organizationId: f.org.id,
      userId: f.user.id,
      timeZone: "America/Sao_Paulo",
      id: uploaded.id,
      settings: { ...f.settings, mapping: { name: 0, phone: 1 }, chipId: null },
    });
    const finished = await withImportHeld(
      f.db,
      { name: "imports_test", phone: "+5511920002500", organizationId: f.org.id, importId: uploaded.id, batchFrom: 2002, run },
      async () => {
        expect(await phonesInBase(f)).toHaveLength(2000);
        // As the page sees it once the run is silent for longer than a live run can be: the process died.
        const seen = await readStatus(f.org.id, uploaded.id, Date.now() + STALE_RUN_MS + 60_000);
        expect(seen).toMatchObject({
          state: "failed",
          message: interruptedMessage,
          progress: { counts: { created: 2000 }, written: { settledThrough: 2001, writing: { from: 2002, to: 3001 }, lastLine: 3501 } },
        });
        expect(describeStoppedImport(toView(seen!))).toEqual([
          { kind: "written", text: "Gravados: 2.000 contatos (2.000 novos e 0 atualizados), das linhas 2 a 2.001." },
          { kind: "uncertain", text: "Linhas 2.002 a 3.001: estavam sendo gravadas quando a importação parou e podem ter entrado ou não." },
          { kind: "not_written", text: "Linhas 3.002 a 3.501: nada foi gravado." },
        ]);
      },
    );
    expect(finished).toMatchObject({ state: "done", counts: { created: 3500 } });
  });

  it("a run that stops between batches reports every line it did not write, and the base holds exactly the others", async () => {
    const f = await setup();
    // Lines 2–2,501; every 100th row has a bad phone. The third batch's status cannot be written: the run stops.
    const table = await readSpreadsheet(bigCsv(2500, (i) => i % 100 === 0));
    let batches = 0;
    const stopped = await runImport(f.db, {
      organizationId: f.org.id,
      userId: f.user.id,
      timeZone: "America/Sao_Paulo",
      table,
      settings: { ...f.settings, mapping: { name: 0, phone: 1 }, chipId: null },
      fileName: "grande.csv",
      onProgress: (p) => {
        if (p.written?.writing && ++batches === 3) throw new Error("disco cheio");
      },
    }).catch((err: unknown) => err);
    expect(stopped).toBeInstanceOf(ImportStoppedError);
    const { partial } = stopped as ImportStoppedError;
    const settled = partial.written.settledThrough;
    expect(partial.written.writing).toBeNull();
    const validLines = table.rows.filter((r) => r.cells[1] !== "123").map((r) => r.line);
    const writtenLines = validLines.filter((l) => l <= settled);
    expect(writtenLines).toHaveLength(2000);
    expect(partial.counts).toEqual({ total: 2500, created: 2000, updated: 0, skipped: 0, failed: 500 });
    // The base: exactly the lines up to the settled one; the report: every other line, each with its reason.
    const inBase = new Set(await phonesInBase(f));
    expect(inBase.size).toBe(2000);
    const phoneOf = (line: number) => `+55119${String(20_000_000 + line - 2)}`;
    expect(writtenLines.every((l) => inBase.has(phoneOf(l)))).toBe(true);
    const reported = new Map(partial.errors.map((e) => [e.line, e.reason]));
    expect(reported.size).toBe(500);
    for (const r of table.rows) expect(inBase.has(phoneOf(r.line)) !== reported.has(r.line)).toBe(true);
    expect(reported.get(settled + 1)).toBe(runMessages.notReached);
    expect(reported.get(2)).toBe("Telefone curto demais: inclua o DDD.");
  });

  it("a run that stops before writing says nothing was written, with the reason and every line in the report", async () => {
    const f = await setup();
    // 60 etiquetas that do not exist yet: more than an import may create.
    const lines = ["Nome;Telefone;Etiquetas", ...Array.from({ length: 60 }, (_, i) => `P ${i};(11) 93000-00${String(i).padStart(2, "0")};nova ${i}`)];
    const uploaded = await acceptUpload({
      organizationId: f.org.id,
      userId: f.user.id,
      fileName: "etiquetas.csv",
      bytes: new TextEncoder().encode(lines.join("\n")),
    });
    const run = await prepareImport(f.db, {
      organizationId: f.org.id,
      userId: f.user.id,
      timeZone: "America/Sao_Paulo",
      id: uploaded.id,
      settings: { ...f.settings, mapping: { name: 0, phone: 1, tags: 2 } },
    });
    const done = await run();
    expect(done).toMatchObject({ state: "failed", message: runMessages.tooManyNewTags(60), counts: { created: 0, updated: 0, failed: 60 } });
    expect(describeStoppedImport(toView(done))).toEqual([
      { kind: "not_written", text: "Nenhum contato foi gravado: a base ficou como estava." },
      { kind: "not_written", text: "O relatório traz cada linha não gravada (60), com o motivo." },
    ]);
    const report = readFileSync(path.join(importsDir, f.org.id, uploaded.id, "erros.csv"), "utf8");
    expect(report.split("\r\n").filter(Boolean)).toHaveLength(61);
    expect(await contactsOf(f)).toHaveLength(2);
  });
});
