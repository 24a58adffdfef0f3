import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db/client";
import {
  audiences,
  auditLog,
  campaignRecipients,
  campaigns,
  chips,
  consentEvents,
  contactChips,
  contactImportChanges,
  contactImports,
  contacts,
  inboundMessages,
  tags,
  templates,
  wallets,
} from "@/db/schema";
import type { CurrentUser } from "@/lib/auth/session";
import { acceptUpload, prepareImport } from "@/lib/imports/job";
import { readSpreadsheet } from "@/lib/imports/read";
import { listRecentImports } from "@/lib/imports/record";
import { ImportStoppedError, runImport, type ImportSettings } from "@/lib/imports/run";
import { STALE_RUN_MS } from "@/lib/imports/store";
import { undoImport, undoMessages } from "@/lib/imports/undo";
import { describeUndo } from "@/lib/imports/undo-outcome";
import { createOrganization, createUser } from "./support/fixtures";
import { withImportHeld } from "./support/import-hold";

// "Desfazer importação" against a real PostgreSQL: the import records what each batch wrote in the batch's own
// transaction, and the undo puts back exactly what nothing has touched since. Only the session source and
// Next's cache invalidation are replaced, for the action's own checks.
const session = vi.hoisted(() => ({ user: null as CurrentUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));
const { undoContactsImport } = await import("@/app/(app)/contatos/importar/actions");

const importsDir = mkdtempSync(path.join(os.tmpdir(), "disparo-imports-undo-"));
beforeAll(() => {
  process.env.DISPARO_IMPORTS_DIR = importsDir;
});
afterAll(() => {
  delete process.env.DISPARO_IMPORTS_DIR;
  rmSync(importsDir, { recursive: true, force: true });
});

const TZ = "America/Sao_Paulo";

const setup = async () => {
  const db = getDb();
  const org = await createOrganization();
  const gestor = await createUser(org.id, "gestor");
  const operador = await createUser(org.id, "operador");
  const [old, fileTag] = await db
    .insert(tags)
    .values([
      { organizationId: org.id, name: "Antiga" },
      { organizationId: org.id, name: "Feira 2026" },
    ])
    .returning();
  const [varejo, atacado] = await db
    .insert(wallets)
    .values([
      { organizationId: org.id, name: "Varejo" },
      { organizationId: org.id, name: "Atacado" },
    ])
    .returning();
  const [chip] = await db
    .insert(chips)
    .values({ organizationId: org.id, name: "Vendas", displayNumber: "+55 11 4000-1000", phoneNumberId: `pn-${org.id}`, wabaId: "w", accessTokenEncrypted: "x" })
    .returning();
  const before = await db
    .insert(contacts)
    .values([
      { organizationId: org.id, name: "Maria S.", phone: "+5521998765432", city: "Niterói", state: "RJ", walletId: atacado!.id, tagIds: [old!.id], optInStatus: "none" },
      {
        organizationId: org.id,
        name: "Pedro",
        phone: "+5541999990000",
        optInStatus: "opted_in",
        optInSource: "form",
        optInAt: new Date("2024-01-01T12:00:00Z"),
      },
      { organizationId: org.id, name: "Ana", phone: "+5511911110000", optInStatus: "opted_in", optInSource: "manual", optInAt: new Date("2024-02-01T12:00:00Z") },
      { organizationId: org.id, name: "Bruno", phone: "+5511922220000", optInStatus: "opted_in", optInSource: "manual", optInAt: new Date("2024-03-01T12:00:00Z") },
    ])
    .returning();
  // Pedro has talked through the chip but is not registered on it.
  await db.insert(contactChips).values({ organizationId: org.id, contactId: before[1]!.id, chipId: chip!.id, registered: false });
  const settings: ImportSettings = {
    mapping: { name: 0, phone: 1, city: 2, state: 3, optInStatus: 4, tags: 5 },
    tagIds: [fileTag!.id],
    walletId: varejo!.id,
    chipId: chip!.id,
    defaultOptInStatus: "opted_in",
    defaultOptInSource: "form",
    duplicates: "update",
  };
  return { db, org, gestor, operador, old: old!, fileTag: fileTag!, varejo: varejo!, atacado: atacado!, chip: chip!, before, settings };
};
type Fixture = Awaited<ReturnType<typeof setup>>;

const FILE = [
  "Nome;Telefone;Cidade;UF;Opt-in;Etiquetas",
  "Maria Souza;21 99876-5432;Rio de Janeiro;RJ;;Novidade", // updated; the default opts her in
  "Pedro Alves;41 99999-0000;Curitiba;PR;;", // updated; registered on the chip
  "Ana Lima;11 91111-0000;;;descadastrado;", // updated; the file opts her out
  "Bruno Dias;11 92222-0000;;;pendente;", // updated; the file takes her opt-in back to pending
  "Nova Um;11 93333-0001;São Paulo;SP;;Novidade", // created
  "Nova Dois;11 93333-0002;São Paulo;SP;;Sobra", // created
  "Nova Três;11 93333-0003;;;;",
  "Nova Quatro;11 93333-0004;;;;",
  "Nova Cinco;11 93333-0005;;;;",
].join("\n");

const runFile = async (f: Fixture, text = FILE, extra: Partial<Parameters<typeof runImport>[1]> = {}) =>
  runImport(f.db, {
    organizationId: f.org.id,
    userId: f.operador.id,
    timeZone: TZ,
    table: await readSpreadsheet(new TextEncoder().encode(text)),
    settings: f.settings,
    fileName: "clientes.csv",
    ...extra,
  });

const actor = (f: Fixture, userId = f.gestor.id) => ({ organizationId: f.org.id, userId, timeZone: TZ });

const byPhone = async (f: Fixture) =>
  new Map(
    (await f.db.select().from(contacts).where(eq(contacts.organizationId, f.org.id)).orderBy(asc(contacts.phone))).map((c) => [c.phone!, c]),
  );

// The segment count buckets and city counts the triggers keep, against a plain count of the contacts.
const expectCountsExact = async (orgId: string) => {
  const db = getDb();
  const buckets = await db.execute<{ k: string; n: number }>(sql`
    select concat_ws('|', tag_id, chip_id, opt_in_status, wallet_id, state) as k, n::int as n
      from contact_segment_counts where organization_id = ${orgId} and n <> 0 order by 1`);
  const plain = await db.execute<{ k: string; n: number }>(sql`
    select concat_ws('|', f.tag_id, f.chip_id, c.opt_in_status, c.wallet_id, c.state) as k, count(*)::int as n
      from contacts c cross join lateral contact_count_facets(c.tag_ids, c.chip_ids) f
     where c.organization_id = ${orgId} group by 1 order by 1`);
  expect([...buckets]).toEqual([...plain]);
  const cities = await db.execute<{ k: string; n: number }>(sql`
    select state || '|' || city as k, n::int as n from contact_city_counts where organization_id = ${orgId} and n <> 0 order by 1`);
  const plainCities = await db.execute<{ k: string; n: number }>(sql`
    select state || '|' || city as k, count(*)::int as n from contacts
     where organization_id = ${orgId} and city is not null and state is not null group by 1 order by 1`);
  expect([...cities]).toEqual([...plainCities]);
};

const P = {
  maria: "+5521998765432",
  pedro: "+5541999990000",
  ana: "+5511911110000",
  bruno: "+5511922220000",
  nova: (i: number) => `+551193333000${i}`,
};

describe("undoing an import", () => {
  it("removes what it created, puts back what it updated, keeps (and counts) what happened since, and says so", async () => {
    const f = await setup();
    const result = await runFile(f);
    expect(result.counts).toMatchObject({ created: 5, updated: 4, failed: 0 });
    const [record] = await f.db.select().from(contactImports).where(eq(contactImports.id, result.importId));
    expect(record).toMatchObject({ organizationId: f.org.id, state: "done", created: 5, updated: 4, totalRows: 9, fileName: "clientes.csv" });
    const changes = await f.db.select().from(contactImportChanges).where(eq(contactImportChanges.importId, result.importId));
    expect(changes).toHaveLength(9);

    // What happened after the import, to four of the contacts it created.
    let base = await byPhone(f);
    await f.db.update(contacts).set({ name: "Nova Dois (corrigido)" }).where(eq(contacts.id, base.get(P.nova(2))!.id));
    const [template] = await f.db
      .insert(templates)
      .values({ organizationId: f.org.id, wabaId: "w", name: "oferta", category: "marketing", status: "approved" })
      .returning();
    const [campaign] = await f.db
      .insert(campaigns)
      .values({ organizationId: f.org.id, name: "Black Friday", chipId: f.chip.id, templateId: template!.id, status: "completed" })
      .returning();
    await f.db.insert(campaignRecipients).values({
      organizationId: f.org.id,
      campaignId: campaign!.id,
      contactId: base.get(P.nova(3))!.id,
      chipId: f.chip.id,
      phone: P.nova(3),
      status: "delivered",
    });
    await f.db
      .update(contacts)
      .set({ optInStatus: "opted_out", optInSource: "keyword", optedOutAt: new Date() })
      .where(eq(contacts.id, base.get(P.nova(4))!.id));
    await f.db.insert(consentEvents).values({ organizationId: f.org.id, contactId: base.get(P.nova(4))!.id, status: "opted_out", source: "keyword", textShown: "Respondeu “SAIR”" });
    await f.db.insert(inboundMessages).values({ organizationId: f.org.id, chipId: f.chip.id, contactId: base.get(P.nova(5))!.id, wamid: `wamid.${f.org.id}`, type: "text", text: "oi" });

    const undone = await undoImport(f.db, actor(f), result.importId);
    expect(undone.outcome).toEqual({
      removed: 1,
      keptCreated: { campaign: 1, messages: 1, consent: 1, edited: 1 },
      restored: 4,
      keptUpdated: 0,
      consent: { restored: 1, keptOptedOut: 1, keptNotOptedIn: 1, keptChanged: 0 },
      tags: { removed: ["Novidade"], kept: 1 },
    });

    base = await byPhone(f);
    expect(base.has(P.nova(1))).toBe(false);
    expect([2, 3, 4, 5].map((i) => base.has(P.nova(i)))).toEqual([true, true, true, true]);
    // Maria as she was, opt-in included (the import's default had opted her in), and nothing on the chip.
    expect(base.get(P.maria)).toMatchObject({
      name: "Maria S.",
      city: "Niterói",
      state: "RJ",
      walletId: f.atacado.id,
      tagIds: [f.old.id],
      optInStatus: "none",
      optInSource: null,
      optInAt: null,
      chipIds: [],
    });
    expect(base.get(P.pedro)).toMatchObject({ name: "Pedro", city: null, state: null, walletId: null, tagIds: [], optInStatus: "opted_in", optInSource: "form" });
    const [pedroChip] = await f.db.select().from(contactChips).where(eq(contactChips.contactId, base.get(P.pedro)!.id));
    expect(pedroChip).toMatchObject({ chipId: f.chip.id, registered: false });
    // LGPD: Ana stays opted out (the file opted her out; undo never takes anyone out of an opt-out), and Bruno is
    // not opted in again by the undo (the file made him pending).
    expect(base.get(P.ana)).toMatchObject({ name: "Ana", optInStatus: "opted_out" });
    expect(base.get(P.bruno)).toMatchObject({ name: "Bruno", optInStatus: "pending" });

    // The one consent change the undo made is on record, saying it was this undo, by whom.
    const undoEvents = await f.db
      .select()
      .from(consentEvents)
      .where(and(eq(consentEvents.organizationId, f.org.id), eq(consentEvents.userId, f.gestor.id)));
    expect(undoEvents).toHaveLength(1);
    expect(undoEvents[0]).toMatchObject({ contactId: base.get(P.maria)!.id, status: "none", source: "import" });
    expect(undoEvents[0]!.textShown).toMatch(/^Desfeita a importação “clientes\.csv” de \d{2}\/\d{2}\/\d{4}/);

    // The etiqueta the import created and nobody carries any more is gone; the one a kept contact carries stays.
    const tagNames = (await f.db.select({ name: tags.name }).from(tags).where(eq(tags.organizationId, f.org.id))).map((t) => t.name).sort();
    expect(tagNames).toEqual(["Antiga", "Feira 2026", "Sobra"]);

    await expectCountsExact(f.org.id);

    const [after] = await f.db.select().from(contactImports).where(eq(contactImports.id, result.importId));
    expect(after).toMatchObject({ undoneByUserId: f.gestor.id, undoOutcome: undone.outcome });
    expect(after!.undoneAt).toBeInstanceOf(Date);
    // The earlier values were only for the undo: none left.
    expect(await f.db.select().from(contactImportChanges).where(eq(contactImportChanges.importId, result.importId))).toEqual([]);
    const [entry] = await f.db.select().from(auditLog).where(and(eq(auditLog.organizationId, f.org.id), eq(auditLog.action, "contacts.import.undo")));
    expect(entry).toMatchObject({ userId: f.gestor.id, entityType: "contact_import", entityId: result.importId });

    expect(describeUndo(undone.outcome).map((l) => l.text)).toEqual([
      "1 contato criado pela importação foi removido.",
      "4 contatos atualizados voltaram ao que eram (nome, cidade, UF, carteira, etiquetas e chip).",
      "1 opt-in voltou ao que era, com o registro de evidência (LGPD) em nome de quem desfez.",
      "Etiqueta removida (criada pela importação e sem contatos agora): Novidade.",
      "4 contatos criados ficaram na base, porque removê-los perderia o que aconteceu depois: 1 recebeu campanha, 1 trocou mensagens pelo WhatsApp, 1 mudou de opt-in depois da importação e 1 foi editado depois da importação.",
      "1 contato continua descadastrado (opt-out): desfazer nunca tira ninguém do descadastro.",
      "1 contato ficou sem opt-in: desfazer nunca dá opt-in a quem não o tem agora.",
      "1 etiqueta criada pela importação ficou: ainda tem contatos ou é usada numa lista ou campanha.",
    ]);

    // "Importações recentes" shows it undone, by whom.
    const [listed] = await listRecentImports(f.db, f.org.id);
    expect(listed).toMatchObject({ id: result.importId, state: "undone", undoneBy: f.gestor.name, userName: f.operador.name, created: 5, updated: 4 });
  });

  it("an updated contact edited after the import keeps its edit; one who opted out after stays opted out", async () => {
    const f = await setup();
    const result = await runFile(f);
    const base = await byPhone(f);
    // Someone fixed Pedro's city; Maria (opted in by the import) sent "SAIR".
    await f.db.update(contacts).set({ city: "Londrina" }).where(eq(contacts.id, base.get(P.pedro)!.id));
    await f.db
      .update(contacts)
      .set({ optInStatus: "opted_out", optInSource: "keyword", optedOutAt: new Date() })
      .where(eq(contacts.id, base.get(P.maria)!.id));
    await f.db.insert(consentEvents).values({ organizationId: f.org.id, contactId: base.get(P.maria)!.id, status: "opted_out", source: "keyword" });
    // A saved list names the etiqueta the import created: it stays, though no contact carries it after the undo.
    const [novidade] = await f.db.select().from(tags).where(and(eq(tags.organizationId, f.org.id), eq(tags.name, "Novidade")));
    await f.db.insert(audiences).values({ organizationId: f.org.id, name: "Novidades", filter: { version: 1, tags: { all: [f.old.id, novidade!.id] } } });

    const { outcome } = await undoImport(f.db, actor(f), result.importId);
    expect(outcome).toMatchObject({
      restored: 3,
      keptUpdated: 1,
      consent: { restored: 0, keptChanged: 1, keptOptedOut: 1, keptNotOptedIn: 1 },
      tags: { removed: ["Sobra"], kept: 1 },
    });
    expect(await f.db.select({ n: sql<number>`count(*)::int` }).from(contacts).where(sql`${contacts.tagIds} @> array[${novidade!.id}]::integer[]`)).toEqual([{ n: 0 }]);
    const now = await byPhone(f);
    expect(now.get(P.pedro)).toMatchObject({ name: "Pedro Alves", city: "Londrina", state: "PR", walletId: f.varejo.id });
    // Maria's data is back, her opt-out stays, and the undo wrote no consent event for her.
    expect(now.get(P.maria)).toMatchObject({ name: "Maria S.", city: "Niterói", optInStatus: "opted_out", optInSource: "keyword" });
    const mariaEvents = await f.db.select().from(consentEvents).where(eq(consentEvents.contactId, base.get(P.maria)!.id)).orderBy(asc(consentEvents.id));
    expect(mariaEvents.map((e) => e.status)).toEqual(["opted_in", "opted_out"]);
    await expectCountsExact(f.org.id);
  });

  it("undoes an import whose batch failed: only what committed is on record and removed", async () => {
    const f = await setup();
    const lines = ["Nome;Telefone", ...[1, 2, 3, 4, 5].map((i) => `Pessoa ${i};(11) 90000-000${i}`)].join("\n");
    await f.db.execute(sql`
      create or replace function imports_undo_test_fail() returns trigger language plpgsql as $$
      begin
        if new.phone = '+5511900000003' then raise exception 'falha simulada'; end if;
        return new;
      end $$`);
    await f.db.execute(sql`create trigger imports_undo_test_fail before insert on contacts for each row execute function imports_undo_test_fail()`);
    let result;
    try {
      result = await runFile(f, lines, { settings: { ...f.settings, mapping: { name: 0, phone: 1 } }, batchSize: 2 });
    } finally {
      await f.db.execute(sql`drop trigger if exists imports_undo_test_fail on contacts`);
    }
    expect(result.counts).toMatchObject({ created: 3, failed: 2 });
    const [record] = await f.db.select().from(contactImports).where(eq(contactImports.id, result.importId));
    expect(record).toMatchObject({ state: "done", created: 3, updated: 0, failed: 2 });

    const { outcome } = await undoImport(f.db, actor(f), result.importId);
    expect(outcome).toMatchObject({ removed: 3, restored: 0 });
    expect([...(await byPhone(f)).keys()].sort()).toEqual([P.ana, P.bruno, P.pedro, P.maria].sort());
    // Their chip registrations went with them.
    expect(await f.db.select().from(contactChips).where(eq(contactChips.chipId, f.chip.id))).toHaveLength(1);
    await expectCountsExact(f.org.id);
  });

  it("undoes a run that stopped partway (state failed): the base goes back to what it was", async () => {
    const f = await setup();
    const rows = Array.from({ length: 2500 }, (_, i) => `Pessoa ${i};(11) 9${String(20_000_000 + i)}`);
    let batches = 0;
    const stopped = await runFile(f, ["Nome;Telefone", ...rows].join("\n"), {
      settings: { ...f.settings, mapping: { name: 0, phone: 1 }, chipId: null },
      importId: crypto.randomUUID(),
      onProgress: (p) => {
        if (p.written?.writing && ++batches === 3) throw new Error("disco cheio");
      },
    }).catch((err: unknown) => err);
    expect(stopped).toBeInstanceOf(ImportStoppedError);
    const [record] = await f.db.select().from(contactImports).where(eq(contactImports.organizationId, f.org.id));
    expect(record).toMatchObject({ state: "failed", created: 2000 });
    expect((await byPhone(f)).size).toBe(2004);

    const { outcome } = await undoImport(f.db, actor(f), record!.id);
    expect(outcome.removed).toBe(2000);
    expect((await byPhone(f)).size).toBe(4);
    await expectCountsExact(f.org.id);
  });

  it("refuses a second undo, another organization's import, and an import still writing ('aguarde o fim')", async () => {
    const f = await setup();
    const other = await setup();
    const result = await runFile(f);

    await expect(undoImport(other.db, actor(other), result.importId)).rejects.toMatchObject({ code: "not_found", message: undoMessages.notFound });
    expect((await byPhone(f)).has(P.nova(1))).toBe(true);

    await undoImport(f.db, actor(f), result.importId);
    const again = await undoImport(f.db, actor(f), result.importId).catch((err: unknown) => err);
    expect(again).toMatchObject({ code: "conflict" });
    expect((again as Error).message).toMatch(
      new RegExp(`^Esta importação já foi desfeita em \\d{2}/\\d{2}/\\d{4}, \\d{2}:\\d{2} por ${f.gestor.name}\\. Nada mudou agora\\.$`),
    );

    // A run still writing: its third batch waits on a lock the test holds.
    const bytes = new TextEncoder().encode(["Nome;Telefone", ...Array.from({ length: 3500 }, (_, i) => `P ${i};(11) 9${String(30_000_000 + i)}`)].join("\n"));
    const uploaded = await acceptUpload({ organizationId: f.org.id, userId: f.operador.id, fileName: "grande.csv", bytes });
    const run = await prepareImport(f.db, {
      organizationId: f.org.id,
      userId: f.operador.id,
      timeZone: TZ,
      id: uploaded.id,
      settings: { ...f.settings, mapping: { name: 0, phone: 1 }, chipId: null },
    });
    const finished = await withImportHeld(
      f.db,
      { name: "imports_undo_test", phone: "+5511930002500", organizationId: f.org.id, importId: uploaded.id, batchFrom: 2002, run },
      async () => {
        await expect(undoImport(f.db, actor(f), uploaded.id)).rejects.toMatchObject({ code: "conflict", message: undoMessages.stillRunning });
      },
    );
    expect(finished).toMatchObject({ state: "done", counts: { created: 3500 } });
    const [listed] = await listRecentImports(f.db, f.org.id);
    expect(listed).toMatchObject({ id: uploaded.id, state: "done", created: 3500 });

    // A run whose process died (silent for longer than a live run can be) may be undone.
    await f.db
      .update(contactImports)
      .set({ state: "running", updatedAt: new Date(Date.now() - STALE_RUN_MS - 60_000) })
      .where(eq(contactImports.id, uploaded.id));
    expect((await listRecentImports(f.db, f.org.id))[0]).toMatchObject({ state: "interrupted" });
    await expect(undoImport(f.db, actor(f), uploaded.id)).resolves.toMatchObject({ outcome: { removed: 3500 } });
    const [record] = await f.db.select().from(contactImports).where(eq(contactImports.id, uploaded.id));
    expect(record).toMatchObject({ state: "failed" });
  });

  it("through the action: a gestor undoes, an operador (who may import) may not, and a bad id is refused in Portuguese", async () => {
    const f = await setup();
    const result = await runFile(f);
    const signedIn = (u: typeof f.gestor): CurrentUser => ({
      id: u.id,
      organizationId: f.org.id,
      role: u.role,
      name: u.name,
      email: u.email,
      organizationName: "Org",
      timeZone: TZ,
      sessionId: crypto.randomUUID(),
    });

    session.user = signedIn(f.operador);
    expect(await undoContactsImport(null, { id: result.importId })).toMatchObject({
      ok: false,
      code: "forbidden",
      message: "Seu perfil (Operador) não permite esta ação. É preciso ser Gestor.",
    });
    expect((await byPhone(f)).has(P.nova(1))).toBe(true);

    session.user = signedIn(f.gestor);
    expect(await undoContactsImport(null, { id: "nao-e-um-id" })).toMatchObject({
      ok: false,
      code: "invalid",
      fieldErrors: { id: ["Importação não encontrada: recarregue a página e escolha a importação na lista."] },
    });
    const done = await undoContactsImport(null, { id: result.importId });
    expect(done).toMatchObject({ ok: true, message: "Importação desfeita.", data: { fileName: "clientes.csv", outcome: { removed: 5 } } });
    expect((await byPhone(f)).has(P.nova(1))).toBe(false);

    const other = await setup();
    session.user = { ...signedIn(other.gestor), organizationId: other.org.id };
    const foreign = await runFile(f);
    expect(await undoContactsImport(null, { id: foreign.importId })).toMatchObject({ ok: false, code: "not_found" });
    session.user = null;
    const contactsLeft = await f.db
      .select({ id: contacts.id })
      .from(contacts)
      .where(and(eq(contacts.organizationId, f.org.id), inArray(contacts.phone, [P.nova(1), P.nova(2)])));
    expect(contactsLeft).toHaveLength(2);
  });
});
