import { and, desc, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db/client";
import { auditLog, campaignRecipients, campaigns, chips, organizations, packageLedger, templates } from "@/db/schema";
import { formDataToObject } from "@/lib/auth/action";
import type { CurrentUser } from "@/lib/auth/session";
import { recordResults } from "@/lib/campaigns/dispatch";
import { packageStatement } from "@/lib/ledger";
import { organizationSettingsSchema } from "@/lib/organizations";
import { createOrganization, createUser } from "./support/fixtures";

// Configurações › Organização end to end through the actions (authorizedAction, zod, lib/, PostgreSQL): only the
// session source and Next's cache invalidation (no request here) are replaced.
const session = vi.hoisted(() => ({ user: null as CurrentUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));

const { adjustPackageBalance, saveOrganization } = await import("@/app/(app)/configuracoes/actions");

const db = () => getDb();

const signIn = async (organizationId: string, role: CurrentUser["role"]) => {
  const u = await createUser(organizationId, role);
  session.user = { id: u.id, organizationId, role, name: u.name, email: u.email, organizationName: "Org", timeZone: "America/Sao_Paulo", sessionId: crypto.randomUUID() };
  return u;
};

let chipNumber = 0;

/** An organization with a chip and a template its campaigns can use (nothing here calls the API). */
const campaignOrganization = async (name: string, pkg: { packageBalance: number; autoIncreaseSize: number }) => {
  const org = await createOrganization(name);
  await db().update(organizations).set(pkg).where(eq(organizations.id, org.id));
  const [chip] = await db()
    .insert(chips)
    .values({ organizationId: org.id, name: "Vendas", displayNumber: "+55 11 4000-1000", phoneNumberId: `77${Date.now()}${++chipNumber}`, wabaId: "200000000000001", accessTokenEncrypted: "não usado", messagesPerSecond: 80 })
    .returning();
  const [template] = await db()
    .insert(templates)
    .values({ organizationId: org.id, wabaId: "200000000000001", name: "promo", category: "marketing", status: "approved" })
    .returning();
  return { orgId: org.id, chipId: chip!.id, templateId: template!.id };
};

const orgRow = async (id: string) => (await db().select().from(organizations).where(eq(organizations.id, id)))[0]!;

const form = (fields: Record<string, string | undefined>) => {
  const data = new FormData();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) data.set(k, v);
  return data;
};

/** What the settings page shows an admin: every field, as the inputs hold it, and the balance it read. */
const loadPage = async (id: string) => {
  const o = await orgRow(id);
  const dec = (v: string) => v.replace(".", ",");
  return {
    balance: o.packageBalance,
    organization: { name: o.name, timeZone: o.timeZone },
    prices: { priceMarketing: dec(o.priceMarketing), priceUtility: dec(o.priceUtility), priceAuthentication: dec(o.priceAuthentication) },
    package: { autoIncreaseSize: String(o.autoIncreaseSize) },
  };
};

type Page = Awaited<ReturnType<typeof loadPage>>;

/**
 * Saving one card from a page loaded earlier: the card's own fields (with the user's edits) and what they showed,
 * from a client that posts every field of the page and the balance it read besides.
 */
const postPage = (page: Page, card: "organization" | "prices" | "package", edits: Record<string, string>) =>
  form({
    ...page.organization,
    ...page.prices,
    ...page.package,
    packageBalance: String(page.balance),
    card,
    loaded: JSON.stringify(page[card]),
    ...edits,
  });

/** A campaign that is sending, with `n` recipients claimed by the engine (status sending). */
const sendingCampaign = async (orgId: string, chipId: number, templateId: number, name: string, n: number) => {
  const [c] = await db().insert(campaigns).values({ organizationId: orgId, name, chipId, templateId, status: "sending" }).returning();
  const rows = await db()
    .insert(campaignRecipients)
    .values(Array.from({ length: n }, (_, i) => ({ organizationId: orgId, campaignId: c!.id, chipId, phone: `+55119${String(i).padStart(8, "0")}`, status: "sending" as const, attempts: 1 })))
    .returning({ id: campaignRecipients.id });
  return { campaign: c!, recipientIds: rows.map((r) => r.id) };
};

/** The send engine's own write: the API accepted these messages, each is debited from the package. */
const engineAccepts = (campaign: { id: number; organizationId: string }, recipientIds: number[]) =>
  recordResults(db(), campaign, recipientIds.map((id) => ({ id, kind: "sent" as const, wamid: `wamid.${campaign.id}.${id}` })));

describe("saving the organization settings never writes the package balance", () => {
  let orgId: string;
  let chipId: number;
  let templateId: number;

  beforeAll(async () => {
    ({ orgId, chipId, templateId } = await campaignOrganization("Extrato Ltda", { packageBalance: 1000, autoIncreaseSize: 1000 }));
  });

  it("a debit the send engine makes between loading the form and saving it survives the save", async () => {
    await signIn(orgId, "admin");
    const page = await loadPage(orgId);
    expect(page.balance).toBe(1000);

    const { campaign, recipientIds } = await sendingCampaign(orgId, chipId, templateId, "Black Friday", 3);
    expect(await engineAccepts(campaign, recipientIds)).toMatchObject({ debited: 3 });
    expect((await orgRow(orgId)).packageBalance).toBe(997);

    // The automatic increase card is saved, from a client that posts every field and the balance it loaded (as the
    // one big form did): the balance is not the form's to write.
    const saved = await saveOrganization(null, postPage(page, "package", { autoIncreaseSize: "2000" }));
    expect(saved).toMatchObject({ ok: true, message: "Configurações da organização salvas." });
    expect(await orgRow(orgId)).toMatchObject({ packageBalance: 997, autoIncreaseSize: 2000 });
    const ledger = await db().select().from(packageLedger).where(eq(packageLedger.organizationId, orgId));
    expect(ledger.map((l) => l.kind)).toEqual(["debit", "debit", "debit"]);
  });

  it("a card writes only the fields the user changed: another admin's change to a field left alone stays", async () => {
    await signIn(orgId, "admin");
    const page = await loadPage(orgId);
    // Meanwhile another admin raises the marketing price.
    await signIn(orgId, "admin");
    expect(await saveOrganization(null, postPage(page, "prices", { priceMarketing: "0,35" }))).toMatchObject({ ok: true });

    // The first admin changes only the utility price, in the page loaded before.
    expect(await saveOrganization(null, postPage(page, "prices", { priceUtility: "0,05" }))).toMatchObject({ ok: true });
    expect(await orgRow(orgId)).toMatchObject({ priceMarketing: "0.3500", priceUtility: "0.0500", priceAuthentication: "0.0400" });

    // A price typed in another way ("0,040" for 0,04) is no change; nothing changed: nothing written, nothing audited.
    const updates = () => db().select().from(auditLog).where(and(eq(auditLog.organizationId, orgId), eq(auditLog.action, "organization.update"))).orderBy(auditLog.id);
    const before = await updates();
    expect(await saveOrganization(null, postPage(await loadPage(orgId), "prices", { priceAuthentication: "0,040" }))).toMatchObject({
      ok: true,
      message: "Nada a salvar: nenhum campo foi alterado.",
    });
    const after = await updates();
    expect(after).toHaveLength(before.length);
    expect(after.at(-1)!.data).toEqual({ priceUtility: { from: "0.0400", to: "0.0500" } });
  });

  it("name and time zone are one card; bad values get Portuguese field errors and change nothing", async () => {
    await signIn(orgId, "admin");
    const page = await loadPage(orgId);
    const bad = await saveOrganization(null, postPage(page, "organization", { name: "x", timeZone: "Europe/Atlantida" }));
    expect(bad).toMatchObject({
      ok: false,
      code: "invalid",
      fieldErrors: { name: ["Informe o nome da organização."], timeZone: ["Escolha um fuso horário da lista."] },
    });
    expect(await saveOrganization(null, postPage(page, "organization", { timeZone: "America/Manaus" }))).toMatchObject({ ok: true });
    expect(await orgRow(orgId)).toMatchObject({ name: "Extrato Ltda", timeZone: "America/Manaus" });
    expect(await saveOrganization(null, form({ card: "outro", name: "Loja" }))).toMatchObject({ ok: false, code: "invalid", fieldErrors: { card: ["Escolha o que salvar."] } });
  });
});

describe("manual adjustment of the package", () => {
  let orgId: string;
  let chipId: number;
  let templateId: number;

  beforeAll(async () => {
    ({ orgId, chipId, templateId } = await campaignOrganization("Ajustes Ltda", { packageBalance: 1000, autoIncreaseSize: 100 }));
  });

  it("an operador or a gestor cannot adjust the balance", async () => {
    for (const role of ["operador", "gestor"] as const) {
      await signIn(orgId, role);
      expect(await adjustPackageBalance(null, form({ amount: "500", reason: "Bônus" })), role).toMatchObject({
        ok: false,
        code: "forbidden",
        message: expect.stringMatching(/não permite esta ação\. É preciso ser Administrador/),
      });
    }
    expect((await orgRow(orgId)).packageBalance).toBe(1000);
    expect(await db().select().from(packageLedger).where(eq(packageLedger.organizationId, orgId))).toEqual([]);
  });

  it("an admin's adjustment with a reason moves the balance and shows in the statement with its reason and author", async () => {
    const admin = await signIn(orgId, "admin");
    expect(await adjustPackageBalance(null, form({ amount: "5.000", reason: "Pacote adicional comprado (NF 1234)" }))).toMatchObject({
      ok: true,
      message: "Ajuste de +5.000 registrado no extrato. Saldo: 6.000 mensagens.",
    });
    expect(await adjustPackageBalance(null, form({ amount: "-200", reason: "Correção: mensagens de teste" }))).toMatchObject({ ok: true });
    expect((await orgRow(orgId)).packageBalance).toBe(5800);

    const { rows, hasMore } = await packageStatement(db(), orgId, { timeZone: "America/Sao_Paulo" });
    expect(hasMore).toBe(false);
    expect(rows).toMatchObject([
      { kind: "adjustment", amount: -200, balanceAfter: 5800, userName: admin.name, reason: "Correção: mensagens de teste" },
      { kind: "adjustment", amount: 5000, balanceAfter: 6000, userName: admin.name, reason: "Pacote adicional comprado (NF 1234)" },
    ]);
    const audits = await db().select().from(auditLog).where(and(eq(auditLog.organizationId, orgId), eq(auditLog.action, "package.adjust"))).orderBy(auditLog.id);
    expect(audits.map((a) => a.data)).toEqual([
      { amount: 5000, reason: "Pacote adicional comprado (NF 1234)", balanceBefore: 1000, balanceAfter: 6000 },
      { amount: -200, reason: "Correção: mensagens de teste", balanceBefore: 6000, balanceAfter: 5800 },
    ]);
    expect(audits.every((a) => a.userId === admin.id)).toBe(true);
  });

  it("bad input is refused with a Portuguese message on the field, and the balance stays", async () => {
    await signIn(orgId, "admin");
    const balance = (await orgRow(orgId)).packageBalance;
    const refused = async (fields: Record<string, string | undefined>) => {
      const r = await adjustPackageBalance(null, form(fields));
      expect(r, JSON.stringify(fields)).toMatchObject({ ok: false, code: "invalid" });
      return (r as { fieldErrors: Record<string, string[]> }).fieldErrors;
    };
    expect(await refused({ amount: "0", reason: "Teste" })).toEqual({ amount: ["O ajuste não pode ser zero: informe quantas mensagens somar ou retirar."] });
    for (const amount of ["dez", "1,5", "12abc", "--3"])
      expect(await refused({ amount, reason: "Teste" })).toEqual({ amount: ["Use um número inteiro de mensagens, como 500 para somar ou -200 para retirar."] });
    for (const amount of ["10000001", "-99999999999", "1e9", "9".repeat(400)])
      expect((await refused({ amount, reason: "Teste" })).amount![0]).toMatch(/^(Ajuste grande demais: no máximo 10\.000\.000 mensagens por vez\.|Use um número inteiro)/);
    expect(await refused({ amount: "10000001", reason: "Teste" })).toEqual({ amount: ["Ajuste grande demais: no máximo 10.000.000 mensagens por vez."] });
    expect(await refused({ amount: "", reason: "Teste" })).toEqual({ amount: ["Informe quantas mensagens somar (ex.: 500) ou retirar (ex.: -200)."] });
    expect(await refused({ amount: "500", reason: "  " })).toEqual({ reason: ["Informe o motivo do ajuste (ele aparece no extrato)."] });
    expect(await refused({ amount: "500" })).toEqual({ reason: ["Informe o motivo do ajuste (ele aparece no extrato)."] });
    expect(await refused({ amount: "500", reason: "x".repeat(201) })).toEqual({ reason: ["Motivo longo demais (máximo 200 caracteres)."] });
    // Never below zero: the package is prepaid.
    expect(await refused({ amount: String(-(balance + 1)), reason: "Zerar" })).toEqual({
      amount: [`O saldo é de ${new Intl.NumberFormat("pt-BR").format(balance)} mensagens: retire no máximo ${new Intl.NumberFormat("pt-BR").format(balance)}.`],
    });
    expect((await orgRow(orgId)).packageBalance).toBe(balance);
  });

  it("adjustments and the engine's debits at the same moment all count: the ledger explains the balance", async () => {
    await signIn(orgId, "admin");
    const start = (await orgRow(orgId)).packageBalance;
    const { campaign, recipientIds } = await sendingCampaign(orgId, chipId, templateId, "Dia das Mães", 40);
    const batches = [recipientIds.slice(0, 10), recipientIds.slice(10, 20), recipientIds.slice(20, 30), recipientIds.slice(30)];
    const results = await Promise.all([
      ...batches.map((ids) => engineAccepts(campaign, ids)),
      ...[1, 2, 3, 4, 5].map((n) => adjustPackageBalance(null, form({ amount: String(n), reason: `Ajuste paralelo ${n}` }))),
    ]);
    expect(results.slice(4).every((r) => (r as { ok: boolean }).ok)).toBe(true);
    const end = (await orgRow(orgId)).packageBalance;
    expect(end).toBe(start - 40 + 15);
    const ledger = await db().select().from(packageLedger).where(eq(packageLedger.organizationId, orgId)).orderBy(desc(packageLedger.id));
    expect(ledger[0]!.balanceAfter).toBe(end);
    // Each movement's balance follows from the one before it.
    const chain = [...ledger].reverse();
    for (let i = 1; i < chain.length; i++) expect(chain[i]!.balanceAfter, String(chain[i]!.id)).toBe(chain[i - 1]!.balanceAfter + chain[i]!.amount);
  });
});

describe("the package statement", () => {
  it("newest first, 20 a page; a campaign's debits summed per day on the organization's clock, linked to it", async () => {
    const { orgId, chipId, templateId } = await campaignOrganization("Extrato Paginado Ltda", { packageBalance: 0, autoIncreaseSize: 100 });
    const gestor = await createUser(orgId, "gestor");
    const [c] = await db()
      .insert(campaigns)
      .values({ organizationId: orgId, name: "Liquidação", chipId, templateId, status: "completed", packageConsent: true, packageConsentByUserId: gestor.id })
      .returning();
    const at = (iso: string) => new Date(iso);
    // 25 credits, then the campaign: an automatic increase and debits on two days in São Paulo (23:30 and 00:30,
    // the same UTC day).
    const entries: (typeof packageLedger.$inferInsert)[] = Array.from({ length: 25 }, (_, i) => ({
      organizationId: orgId,
      kind: "manual_credit" as const,
      amount: 10,
      balanceAfter: 10 * (i + 1),
      note: `Crédito ${i + 1}`,
      createdAt: at(`2026-05-01T12:${String(i).padStart(2, "0")}:00Z`),
    }));
    entries.push({ organizationId: orgId, kind: "auto_increase", amount: 100, balanceAfter: 350, campaignId: c!.id, note: "Aumento automático autorizado na confirmação da campanha", createdAt: at("2026-05-11T02:29:00Z") });
    for (let i = 0; i < 3; i++)
      entries.push({ organizationId: orgId, kind: "debit", amount: -1, balanceAfter: 349 - i, campaignId: c!.id, createdAt: at(`2026-05-11T02:3${i}:00Z`) });
    for (let i = 0; i < 2; i++)
      entries.push({ organizationId: orgId, kind: "debit", amount: -1, balanceAfter: 346 - i, campaignId: c!.id, createdAt: at(`2026-05-11T03:3${i}:00Z`) });
    for (const e of entries) await db().insert(packageLedger).values(e);

    const first = await packageStatement(db(), orgId, { timeZone: "America/Sao_Paulo", page: 1 });
    expect(first).toMatchObject({ page: 1, hasMore: true });
    expect(first.rows).toHaveLength(20);
    expect(first.rows.slice(0, 4)).toMatchObject([
      { kind: "debit", amount: -2, movements: 2, balanceAfter: 345, campaign: { id: c!.id, name: "Liquidação" }, userName: null },
      { kind: "debit", amount: -3, movements: 3, balanceAfter: 347, campaign: { id: c!.id, name: "Liquidação" } },
      { kind: "auto_increase", amount: 100, balanceAfter: 350, campaign: { id: c!.id }, userName: gestor.name },
      { kind: "credit", amount: 10, balanceAfter: 250, reason: "Crédito 25", userName: null },
    ]);
    const second = await packageStatement(db(), orgId, { timeZone: "America/Sao_Paulo", page: 2 });
    expect(second).toMatchObject({ page: 2, hasMore: false });
    expect(second.rows.map((r) => r.reason)).toEqual([8, 7, 6, 5, 4, 3, 2, 1].map((n) => `Crédito ${n}`));
    expect((await packageStatement(db(), orgId, { timeZone: "America/Sao_Paulo", page: 3 })).rows).toEqual([]);
    // In UTC both debit groups are one day: the clock is the organization's.
    expect((await packageStatement(db(), orgId, { timeZone: "UTC" })).rows[0]).toMatchObject({ kind: "debit", amount: -5, movements: 5 });
    // Another organization's statement is its own.
    expect(await packageStatement(db(), (await createOrganization()).id, { timeZone: "America/Sao_Paulo" })).toEqual({ rows: [], page: 1, hasMore: false });
  });
});

describe("the frequency cap card (Limite de frequência)", () => {
  // What the card submits: the checkbox sends "on" when ticked and nothing when not; the number fields are disabled
  // (so not sent) while it is off.
  const parse = (fields: Record<string, string>) => organizationSettingsSchema.safeParse(formDataToObject(form({ card: "frequencyCap", ...fields })));
  const errors = (r: ReturnType<typeof parse>) => Object.fromEntries((r.error?.issues ?? []).map((i) => [i.path.join("."), i.message]));

  it("is off unless ticked: no numbers, or numbers sent with the box unticked, store null", () => {
    expect(parse({}).data?.changes).toEqual({ frequencyCapMessages: null, frequencyCapDays: null });
    expect(parse({ frequencyCapMessages: "999", frequencyCapDays: "" }).data?.changes).toEqual({ frequencyCapMessages: null, frequencyCapDays: null });
  });

  it("ticked, keeps N messages in D days as integers; both are saved when one changes", () => {
    expect(parse({ frequencyCapEnabled: "on", frequencyCapMessages: " 50 ", frequencyCapDays: "90" }).data?.changes).toEqual({ frequencyCapMessages: 50, frequencyCapDays: 90 });
    const loaded = JSON.stringify({ frequencyCapEnabled: "on", frequencyCapMessages: "2", frequencyCapDays: "7" });
    expect(parse({ loaded, frequencyCapEnabled: "on", frequencyCapMessages: "2", frequencyCapDays: "10" }).data?.changes).toEqual({ frequencyCapMessages: 2, frequencyCapDays: 10 });
    expect(parse({ loaded, frequencyCapEnabled: "on", frequencyCapMessages: "2", frequencyCapDays: "7" }).data?.changes).toEqual({});
  });

  it("ticked, requires both numbers and keeps them within 1–50 messages and 1–90 days, in Portuguese", () => {
    expect(errors(parse({ frequencyCapEnabled: "on" }))).toEqual({
      frequencyCapMessages: expect.stringMatching(/^Informe quantas mensagens de marketing.*\(de 1 a 50\)/),
      frequencyCapDays: expect.stringMatching(/^Informe o período do limite em dias \(de 1 a 90\)/),
    });
    for (const n of ["0", "51", "2,5", "-1", "dois"])
      expect(errors(parse({ frequencyCapEnabled: "on", frequencyCapMessages: n, frequencyCapDays: "7" })), n).toEqual({
        frequencyCapMessages: "Use um número inteiro de 1 a 50 mensagens.",
      });
    for (const d of ["0", "91", "7.5"])
      expect(errors(parse({ frequencyCapEnabled: "on", frequencyCapMessages: "2", frequencyCapDays: d })), d).toEqual({
        frequencyCapDays: "Use um período inteiro de 1 a 90 dias.",
      });
  });

  it("is saved through the action with an audit entry of what it was, and turned off again", async () => {
    const org = await createOrganization();
    const admin = await signIn(org.id, "admin");
    expect(await saveOrganization(null, form({ card: "frequencyCap", frequencyCapEnabled: "on", frequencyCapMessages: "2", frequencyCapDays: "7" }))).toMatchObject({ ok: true });
    expect(await orgRow(org.id)).toMatchObject({ frequencyCapMessages: 2, frequencyCapDays: 7 });
    const loaded = JSON.stringify({ frequencyCapEnabled: "on", frequencyCapMessages: "2", frequencyCapDays: "7" });
    expect(await saveOrganization(null, form({ card: "frequencyCap", loaded }))).toMatchObject({ ok: true });
    expect(await orgRow(org.id)).toMatchObject({ frequencyCapMessages: null, frequencyCapDays: null });
    const audits = await db().select().from(auditLog).where(and(eq(auditLog.organizationId, org.id), eq(auditLog.action, "organization.update"))).orderBy(auditLog.id);
    expect(audits.map((a) => a.data)).toEqual([
      { frequencyCapMessages: { from: null, to: 2 }, frequencyCapDays: { from: null, to: 7 } },
      { frequencyCapMessages: { from: 2, to: null }, frequencyCapDays: { from: 7, to: null } },
    ]);
    expect(audits.every((a) => a.userId === admin.id && a.entityId === org.id)).toBe(true);
  });

  it("a gestor cannot change it", async () => {
    const org = await createOrganization();
    await signIn(org.id, "gestor");
    expect(await saveOrganization(null, form({ card: "frequencyCap", frequencyCapEnabled: "on", frequencyCapMessages: "5", frequencyCapDays: "7" }))).toMatchObject({ ok: false, code: "forbidden" });
  });
});
