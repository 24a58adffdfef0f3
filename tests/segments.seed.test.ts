import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { audienceContactIds, countAudience, previewAudience } from "@/db/queries/segments";
import { seedDemo } from "@/db/seed";
import { assertFilter, optInOf, type AudienceFilter } from "@/lib/segments/filter";

// The same agreement as tests/segments.test.ts, on the demo generator's data (3,000 contacts): realistic
// skew (popular and rare etiquetas, big and small cities, 75 % opt-in), so the "não tem nenhuma" subtraction
// and every plan shape are exercised on rows nobody hand-picked.

const SP = "America/Sao_Paulo";
type Row = {
  id: number;
  city: string | null;
  state: string | null;
  wallet_id: number | null;
  tag_ids: number[];
  opt_in_status: string;
  created_at: Date;
  last_interaction_at: Date | null;
};

let sql: postgres.Sql;
let orgId: string;
let rows: Row[];
const chipsOf = new Map<number, Set<number>>();
const tag: Record<string, number> = {};
const wallet: Record<string, number> = {};
const chip: Record<string, number> = {};

const day = new Intl.DateTimeFormat("en-CA", { timeZone: SP, year: "numeric", month: "2-digit", day: "2-digit" });

const expected = (f: AudienceFilter) =>
  rows
    .filter((r) => {
      if (!optInOf(f).includes(r.opt_in_status as never)) return false;
      if (f.tags?.any && !f.tags.any.some((t) => r.tag_ids.includes(t))) return false;
      if (f.tags?.all && !f.tags.all.every((t) => r.tag_ids.includes(t))) return false;
      if (f.tags?.none && f.tags.none.some((t) => r.tag_ids.includes(t))) return false;
      if (f.wallets && !f.wallets.includes(r.wallet_id as number)) return false;
      if (f.states && !f.states.includes(r.state as never)) return false;
      if (f.cities && !f.cities.some((c) => c.city === r.city && c.state === r.state)) return false;
      if (f.period) {
        const at = f.period.field === "created_at" ? r.created_at : r.last_interaction_at;
        if (!at) return false;
        const d = day.format(at);
        if ((f.period.from && d < f.period.from) || (f.period.to && d > f.period.to)) return false;
      }
      if (f.chips && !f.chips.some((c) => chipsOf.get(r.id)?.has(c))) return false;
      return true;
    })
    .map((r) => r.id)
    .sort((a, b) => a - b);

beforeAll(async () => {
  sql = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  const seeded = await seedDemo(sql, { contacts: 3000, encryptionKey: randomBytes(32).toString("base64") });
  orgId = seeded.organizationId;
  rows = (await sql<Row[]>`
    select id::int as id, city, state, wallet_id, tag_ids, opt_in_status::text as opt_in_status, created_at, last_interaction_at
    from contacts where organization_id = ${orgId}`).map((r) => ({ ...r }));
  for (const r of await sql<{ contact_id: number; chip_id: number }[]>`
      select contact_id::int as contact_id, chip_id from contact_chips where registered`) {
    if (!chipsOf.has(r.contact_id)) chipsOf.set(r.contact_id, new Set());
    chipsOf.get(r.contact_id)!.add(r.chip_id);
  }
  for (const t of await sql<{ id: number; name: string }[]>`select id, name from tags`) tag[t.name] = t.id;
  for (const w of await sql<{ id: number; name: string }[]>`select id, name from wallets`) wallet[w.name] = w.id;
  for (const c of await sql<{ id: number; name: string }[]>`select id, name from chips`) chip[c.name] = c.id;
}, 120_000);

afterAll(async () => {
  await sql?.end({ timeout: 5 });
});

describe("segment filters on the demo data (3,000 contacts)", () => {
  const cases: [string, () => unknown][] = [
    ["default opt-in", () => ({ version: 1 })],
    ["single etiqueta (rare)", () => ({ version: 1, tags: { any: [tag["Cliente VIP"]] } })],
    ["single etiqueta (popular)", () => ({ version: 1, tags: { any: [tag["Newsletter"]] } })],
    ["any of three + UF", () => ({ version: 1, tags: { any: [tag["Black Friday 2025"], tag["Black Friday 2026"], tag["Carrinho abandonado"]] }, states: ["SP"] })],
    ["all of two", () => ({ version: 1, tags: { all: [tag["Cliente ativo"], tag["Primeira compra"]] } })],
    ["none of (rare)", () => ({ version: 1, tags: { none: [tag["Inativo 180 dias"]] } })],
    ["none of (popular), every opt-in status", () => ({ version: 1, tags: { none: [tag["Newsletter"], tag["Cliente ativo"]] }, optIn: ["opted_in", "pending", "none", "opted_out"] })],
    ["período + cidade", () => ({ version: 1, period: { field: "created_at", from: "2026-08-01", to: "2026-10-31" }, cities: [{ city: "São Paulo", state: "SP" }] })],
    ["última interação, aberto", () => ({ version: 1, period: { field: "last_interaction_at", from: "2026-10-01" } })],
    ["carteira + opt-in", () => ({ version: 1, wallets: [wallet["Varejo"]], optIn: ["opted_in", "pending"] })],
    ["chip", () => ({ version: 1, chips: [chip["Loja Exemplo - Pós-venda"]] })],
    [
      "everything combined",
      () => ({
        version: 1,
        tags: { any: [tag["Compra online"], tag["Loja física"]], all: [tag["Cliente ativo"]], none: [tag["Inativo 180 dias"]] },
        wallets: [wallet["Varejo"], wallet["E-commerce"]],
        period: { field: "last_interaction_at", from: "2026-05-01" },
        states: ["SP", "RJ", "MG"],
        chips: [chip["Loja Exemplo - Vendas"]],
      }),
    ],
  ];

  it.each(cases)("%s", async (_name, make) => {
    const filter = assertFilter(make());
    const db = getDb();
    const want = expected(filter);
    const [count, preview, ids] = await Promise.all([
      countAudience(db, orgId, filter, { timeZone: SP }),
      previewAudience(db, orgId, filter, { timeZone: SP, limit: 10_000 }),
      audienceContactIds(db, orgId, filter, { timeZone: SP }),
    ]);
    expect(ids).toEqual(want);
    expect(preview.map((p) => Number(p.id)).sort((a, b) => a - b)).toEqual(want);
    expect(count).toBe(want.length);
    expect(want.length).toBeGreaterThan(0);
  });
});
