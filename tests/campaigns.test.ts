import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { audiences, auditLog, campaignRecipients, campaigns, chips, contactChips, contacts, organizations, templates, wallets } from "@/db/schema";
import { saveAudience } from "@/lib/audiences";
import { ActionError } from "@/lib/auth/action";
import { audienceBreakdown, SKIP_REASONS, type ChipScope } from "@/lib/campaigns/audience";
import {
  campaignInputSchema,
  cancelCampaign,
  confirmationData,
  confirmCampaign,
  duplicateCampaign,
  loadCampaign,
  rescheduleCampaign,
  saveCampaign,
  type CampaignInput,
} from "@/lib/campaigns/campaigns";
import { dateToZonedLocal } from "@/lib/campaigns/time";
import type { VariableMapping } from "@/lib/campaigns/variables";
import type { AudienceFilter, Uf } from "@/lib/segments/filter";
import { createOrganization, createUser } from "./support/fixtures";

// The confirmation screen's numbers against an independent reading: plain SQL written here (contact_chips rows
// instead of contacts.chip_ids, a correlated count for the frequency cap, regexes of its own), over contacts of
// every kind. Then the life cycle: submit, confirm (and what it freezes), reschedule, cancel, duplicate, and the
// bad inputs the issue lists.

const SP = "America/Sao_Paulo";
const db = () => getDb();

const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

let orgId: string;
let gestor: { organizationId: string; userId: string; role: "gestor" };
let operador: { organizationId: string; userId: string; role: "operador" };
let chipA: number;
let chipB: number;
let offChip: number;
let promo: number; // marketing, {{1}} nome, {{2}} cidade, image header
let utility: number; // utility, {{1}} primeiro nome
let optInTpl: number;
let audienceId: number;
let foreignAudienceId: number;
const STATES: Uf[] = ["SP", "RJ", "MG"];
const FILTER: AudienceFilter = { version: 1, states: STATES, optIn: ["opted_in", "pending", "none", "opted_out"] };

const promoMapping: VariableMapping[] = [
  { component: "body", index: 1, source: "field", field: "name" },
  { component: "body", index: 2, source: "field", field: "city" },
];

beforeAll(async () => {
  const org = await createOrganization("Campanhas S.A.");
  orgId = org.id;
  await db().update(organizations).set({ frequencyCapMessages: 2, frequencyCapDays: 7, packageBalance: 100, autoIncreaseSize: 100 }).where(eq(organizations.id, orgId));
  gestor = { organizationId: orgId, userId: (await createUser(orgId, "gestor")).id, role: "gestor" };
  operador = { organizationId: orgId, userId: (await createUser(orgId, "operador")).id, role: "operador" };
  const chip = async (name: string, pnid: string, status: "active" | "disabled" = "active") =>
    (await db().insert(chips).values({ organizationId: orgId, name, displayNumber: "+551140001000", phoneNumberId: pnid, wabaId: "waba-1", accessTokenEncrypted: "x", status, messagesPerSecond: 80 }).returning())[0]!.id;
  chipA = await chip("Vendas", "910000000000001");
  chipB = await chip("Pós-venda", "910000000000002");
  offChip = await chip("Antigo", "910000000000003", "disabled");
  const tpl = async (name: string, category: "marketing" | "utility", components: unknown[], variables: { index: number; component: "body" }[], extra = {}) =>
    (await db().insert(templates).values({ organizationId: orgId, wabaId: "waba-1", name, category, status: "approved", components, variables, variableCount: variables.length, ...extra }).returning())[0]!.id;
  promo = await tpl(
    "promo",
    "marketing",
    [{ type: "HEADER", format: "IMAGE" }, { type: "BODY", text: "Olá, {{1}}! Ofertas em {{2}}." }],
    [{ index: 1, component: "body" }, { index: 2, component: "body" }],
  );
  utility = await tpl("aviso", "utility", [{ type: "BODY", text: "Oi, {{1}}." }], [{ index: 1, component: "body" }]);
  optInTpl = await tpl("pedido_consentimento", "marketing", [{ type: "BODY", text: "Posso te mandar ofertas, {{1}}?" }], [{ index: 1, component: "body" }], { isOptInRequest: true });
  const [wallet] = await db().insert(wallets).values({ organizationId: orgId, name: "Varejo" }).returning();

  // 600 contacts: every opt-in status, chips A / B / both / none, cities and carteiras sometimes missing.
  const r = rng(7);
  const opt = ["opted_in", "opted_in", "opted_in", "pending", "none", "opted_out"] as const;
  const rows = Array.from({ length: 600 }, (_, i) => ({
    organizationId: orgId,
    name: i % 97 === 5 ? " " : `Contato ${i}`,
    phone: `+55119${String(70000000 + i * 7).padStart(8, "0")}`,
    city: r() < 0.15 ? null : "São Paulo",
    state: STATES[Math.floor(r() * 4)] ?? "BA",
    walletId: r() < 0.3 ? null : wallet!.id,
    optInStatus: opt[Math.floor(r() * opt.length)]!,
  }));
  // Invalid phones, and old 8-digit forms of numbers above (the same WhatsApp account twice) or of nobody.
  rows.push(
    { ...rows[0]!, name: "Fixo quebrado", phone: "+55111234", optInStatus: "opted_in", state: "SP", city: "Campinas" },
    { ...rows[0]!, name: "Estrangeiro ruim", phone: "12345", optInStatus: "opted_in", state: "RJ", city: "Niterói" },
    { ...rows[0]!, name: "Gêmeo 1", phone: `+5511${String(70000000 + 3 * 7).padStart(8, "0")}`, optInStatus: "opted_in", state: rows[3]!.state, city: "Osasco" },
    { ...rows[0]!, name: "Gêmeo 2", phone: `+5511${String(70000000 + 10 * 7).padStart(8, "0")}`, optInStatus: "opted_in", state: rows[10]!.state, city: "Osasco" },
    { ...rows[0]!, name: "Antigo sem gêmeo", phone: "+551176543210", optInStatus: "opted_in", state: "SP", city: "Santos" },
    { ...rows[0]!, name: "Portugal", phone: "+351912345678", optInStatus: "opted_in", state: "SP", city: "Lisboa" },
  );
  const inserted = await db().insert(contacts).values(rows).returning({ id: contacts.id });
  const links: { organizationId: string; contactId: number; chipId: number }[] = [];
  inserted.forEach(({ id }, i) => {
    const x = (i * 37) % 10;
    if (x < 4) links.push({ organizationId: orgId, contactId: id, chipId: chipA });
    if (x >= 3 && x < 7) links.push({ organizationId: orgId, contactId: id, chipId: chipB });
  });
  await db().insert(contactChips).values(links);

  // History for the frequency cap: two marketing campaigns this week (some contacts got both), a utility one
  // (never counts) and a marketing one a month ago (outside the 7 days).
  const past = async (templateId: number, daysAgo: number, contactIds: number[]) => {
    const at = new Date(Date.now() - daysAgo * 86_400_000);
    const [c] = await db().insert(campaigns).values({ organizationId: orgId, name: `passada ${daysAgo} ${templateId}`, chipId: chipA, templateId, status: "completed", startedAt: at, finishedAt: at }).returning();
    await db().insert(campaignRecipients).values(contactIds.map((contactId) => ({ organizationId: orgId, campaignId: c!.id, contactId, chipId: chipA, phone: "+5500", status: "sent" as const, sentAt: at })));
  };
  const ids = inserted.map((c) => c.id);
  await past(promo, 2, ids.filter((_, i) => i % 3 === 0));
  await past(promo, 5, ids.filter((_, i) => i % 4 === 0));
  await past(utility, 1, ids.filter((_, i) => i % 5 === 0));
  await past(promo, 30, ids.filter((_, i) => i % 2 === 0));
  await db().execute(sql`vacuum analyze contacts`);

  ({ id: audienceId } = await saveAudience(db(), gestor, null, { name: "Sudeste", filter: FILTER }));
  const other = await createOrganization("Outra");
  [{ id: foreignAudienceId }] = await db().insert(audiences).values({ organizationId: other.id, name: "Alheia", filter: { version: 1 } }).returning();
});

type Expected = Record<ChipScope, { inScope: number; skipped: Record<string, number> }>;

/** The same questions in plain SQL of this test. */
const expected = async (opts: { chipId: number; cityNeeded: boolean; optInRequest: boolean; cap: boolean }): Promise<Expected> => {
  const rows = await db().execute<{ grp: string; reason: string | null; n: number }>(sql`
    select grp, reason, count(*)::int as n from (
      select case
               when exists (select 1 from contact_chips cc where cc.contact_id = c.id and cc.chip_id = ${opts.chipId} and cc.registered) then 'this'
               when exists (select 1 from contact_chips cc where cc.contact_id = c.id and cc.registered) then 'other'
               else 'none' end as grp,
             case
               when c.opt_in_status = 'opted_out' then 'opted_out'
               when c.opt_in_status <> 'opted_in' and not ${opts.optInRequest} then 'no_opt_in'
               when c.phone !~ '^\\+[1-9][0-9]{7,14}$' or (left(c.phone, 3) = '+55' and length(c.phone) not in (13, 14)) then 'invalid_phone'
               when length(c.phone) = 13 and left(c.phone, 3) = '+55' and substr(c.phone, 6, 1) in ('6','7','8','9') and exists (
                 select 1 from contacts d where d.organization_id = c.organization_id and d.state = any(${sql.param(STATES)}::text[])
                    and d.phone = left(c.phone, 5) || '9' || substr(c.phone, 6)) then 'duplicate_phone'
               when (${opts.cityNeeded} and c.city is null) or trim(c.name) = '' then 'missing_variable'
               when ${opts.cap} and (select count(*) from campaign_recipients r join campaigns p on p.id = r.campaign_id join templates t on t.id = p.template_id
                       where r.contact_id = c.id and t.category = 'marketing' and r.sent_at > now() - interval '7 days') >= 2 then 'frequency_cap'
             end as reason
        from contacts c where c.organization_id = ${orgId} and c.state = any(${sql.param(STATES)}::text[])
    ) x group by 1, 2`);
  const groups = { this: { inScope: 0, skipped: {} as Record<string, number> }, other: { inScope: 0, skipped: {} as Record<string, number> }, none: { inScope: 0, skipped: {} as Record<string, number> } };
  for (const r of rows) {
    const g = groups[r.grp as keyof typeof groups];
    g.inScope += r.n;
    if (r.reason) g.skipped[r.reason] = (g.skipped[r.reason] ?? 0) + r.n;
  }
  const sum = (...gs: (typeof groups.this)[]) => {
    const skipped: Record<string, number> = Object.fromEntries(SKIP_REASONS.map((k) => [k, 0]));
    let inScope = 0;
    for (const g of gs) {
      inScope += g.inScope;
      for (const [k, v] of Object.entries(g.skipped)) skipped[k]! += v;
    }
    return { inScope, skipped };
  };
  return { this_chip: sum(groups.this), other_chips: sum(groups.other), both: sum(groups.this, groups.other, groups.none) };
};

const compare = (actual: Awaited<ReturnType<typeof audienceBreakdown>>, want: Expected) => {
  for (const scope of ["this_chip", "other_chips", "both"] as const) {
    expect(actual.scopes[scope].inScope, scope).toBe(want[scope].inScope);
    expect(actual.scopes[scope].skipped, scope).toEqual(want[scope].skipped);
    const skipped = Object.values(want[scope].skipped).reduce((a, b) => a + b, 0);
    expect(actual.scopes[scope].recipients, scope).toBe(want[scope].inScope - skipped);
  }
};

describe("confirmation numbers", () => {
  it("counts the three chip scopes and every skip reason as the plain SQL does", async () => {
    const actual = await audienceBreakdown(db(), { organizationId: orgId, filter: FILTER, timeZone: SP, chipId: chipA, mapping: promoMapping, optInRequest: false, frequencyCap: { messages: 2, days: 7 } });
    const want = await expected({ chipId: chipA, cityNeeded: true, optInRequest: false, cap: true });
    compare(actual, want);
    // The data really has each kind, so no reason is trivially zero.
    for (const reason of SKIP_REASONS) expect(want.both.skipped[reason], reason).toBeGreaterThan(0);
    expect(want.both.skipped.duplicate_phone).toBe(2);
    expect(actual.withoutChip).toBe(want.both.inScope - want.this_chip.inScope - want.other_chips.inScope);
    expect(actual.withoutChip).toBeGreaterThan(0);
  });

  it("from the other chip's side, with a fallback for the city, without the cap", async () => {
    const withFallback: VariableMapping[] = [promoMapping[0]!, { component: "body", index: 2, source: "field", field: "city", fallback: "sua cidade" }];
    const actual = await audienceBreakdown(db(), { organizationId: orgId, filter: FILTER, timeZone: SP, chipId: chipB, mapping: withFallback, optInRequest: false, frequencyCap: null });
    compare(actual, await expected({ chipId: chipB, cityNeeded: false, optInRequest: false, cap: false }));
    expect(actual.scopes.both.skipped.frequency_cap).toBe(0);
  });

  it("an opt-in request reaches pending and unknown opt-in, never the opted out", async () => {
    const mapping: VariableMapping[] = [{ component: "body", index: 1, source: "field", field: "first_name" }];
    const actual = await audienceBreakdown(db(), { organizationId: orgId, filter: FILTER, timeZone: SP, chipId: chipA, mapping, optInRequest: true, frequencyCap: { messages: 2, days: 7 } });
    const want = await expected({ chipId: chipA, cityNeeded: false, optInRequest: true, cap: true });
    compare(actual, want);
    expect(actual.scopes.both.skipped.no_opt_in).toBe(0);
    expect(actual.scopes.both.skipped.opted_out).toBeGreaterThan(0);
    // The flag on the template is what makes it an opt-in request, through the campaign too.
    const { id } = await saveCampaign(db(), gestor, input({ name: "Pedido de opt-in", templateId: optInTpl, variables: mapping, headerMediaUrl: null }), { intent: "submit", timeZone: SP });
    const screen = await confirmationData(db(), orgId, await loadCampaign(db(), orgId, id), { timeZone: SP });
    expect(screen.options.both.recipients).toBe(actual.scopes.both.recipients);
  });
});

const future = (minutes: number) => dateToZonedLocal(new Date(Date.now() + minutes * 60_000), SP);

const input = (over: Partial<CampaignInput> = {}): CampaignInput => ({
  id: null,
  name: "Black Friday",
  chipId: chipA,
  audienceId,
  templateId: promo,
  flowId: null,
  sendMode: "scheduled",
  scheduledAt: future(120),
  variables: promoMapping,
  headerMediaUrl: "https://lojaexemplo.com.br/bf.jpg",
  packageConsent: true,
  ...over,
});

const rejection = async (p: Promise<unknown>) => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ActionError);
  return err as ActionError;
};

describe("campaign life cycle", () => {
  it("an operador's Enviar Campanha waits for a gestor, who cannot be replaced by the operador", async () => {
    const { id, status } = await saveCampaign(db(), operador, input({ name: "Do operador" }), { intent: "submit", timeZone: SP });
    expect(status).toBe("awaiting_confirmation");
    const err = await rejection(confirmCampaign(db(), operador, { id, chipScope: "this_chip", optInConfirmed: false }, { timeZone: SP }));
    expect(err.code).toBe("forbidden");
    expect((await loadCampaign(db(), orgId, id)).status).toBe("awaiting_confirmation");
    const done = await confirmCampaign(db(), gestor, { id, chipScope: "this_chip", optInConfirmed: false }, { timeZone: SP });
    expect(done.status).toBe("scheduled");
  });

  it("confirming freezes the list's filter: editing the list afterwards does not change the campaign", async () => {
    const list = await saveAudience(db(), gestor, null, { name: "Só SP", filter: { version: 1, states: ["SP"] } });
    const { id } = await saveCampaign(db(), gestor, input({ name: "Congelada", audienceId: list.id }), { intent: "submit", timeZone: SP });
    const before = await confirmationData(db(), orgId, await loadCampaign(db(), orgId, id), { timeZone: SP });
    const confirmed = await confirmCampaign(db(), gestor, { id, chipScope: "both", optInConfirmed: true }, { timeZone: SP });
    expect(confirmed.recipients).toBe(before.options.both.recipients);
    await saveAudience(db(), gestor, list.id, { name: "Só SP", filter: { version: 1, states: ["RJ"] } });
    const row = await loadCampaign(db(), orgId, id);
    expect(row.frozenFilter).toEqual({ version: 1, states: ["SP"] });
    expect(row.frozenAudienceName).toBe("Só SP");
    expect(row).toMatchObject({ status: "scheduled", chipScope: "both", optInConfirmed: true, confirmedByUserId: gestor.userId });
    expect(row.frozenTemplate).toMatchObject({ id: promo, name: "promo", category: "marketing" });
    expect(row.estimate).toMatchObject({ recipients: before.options.both.recipients, chipScope: "both" });
    // The campaign page and the engines read the frozen filter: it still selects SP.
    const frozen = await audienceBreakdown(db(), { organizationId: orgId, filter: row.frozenFilter as never, timeZone: SP, chipId: chipA, mapping: promoMapping, optInRequest: false, frequencyCap: { messages: 2, days: 7 } });
    expect(frozen.scopes.both.recipients).toBe(before.options.both.recipients);
    // The list cannot be deleted under a scheduled campaign.
    const editable = await rejection(saveCampaign(db(), gestor, input({ id, name: "outra" }), { intent: "draft", timeZone: SP }));
    expect(editable.code).toBe("conflict");
  });

  it("a double click and two gestores at once confirm one campaign once", async () => {
    const other = { ...gestor, userId: (await createUser(orgId, "gestor")).id };
    const { id } = await saveCampaign(db(), gestor, input({ name: "Corrida", sendMode: "immediate", scheduledAt: null }), { intent: "submit", timeZone: SP });
    const results = await Promise.allSettled([
      confirmCampaign(db(), gestor, { id, chipScope: "this_chip", optInConfirmed: false }, { timeZone: SP }),
      confirmCampaign(db(), gestor, { id, chipScope: "this_chip", optInConfirmed: false }, { timeZone: SP }),
      confirmCampaign(db(), other, { id, chipScope: "this_chip", optInConfirmed: false }, { timeZone: SP }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results.filter((r) => r.status === "rejected")) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: "conflict" });
    expect((await loadCampaign(db(), orgId, id)).status).toBe("queued");
    const confirms = await db().select().from(auditLog).where(sql`${auditLog.action} = 'campaign.confirm' and ${auditLog.entityId} = ${String(id)}`);
    expect(confirms).toHaveLength(1);
  });

  it("refuses what is not ready, each with a message that says what to fix, and keeps the draft", async () => {
    const { id } = await saveCampaign(db(), gestor, input({ name: "Rascunho" }), { intent: "draft", timeZone: SP });
    const cases: [Partial<CampaignInput>, string, RegExp][] = [
      [{ scheduledAt: dateToZonedLocal(new Date(Date.now() - 3_600_000), SP) }, "scheduledAt", /futuro/],
      [{ scheduledAt: "2026-02-30T10:00" }, "scheduledAt", /inválid/],
      [{ headerMediaUrl: null }, "headerMediaUrl", /link da imagem/],
      [{ headerMediaUrl: "http://lojaexemplo.com.br/bf.jpg" }, "headerMediaUrl", /https:\/\//],
      [{ variables: [promoMapping[0]!] }, "variables", /\{\{2\}\}/],
      [{ packageConsent: false }, "packageConsent", /Aumento Automático/],
      [{ chipId: offChip }, "chipId", /não está conectado/],
      [{ templateId: utility, variables: promoMapping }, "variables", /não tem a variável \{\{2\}\}/],
    ];
    for (const [over, field, message] of cases) {
      const err = await rejection(saveCampaign(db(), gestor, input({ id, ...over }), { intent: "submit", timeZone: SP }));
      expect(err.code, field).toBe("invalid");
      expect(err.fieldErrors?.[field]?.join(" "), field).toMatch(message);
    }
    const foreign = await rejection(saveCampaign(db(), gestor, input({ id, audienceId: foreignAudienceId }), { intent: "draft", timeZone: SP }));
    expect(foreign.fieldErrors?.audienceId?.[0]).toMatch(/não existe nesta organização/);
    expect((await loadCampaign(db(), orgId, id)).status).toBe("draft");
  });

  it("a template that lost its approval is refused at confirmation with the reason, the draft kept", async () => {
    const [t] = await db().insert(templates).values({ organizationId: orgId, wabaId: "waba-1", name: "vai_pausar", category: "utility", status: "approved", components: [{ type: "BODY", text: "Oi {{1}}" }], variables: [{ index: 1, component: "body" }], variableCount: 1 }).returning();
    const { id } = await saveCampaign(db(), gestor, input({ name: "Pausada", templateId: t!.id, variables: [{ component: "body", index: 1, source: "text", text: "cliente" }], headerMediaUrl: null }), { intent: "submit", timeZone: SP });
    await db().update(templates).set({ status: "paused" }).where(eq(templates.id, t!.id));
    const err = await rejection(confirmCampaign(db(), gestor, { id, chipScope: "this_chip", optInConfirmed: false }, { timeZone: SP }));
    expect(err.message).toMatch(/não está aprovado pela Meta \(status atual: paused\)/);
    expect((await loadCampaign(db(), orgId, id)).status).toBe("draft");
  });

  it("a list nobody of which can receive is refused at confirmation, the draft kept", async () => {
    const empty = await saveAudience(db(), gestor, null, { name: "Só descadastrados", filter: { version: 1, optIn: ["opted_out"] } });
    const { id } = await saveCampaign(db(), gestor, input({ name: "Vazia", audienceId: empty.id }), { intent: "submit", timeZone: SP });
    const err = await rejection(confirmCampaign(db(), gestor, { id, chipScope: "both", optInConfirmed: true }, { timeZone: SP }));
    expect(err.message).toMatch(/Nenhum contato receberá/);
    expect((await loadCampaign(db(), orgId, id)).status).toBe("draft");
  });

  it("“both” needs the opt-in confirmation; another organization's campaign is not found", async () => {
    const { id } = await saveCampaign(db(), gestor, input({ name: "Ambos" }), { intent: "submit", timeZone: SP });
    const err = await rejection(confirmCampaign(db(), gestor, { id, chipScope: "both", optInConfirmed: false }, { timeZone: SP }));
    expect(err.fieldErrors?.optInConfirmed?.[0]).toMatch(/opt-in/);
    const other = await createOrganization("Intrusa");
    const intruder = { organizationId: other.id, userId: (await createUser(other.id, "admin")).id, role: "admin" as const };
    expect((await rejection(confirmCampaign(db(), intruder, { id, chipScope: "this_chip", optInConfirmed: false }, { timeZone: SP }))).code).toBe("not_found");
    expect((await rejection(cancelCampaign(db(), intruder, id))).code).toBe("not_found");
    expect((await loadCampaign(db(), orgId, id)).status).toBe("draft");
  });

  it("reschedules only to the future, cancels, and duplicates as a new draft", async () => {
    const { id } = await saveCampaign(db(), gestor, input({ name: "Agenda" }), { intent: "submit", timeZone: SP });
    await confirmCampaign(db(), gestor, { id, chipScope: "this_chip", optInConfirmed: false }, { timeZone: SP });
    const past = await rejection(rescheduleCampaign(db(), gestor, { id, scheduledAt: dateToZonedLocal(new Date(Date.now() - 60_000), SP) }, { timeZone: SP }));
    expect(past.fieldErrors?.scheduledAt?.[0]).toMatch(/futuro/);
    const local = future(24 * 60);
    const { scheduledAt } = await rescheduleCampaign(db(), gestor, { id, scheduledAt: local }, { timeZone: SP });
    expect(dateToZonedLocal(scheduledAt, SP)).toBe(local);
    const copy = await duplicateCampaign(db(), operador, id);
    expect(await loadCampaign(db(), orgId, copy.id)).toMatchObject({ name: "Agenda (cópia)", status: "draft", templateId: promo, audienceId });
    await cancelCampaign(db(), gestor, id);
    expect((await loadCampaign(db(), orgId, id)).status).toBe("cancelled");
    const history = await db().select({ action: auditLog.action }).from(auditLog).where(sql`${auditLog.entityType} = 'campaign' and ${auditLog.entityId} = ${String(id)}`).orderBy(auditLog.id);
    expect(history.map((h) => h.action)).toEqual(["campaign.submit", "campaign.confirm", "campaign.reschedule", "campaign.cancel"]);
  });

  it("keeps a send window, and refuses an inverted one or one without days", async () => {
    const { id } = await saveCampaign(db(), gestor, input({ name: "Com janela", sendWindowEnabled: true, sendWindowStart: "08:00", sendWindowEnd: "20:00", sendWindowDays: [5, 1, 1] }), { intent: "draft", timeZone: SP });
    expect((await loadCampaign(db(), orgId, id)).sendWindow).toEqual({ start: "08:00", end: "20:00", days: [1, 5] });
    const inverted = await rejection(saveCampaign(db(), gestor, input({ id, sendWindowEnabled: true, sendWindowStart: "20:00", sendWindowEnd: "08:00", sendWindowDays: [1] }), { intent: "draft", timeZone: SP }));
    expect(inverted.fieldErrors?.sendWindowEnd?.[0]).toMatch(/depois do início/);
    const noDays = await rejection(saveCampaign(db(), gestor, input({ id, sendWindowEnabled: true, sendWindowStart: "08:00", sendWindowEnd: "20:00", sendWindowDays: [] }), { intent: "draft", timeZone: SP }));
    expect(noDays.fieldErrors?.sendWindowDays?.[0]).toMatch(/ao menos um dia/);
    await saveCampaign(db(), gestor, input({ id, sendWindowEnabled: false }), { intent: "draft", timeZone: SP });
    expect((await loadCampaign(db(), orgId, id)).sendWindow).toBeNull();
  });

  it("the input schema refuses an empty or 500-character name and a broken variables JSON, in Portuguese", () => {
    const base = { chipId: "1", audienceId: "1", templateId: "1", sendMode: "immediate" };
    expect(campaignInputSchema.safeParse({ ...base, name: "  " }).error?.issues[0]?.message).toBe("Dê um nome à campanha.");
    expect(campaignInputSchema.safeParse({ ...base, name: "x".repeat(500) }).error?.issues[0]?.message).toMatch(/no máximo 120/);
    expect(campaignInputSchema.safeParse({ ...base, name: "ok", variables: "{" }).error?.issues[0]?.message).toMatch(/JSON/);
    expect(campaignInputSchema.safeParse({ ...base, name: "ok", audienceId: "" }).error?.issues[0]?.message).toMatch(/lista alvo/);
  });
});
