import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { chips, contactChips, contacts, organizations, tags, wallets } from "@/db/schema";
import {
  audienceContactIds,
  countAudience,
  listUfs,
  previewAudience,
  suggestCities,
} from "@/db/queries/segments";
import { checkFilterReferences, compileCount, compileFilter, tagSignature, validateFilterReferences, type TagTests } from "@/lib/segments/compile";
import { assertFilter, optInOf, type AudienceFilter } from "@/lib/segments/filter";
import { createOrganization } from "./support/fixtures";

// A small dataset with known values, and an independent TypeScript reading of the filter semantics: the
// count, the preview, the snapshot ids and the TS answer must all agree, for every kind of condition.

const SP = "America/Sao_Paulo";
type OptIn = "none" | "pending" | "opted_in" | "opted_out";
type Row = {
  id: number;
  name: string;
  city: string | null;
  state: string | null;
  walletId: number | null;
  tagIds: number[];
  optInStatus: OptIn;
  createdAt: Date;
  lastInteractionAt: Date | null;
  chips: Set<number>; // registered only
};

// mulberry32: deterministic data, so a failure reproduces.
const rng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const localDay = (d: Date, timeZone: string) =>
  new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(d);

const expectedIds = (rows: Row[], f: AudienceFilter, timeZone = SP) =>
  rows
    .filter((r) => {
      if (!optInOf(f).includes(r.optInStatus)) return false;
      if (f.tags?.any && !f.tags.any.some((t) => r.tagIds.includes(t))) return false;
      if (f.tags?.all && !f.tags.all.every((t) => r.tagIds.includes(t))) return false;
      if (f.tags?.none && f.tags.none.some((t) => r.tagIds.includes(t))) return false;
      if (f.wallets && (r.walletId === null || !f.wallets.includes(r.walletId))) return false;
      if (f.states && (r.state === null || !f.states.includes(r.state as never))) return false;
      if (f.cities && !f.cities.some((c) => c.city === r.city && c.state === r.state)) return false;
      if (f.period) {
        const at = f.period.field === "created_at" ? r.createdAt : r.lastInteractionAt;
        if (!at) return false;
        const day = localDay(at, timeZone);
        if (f.period.from && day < f.period.from) return false;
        if (f.period.to && day > f.period.to) return false;
      }
      if (f.chips && !f.chips.some((c) => r.chips.has(c))) return false;
      return true;
    })
    .map((r) => r.id)
    .sort((a, b) => a - b);

let orgA: string;
let orgB: string;
let rowsA: Row[];
const T: Record<string, number> = {};
const W: Record<string, number> = {};
const C: Record<string, number> = {};
let edge: { createdLate: number; createdMidnight: number; bomJesusPI: number };

let phoneSeq = 0;
const phone = () => `+5511${String(960000000 + ++phoneSeq)}`;

type Spec = Omit<Row, "id" | "chips"> & { chips: { chipId: number; registered: boolean }[] };

const insertContacts = async (organizationId: string, specs: Spec[]) => {
  const db = getDb();
  const inserted = await db
    .insert(contacts)
    .values(
      specs.map((s) => ({
        organizationId,
        name: s.name,
        phone: phone(),
        city: s.city,
        state: s.state,
        walletId: s.walletId,
        tagIds: s.tagIds,
        optInStatus: s.optInStatus,
        lastInteractionAt: s.lastInteractionAt,
        createdAt: s.createdAt,
      })),
    )
    .returning({ id: contacts.id });
  const links = specs.flatMap((s, i) =>
    s.chips.map((c) => ({ organizationId, contactId: inserted[i]!.id, chipId: c.chipId, registered: c.registered })),
  );
  if (links.length) await db.insert(contactChips).values(links);
  return specs.map((s, i) => ({
    ...s,
    id: Number(inserted[i]!.id),
    chips: new Set(s.chips.filter((c) => c.registered).map((c) => c.chipId)),
  }));
};

const CITIES: [string, string][] = [
  ["São Paulo", "SP"],
  ["Campinas", "SP"],
  ["Rio de Janeiro", "RJ"],
  ["Bom Jesus", "PI"],
  ["Bom Jesus", "RS"],
  ["São José", "SC"],
  ["Salvador", "BA"],
];
const STATUSES: OptIn[] = ["opted_in", "opted_in", "opted_in", "pending", "none", "opted_out"];

beforeAll(async () => {
  const db = getDb();
  orgA = (await createOrganization("Segmentos A")).id;
  orgB = (await createOrganization("Segmentos B")).id;

  for (const [org, prefix] of [
    [orgA, ""],
    [orgB, "b-"],
  ] as const) {
    for (const name of ["vip", "news", "inativo", "bf"]) {
      const [t] = await db.insert(tags).values({ organizationId: org, name }).returning({ id: tags.id });
      T[prefix + name] = t!.id;
    }
    for (const name of ["varejo", "atacado"]) {
      const [w] = await db.insert(wallets).values({ organizationId: org, name }).returning({ id: wallets.id });
      W[prefix + name] = w!.id;
    }
    for (const name of ["c1", "c2"]) {
      const [c] = await db
        .insert(chips)
        .values({
          organizationId: org,
          name,
          displayNumber: "+55 11 4000-0000",
          phoneNumberId: `seg-${org}-${name}`,
          wabaId: "waba",
          accessTokenEncrypted: "x",
        })
        .returning({ id: chips.id });
      C[prefix + name] = c!.id;
    }
  }

  const rand = rng(20260301);
  const pick = <X>(xs: readonly X[]) => xs[Math.floor(rand() * xs.length)]!;
  const tagPool = [T.vip!, T.news!, T.inativo!, T.bf!];
  const base = Date.parse("2026-01-01T00:00:00Z");
  const random = (n: number, names: string): Spec[] =>
    Array.from({ length: n }, (_, i) => {
      const [city, state] = rand() < 0.1 ? [null, null] : pick(CITIES);
      return {
        // Repeated names prove the preview breaks ties by id.
        name: `${names} ${String(Math.floor(i / 2)).padStart(3, "0")}`,
        city,
        state,
        walletId: rand() < 0.2 ? null : pick([W.varejo!, W.atacado!]),
        tagIds: tagPool.filter(() => rand() < 0.35).sort((a, b) => a - b),
        optInStatus: pick(STATUSES),
        createdAt: new Date(base + Math.floor(rand() * 120 * 86400_000)),
        lastInteractionAt: rand() < 0.25 ? null : new Date(base + Math.floor(rand() * 150 * 86400_000)),
        chips: [
          ...(rand() < 0.6 ? [{ chipId: C.c1!, registered: rand() < 0.85 }] : []),
          ...(rand() < 0.3 ? [{ chipId: C.c2!, registered: true }] : []),
        ],
      };
    });

  // Hand-made edges: São Paulo's midnight, and the same city name in two UFs.
  const edges: Spec[] = [
    {
      name: "Borda 28 fev",
      city: "Campinas",
      state: "SP",
      walletId: W.varejo!,
      tagIds: [T.vip!],
      optInStatus: "opted_in",
      createdAt: new Date("2026-03-01T01:30:00Z"), // 28/02 22:30 in São Paulo
      lastInteractionAt: new Date("2026-04-01T02:59:59Z"), // 31/03 23:59:59 in São Paulo
      chips: [{ chipId: C.c2!, registered: true }],
    },
    {
      name: "Borda 1 mar",
      city: "Campinas",
      state: "SP",
      walletId: W.varejo!,
      tagIds: [T.vip!, T.news!],
      optInStatus: "opted_in",
      createdAt: new Date("2026-03-01T03:00:00Z"), // 01/03 00:00 in São Paulo
      lastInteractionAt: new Date("2026-04-01T03:00:00Z"), // 01/04 00:00 in São Paulo
      chips: [{ chipId: C.c1!, registered: false }],
    },
    {
      name: "Bom Jesus do Piauí",
      city: "Bom Jesus",
      state: "PI",
      walletId: W.atacado!,
      tagIds: [],
      optInStatus: "opted_in",
      createdAt: new Date("2026-02-10T15:00:00Z"),
      lastInteractionAt: null,
      chips: [],
    },
    {
      name: "Bom Jesus gaúcho",
      city: "Bom Jesus",
      state: "RS",
      walletId: W.atacado!,
      tagIds: [T.inativo!],
      optInStatus: "opted_in",
      createdAt: new Date("2026-02-10T15:00:00Z"),
      lastInteractionAt: null,
      chips: [{ chipId: C.c1!, registered: true }],
    },
  ];
  rowsA = await insertContacts(orgA, [...random(90, "Contato"), ...edges]);
  edge = {
    createdLate: rowsA.find((r) => r.name === "Borda 28 fev")!.id,
    createdMidnight: rowsA.find((r) => r.name === "Borda 1 mar")!.id,
    bomJesusPI: rowsA.find((r) => r.name === "Bom Jesus do Piauí")!.id,
  };

  // Organization B: lookalike contacts, some even carrying A's etiquetas and registered on A's chips (a broken
  // invariant on purpose) — none of them may ever reach A's audiences.
  const lookalikes = random(40, "Outra").map((s, i) => ({
    ...s,
    tagIds: i % 2 ? [T.vip!, T.news!] : [T["b-vip"]!],
    walletId: i % 3 ? W["b-varejo"]! : null,
    chips: [{ chipId: i % 2 ? C.c1! : C["b-c1"]!, registered: true }],
  }));
  await insertContacts(orgB, lookalikes);
});

const rowPathCount = async (organizationId: string, filter: AudienceFilter, timeZone = SP) => {
  const [r] = await getDb().execute<{ n: number }>(
    sql`select count(*)::int as n from ${contacts} where ${compileFilter(organizationId, filter, { timeZone })}`,
  );
  return r!.n;
};

/** count = rows of a large preview = snapshot ids = the ids computed in TypeScript (= the row path's count). */
const agree = async (input: unknown, timeZone = SP) => {
  const filter = assertFilter(input);
  const db = getDb();
  const expected = expectedIds(rowsA, filter, timeZone);
  const countWith = async (tagTests: TagTests) =>
    (await db.execute<{ n: number }>(compileCount(orgA, filter, { timeZone, tagTests })))[0]!.n;
  const [count, preview, walked, sorted, ids, rowCount, plain, guarded] = await Promise.all([
    countAudience(db, orgA, filter, { timeZone }),
    previewAudience(db, orgA, filter, { timeZone, limit: 10_000 }),
    // Both ways a preview reads its rows: along the name index, or the audience sorted.
    previewAudience(db, orgA, filter, { timeZone, limit: 10_000, strategy: "walk" }),
    previewAudience(db, orgA, filter, { timeZone, limit: 10_000, strategy: "sort" }),
    audienceContactIds(db, orgA, filter, { timeZone }),
    rowPathCount(orgA, filter, timeZone),
    countWith("plain"),
    countWith("guarded"),
  ]);
  expect(ids).toEqual(expected);
  expect(preview.map((p) => Number(p.id)).sort((a, b) => a - b)).toEqual(expected);
  expect(walked).toEqual(preview);
  expect(sorted).toEqual(preview);
  expect(count).toBe(expected.length);
  expect(rowCount).toBe(expected.length);
  // Both ways of writing the etiqueta tests (countAudience picks one by rarity) count the same contacts.
  expect([plain, guarded]).toEqual([expected.length, expected.length]);
  return expected;
};

describe("segment filters agree everywhere: count, preview, snapshot ids and TypeScript", () => {
  it("the dataset is varied enough to mean something", () => {
    expect(rowsA.length).toBe(94);
    for (const s of ["opted_in", "pending", "none", "opted_out"]) expect(rowsA.some((r) => r.optInStatus === s)).toBe(true);
    expect(rowsA.filter((r) => r.chips.size === 0 && r.tagIds.length === 0).length).toBeGreaterThan(0);
  });

  it("opt-in: default (only opted_in) and explicit", async () => {
    const def = await agree({ version: 1 });
    expect(def.length).toBe(rowsA.filter((r) => r.optInStatus === "opted_in").length);
    expect((await agree({ version: 1, optIn: ["pending", "none"] })).length).toBeGreaterThan(0);
    expect((await agree({ version: 1, optIn: ["opted_out"] })).length).toBeGreaterThan(0);
    expect(await agree({ version: 1, optIn: ["opted_in", "pending", "none", "opted_out"] })).toHaveLength(rowsA.length);
  });

  it("etiquetas: tem alguma / tem todas / não tem nenhuma, and combinations", async () => {
    const any = await agree({ version: 1, tags: { any: [T.vip, T.bf] } });
    const all = await agree({ version: 1, tags: { all: [T.vip, T.news] } });
    const none = await agree({ version: 1, tags: { none: [T.inativo] } });
    expect(all.length).toBeGreaterThan(0);
    expect(all.length).toBeLessThan(any.length);
    expect(none.length).toBeGreaterThan(0);
    await agree({ version: 1, tags: { none: [T.inativo, T.news] }, optIn: ["opted_in", "pending", "none", "opted_out"] });
    await agree({ version: 1, tags: { any: [T.vip, T.news], none: [T.bf] } });
    await agree({ version: 1, tags: { all: [T.news], none: [T.vip, T.inativo] }, optIn: ["opted_in", "pending"] });
    await agree({ version: 1, tags: { any: [T.vip], all: [T.news], none: [T.bf] } });
  });

  it("carteira", async () => {
    expect((await agree({ version: 1, wallets: [W.varejo] })).length).toBeGreaterThan(0);
    await agree({ version: 1, wallets: [W.varejo, W.atacado], optIn: ["opted_in", "none"] });
  });

  it("período on created_at, with São Paulo's midnight as the edge", async () => {
    const feb = await agree({ version: 1, period: { field: "created_at", from: "2026-02-01", to: "2026-02-28" } });
    expect(feb).toContain(edge.createdLate); // 2026-03-01T01:30Z is 28 Feb in São Paulo
    expect(feb).not.toContain(edge.createdMidnight);
    const march = await agree({ version: 1, period: { field: "created_at", from: "2026-03-01" } });
    expect(march).toContain(edge.createdMidnight);
    expect(march).not.toContain(edge.createdLate);
    await agree({ version: 1, period: { field: "created_at", to: "2026-01-15" } });
    await agree({ version: 1, period: { field: "created_at", from: "2026-03-01", to: "2026-03-01" } });
    // Same instant, organization in UTC: it is 1 March there.
    const utc = await agree({ version: 1, period: { field: "created_at", from: "2026-03-01", to: "2026-03-01" } }, "UTC");
    expect(utc).toContain(edge.createdLate);
  });

  it("período on last_interaction_at (contacts that never interacted are out)", async () => {
    const q1 = await agree({ version: 1, period: { field: "last_interaction_at", to: "2026-03-31" } });
    expect(q1).toContain(edge.createdLate);
    expect(q1).not.toContain(edge.createdMidnight);
    const april = await agree({ version: 1, period: { field: "last_interaction_at", from: "2026-04-01" } });
    expect(april).toContain(edge.createdMidnight);
    await agree({ version: 1, period: { field: "last_interaction_at", from: "2026-02-01", to: "2026-02-14" }, optIn: ["opted_in", "opted_out"] });
  });

  it("cidade: the same name in two UFs is two cities", async () => {
    const pi = await agree({ version: 1, cities: [{ city: "Bom Jesus", state: "PI" }] });
    expect(pi).toContain(edge.bomJesusPI);
    expect(pi.every((id) => rowsA.find((r) => r.id === id)!.state === "PI")).toBe(true);
    const both = await agree({
      version: 1,
      cities: [
        { city: "Bom Jesus", state: "PI" },
        { city: "Bom Jesus", state: "RS" },
      ],
    });
    expect(both.length).toBeGreaterThan(pi.length);
    await agree({ version: 1, cities: [{ city: "São Paulo", state: "SP" }, { city: "São José", state: "SC" }], states: ["SP", "SC"] });
  });

  it("UF", async () => {
    expect((await agree({ version: 1, states: ["SP", "RJ"] })).length).toBeGreaterThan(0);
    expect(await agree({ version: 1, states: ["AC"] })).toEqual([]);
  });

  it("chip registration (registered = false does not count)", async () => {
    const c1 = await agree({ version: 1, chips: [C.c1] });
    expect(c1).not.toContain(edge.createdMidnight); // linked to c1, but not registered
    await agree({ version: 1, chips: [C.c2] });
    await agree({ version: 1, chips: [C.c1, C.c2], optIn: ["opted_in", "pending", "none", "opted_out"] });
  });

  it("contacts.chip_ids follows every write to contact_chips: register, upsert, unregister, delete", async () => {
    const db = getDb();
    const [c] = await db.insert(contacts).values({ organizationId: orgA, name: "Chips", phone: "+5511900009999", optInStatus: "opted_in" }).returning();
    const chipIdsOf = async () => (await db.select({ ids: contacts.chipIds }).from(contacts).where(eq(contacts.id, c!.id)))[0]!.ids;
    const inChip = async (chip: number) => (await audienceContactIds(db, orgA, assertFilter({ version: 1, chips: [chip] }), { timeZone: SP })).includes(c!.id);
    expect(await chipIdsOf()).toEqual([]);
    await db.insert(contactChips).values([{ organizationId: orgA, contactId: c!.id, chipId: C.c2!, registered: true }]);
    await db.insert(contactChips).values([{ organizationId: orgA, contactId: c!.id, chipId: C.c1!, registered: false }]);
    expect(await chipIdsOf()).toEqual([C.c2]);
    await db
      .insert(contactChips)
      .values({ organizationId: orgA, contactId: c!.id, chipId: C.c1!, registered: true })
      .onConflictDoUpdate({ target: [contactChips.contactId, contactChips.chipId], set: { registered: true } });
    expect(await chipIdsOf()).toEqual([C.c1, C.c2].sort((a, b) => a! - b!));
    expect(await inChip(C.c1!)).toBe(true);
    await db.update(contactChips).set({ registered: false }).where(and(eq(contactChips.contactId, c!.id), eq(contactChips.chipId, C.c1!)));
    expect(await chipIdsOf()).toEqual([C.c2]);
    expect(await inChip(C.c1!)).toBe(false);
    await db.delete(contactChips).where(eq(contactChips.contactId, c!.id));
    expect(await chipIdsOf()).toEqual([]);
    expect(await inChip(C.c2!)).toBe(false);
    await db.delete(contacts).where(eq(contacts.id, c!.id));
  });

  it("the database's etiqueta signature is the compiler's, for ids past 64 and the sign bit too", async () => {
    for (const ids of [[], [1], [63], [64, 65], [63, 127, 1], [5, 69, 133, 2000000001]]) {
      const [row] = await getDb().execute<{ s: string }>(sql`select contact_tag_signature(${sql.param(ids)}::int[])::text as s`);
      expect(row!.s).toBe(tagSignature(ids));
    }
  });

  it("contact_segment_counts stays exact through inserts, upserts, moves, etiquetas, chips, deletes and a deleted carteira", async () => {
    const db = getDb();
    const buckets = async () =>
      (
        await db.execute<{ k: string; n: number }>(sql`
          select concat_ws('|', organization_id, tag_id, chip_id, opt_in_status, wallet_id, state) as k, n::int as n
            from contact_segment_counts where n <> 0 order by 1`)
      ).map((r) => `${r.k}=${r.n}`);
    // Recomputed from the contacts: every contact once, once per distinct etiqueta, once per distinct chip.
    const truth = async () =>
      (
        await db.execute<{ k: string; n: number }>(sql`
          select concat_ws('|', organization_id, tag_id, chip_id, opt_in_status, wallet_id, state) as k, count(*)::int as n
            from (select organization_id, 0 as tag_id, 0 as chip_id, opt_in_status, wallet_id, state from contacts
                  union all
                  select c.organization_id, t.id, 0, c.opt_in_status, c.wallet_id, c.state
                    from contacts c, lateral (select distinct unnest(c.tag_ids) as id) t
                  union all
                  select c.organization_id, 0, h.id, c.opt_in_status, c.wallet_id, c.state
                    from contacts c, lateral (select distinct unnest(c.chip_ids) as id) h) f
           group by organization_id, tag_id, chip_id, opt_in_status, wallet_id, state order by 1`)
      ).map((r) => `${r.k}=${r.n}`);
    expect(await buckets()).toEqual(await truth());

    const org = (await createOrganization("Segmentos contagem")).id;
    const [w] = await db.insert(wallets).values({ organizationId: org, name: "temporária" }).returning({ id: wallets.id });
    const made = await db
      .insert(contacts)
      .values(
        Array.from({ length: 40 }, (_, i) => ({
          organizationId: org,
          name: `Balde ${i}`,
          phone: `+55119000${String(i).padStart(5, "0")}`,
          optInStatus: STATUSES[i % STATUSES.length]!,
          walletId: i % 3 ? w!.id : null,
          state: i % 4 ? "SP" : null,
        })),
      )
      .returning({ id: contacts.id });
    expect(await buckets()).toEqual(await truth());
    // An import-style upsert: some rows new, some moving bucket.
    await db
      .insert(contacts)
      .values([
        { organizationId: org, name: "Balde 0", phone: "+5511900000000", optInStatus: "opted_out", state: "RJ" },
        { organizationId: org, name: "Balde novo", phone: "+5511900099999", optInStatus: "opted_in", state: "RJ" },
      ])
      .onConflictDoUpdate({ target: [contacts.organizationId, contacts.phone], set: { optInStatus: sql`excluded.opt_in_status`, state: sql`excluded.state` } });
    await db.update(contacts).set({ lastInteractionAt: new Date() }).where(eq(contacts.organizationId, org)); // no bucket moves
    await db.update(contacts).set({ optInStatus: "opted_in" }).where(and(eq(contacts.organizationId, org), eq(contacts.state, "SP")));
    await db.delete(contacts).where(eq(contacts.id, made[5]!.id));
    expect(await buckets()).toEqual(await truth());

    // Etiquetas added in bulk, one removed, a contact moved while carrying them; chips registered and released.
    const [t1, t2] = await db
      .insert(tags)
      .values([{ organizationId: org, name: "balde-a" }, { organizationId: org, name: "balde-b" }])
      .returning({ id: tags.id });
    const some = made.slice(0, 20).map((m) => m.id);
    await db
      .update(contacts)
      .set({ tagIds: sql`array(select distinct x from unnest(${contacts.tagIds} || ${sql.param([t1!.id, t2!.id])}::int[]) x order by 1)` })
      .where(sql`${contacts.id} = any(${sql.param(some)}::bigint[])`);
    expect(await buckets()).toEqual(await truth());
    await db.update(contacts).set({ tagIds: sql`array_remove(${contacts.tagIds}, ${t1!.id}::int)` }).where(eq(contacts.id, made[1]!.id));
    await db.update(contacts).set({ optInStatus: "opted_out", state: "MG" }).where(eq(contacts.id, made[2]!.id));
    expect(await buckets()).toEqual(await truth());
    const [chip] = await db
      .insert(chips)
      .values({ organizationId: org, name: "balde", displayNumber: "+55 11 4000-0001", phoneNumberId: `balde-${org}`, wabaId: "waba", accessTokenEncrypted: "x" })
      .returning({ id: chips.id });
    await db.insert(contactChips).values(made.slice(10, 30).map((m) => ({ organizationId: org, contactId: m.id, chipId: chip!.id, registered: true })));
    expect(await buckets()).toEqual(await truth());
    await db.update(contactChips).set({ registered: false }).where(eq(contactChips.contactId, made[12]!.id));
    expect(await buckets()).toEqual(await truth());
    for (const f of [
      { version: 1, tags: { any: [t2!.id] }, optIn: ["opted_in", "pending", "none", "opted_out"] },
      { version: 1, tags: { none: [t1!.id] }, states: ["SP"] },
      { version: 1, chips: [chip!.id], optIn: ["opted_in", "pending"] },
    ]) {
      const filter = assertFilter(f);
      const ids = await audienceContactIds(db, org, filter, { timeZone: SP });
      expect(ids.length).toBeGreaterThan(0);
      expect(await countAudience(db, org, filter, { timeZone: SP })).toBe(ids.length);
    }

    await db.delete(wallets).where(eq(wallets.id, w!.id)); // contacts' wallet_id becomes null
    expect(await buckets()).toEqual(await truth());
    const filter = assertFilter({ version: 1, states: ["SP"] });
    expect(await countAudience(db, org, filter, { timeZone: SP })).toBe((await audienceContactIds(db, org, filter, { timeZone: SP })).length);
    await db.delete(contacts).where(eq(contacts.organizationId, org));
    expect(await buckets()).toEqual(await truth());
  });

  it("contact_city_counts (the city suggestions) stays exact through inserts, upserts, moves, cleared cities and deletes", async () => {
    const db = getDb();
    const pairs = async () =>
      (
        await db.execute<{ k: string; n: number }>(sql`
          select concat_ws('|', organization_id, state, city) as k, n::int as n from contact_city_counts where n <> 0 order by 1`)
      ).map((r) => `${r.k}=${r.n}`);
    const truth = async () =>
      (
        await db.execute<{ k: string; n: number }>(sql`
          select concat_ws('|', organization_id, state, city) as k, count(*)::int as n from contacts
           where city is not null and state is not null group by organization_id, state, city order by 1`)
      ).map((r) => `${r.k}=${r.n}`);
    expect(await pairs()).toEqual(await truth());

    const org = (await createOrganization("Segmentos cidades")).id;
    const cities = [
      { city: "Itajaí", state: "SC" },
      { city: "Itajubá", state: "MG" },
      { city: "Bom Jesus", state: "PI" },
      { city: "Bom Jesus", state: "RS" },
    ];
    const made = await db
      .insert(contacts)
      .values(
        Array.from({ length: 30 }, (_, i) => ({
          organizationId: org,
          name: `Cidade ${i}`,
          phone: `+55119100${String(i).padStart(5, "0")}`,
          ...(i % 5 === 4 ? { city: "Itajaí", state: null } : cities[i % cities.length]!),
        })),
      )
      .returning({ id: contacts.id });
    expect(await pairs()).toEqual(await truth());
    const suggested = async (prefix: string) => (await suggestCities(db, org, prefix)).map((c) => `${c.city}/${c.state}=${c.contacts}`);
    expect(await suggested("ita")).toEqual(["Itajaí/SC=6", "Itajubá/MG=6"]);

    // An import-style upsert moving one contact and adding one; a move; a city cleared; an update that moves nothing.
    await db
      .insert(contacts)
      .values([
        { organizationId: org, name: "Cidade 0", phone: "+5511910000000", city: "Itajubá", state: "MG" },
        { organizationId: org, name: "Cidade nova", phone: "+5511910099999", city: "Bom Jesus", state: "RS" },
      ])
      .onConflictDoUpdate({ target: [contacts.organizationId, contacts.phone], set: { city: sql`excluded.city`, state: sql`excluded.state` } });
    await db.update(contacts).set({ city: "Bom Jesus", state: "PI" }).where(eq(contacts.id, made[1]!.id));
    await db.update(contacts).set({ city: null }).where(eq(contacts.id, made[2]!.id));
    await db.update(contacts).set({ lastInteractionAt: new Date() }).where(eq(contacts.organizationId, org));
    expect(await pairs()).toEqual(await truth());
    expect(await suggested("ita")).toEqual(["Itajubá/MG=6", "Itajaí/SC=5"]);

    // The last contacts of a city gone: the pair is no longer suggested.
    await db.delete(contacts).where(and(eq(contacts.organizationId, org), eq(contacts.city, "Itajaí")));
    expect(await pairs()).toEqual(await truth());
    expect(await suggested("itajai")).toEqual([]);
    await db.delete(organizations).where(eq(organizations.id, org));
    expect(await pairs()).toEqual(await truth());
  });

  it("everything combined", async () => {
    const everything = {
      version: 1,
      tags: { any: [T.vip, T.news, T.bf], none: [T.inativo] },
      wallets: [W.varejo, W.atacado],
      period: { field: "created_at", from: "2026-01-10", to: "2026-04-20" },
      states: ["SP", "RJ", "PI", "RS", "SC"],
      cities: [
        { city: "São Paulo", state: "SP" },
        { city: "Campinas", state: "SP" },
        { city: "Rio de Janeiro", state: "RJ" },
      ],
      optIn: ["opted_in", "pending"],
      chips: [C.c1, C.c2],
    };
    expect((await agree(everything)).length).toBeGreaterThan(0);
    await agree({ ...everything, tags: { all: [T.vip], none: [T.bf] }, period: { field: "last_interaction_at", from: "2026-01-01" } });
    await agree({ version: 1, tags: { any: [T.vip] }, wallets: [W.varejo], period: { field: "last_interaction_at", to: "2026-04-30" }, chips: [C.c2] });
  });

  it("org isolation: another organization's contacts are never counted, even carrying our etiquetas and chips", async () => {
    const db = getDb();
    const all = { version: 1, optIn: ["opted_in", "pending", "none", "opted_out"] } as const;
    expect(await countAudience(db, orgA, assertFilter(all), { timeZone: SP })).toBe(rowsA.length);
    expect(await countAudience(db, orgB, assertFilter(all), { timeZone: SP })).toBe(40);
    // B's contacts carrying A's vip tag and A's chip stay in B.
    await agree({ version: 1, tags: { all: [T.vip, T.news] }, chips: [C.c1], optIn: all.optIn });
    const bIds = await audienceContactIds(db, orgB, assertFilter({ version: 1, tags: { any: [T.vip] }, optIn: all.optIn }), {
      timeZone: SP,
    });
    expect(bIds.some((id) => rowsA.some((r) => r.id === id))).toBe(false);
  });

  it("an etiqueta, carteira or chip of another organization is rejected by name", async () => {
    const db = getDb();
    const foreign = assertFilter({
      version: 1,
      tags: { any: [T.vip, T["b-vip"]], none: [T["b-inativo"]] },
      wallets: [W["b-varejo"]],
      chips: [C.c1, C["b-c2"]],
    });
    expect(await checkFilterReferences(db, orgA, foreign)).toEqual([
      { path: "tags.any", message: `Etiqueta ${T["b-vip"]} não existe nesta organização. Remova-a do filtro.` },
      { path: "tags.none", message: `Etiqueta ${T["b-inativo"]} não existe nesta organização. Remova-a do filtro.` },
      { path: "wallets", message: `Carteira ${W["b-varejo"]} não existe nesta organização. Remova-a do filtro.` },
      { path: "chips", message: `Chip ${C["b-c2"]} não existe nesta organização. Remova-o do filtro.` },
    ]);
    await expect(validateFilterReferences(db, orgA, foreign)).rejects.toThrow(
      `Etiqueta ${T["b-vip"]} não existe nesta organização`,
    );
    await expect(validateFilterReferences(db, orgA, assertFilter({ version: 1, tags: { any: [123456789] } }))).rejects.toThrow(
      "Etiqueta 123456789 não existe nesta organização. Remova-a do filtro.",
    );
    await expect(
      validateFilterReferences(db, orgA, assertFilter({ version: 1, tags: { all: [T.vip] }, wallets: [W.varejo], chips: [C.c2] })),
    ).resolves.toBeUndefined();
  });
});

describe("preview, cities and UFs", () => {
  it("preview: first rows by name then id, with what the screen shows", async () => {
    const filter = assertFilter({ version: 1, optIn: ["opted_in", "pending", "none", "opted_out"] });
    const rows = await previewAudience(getDb(), orgA, filter, { timeZone: SP });
    expect(rows).toHaveLength(20);
    const sorted = [...rowsA].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.id - b.id)).slice(0, 20);
    expect(rows.map((r) => Number(r.id))).toEqual(sorted.map((r) => r.id));
    const first = rows[0]!;
    expect(Object.keys(first).sort()).toEqual(["city", "id", "name", "optInStatus", "phone", "state", "tagIds"]);
    expect(first.phone).toMatch(/^\+55\d{11}$/);
    await expect(previewAudience(getDb(), orgA, filter, { timeZone: SP, limit: 0 })).rejects.toThrow(/Limite da prévia inválido/);
  });

  it("suggests city/UF pairs by prefix, ignoring case and accents, with counts", async () => {
    const db = getDb();
    const count = (city: string, state: string) => rowsA.filter((r) => r.city === city && r.state === state).length;
    const bom = await suggestCities(db, orgA, "BOM je");
    expect(bom.map((c) => `${c.city}/${c.state}`).sort()).toEqual(["Bom Jesus/PI", "Bom Jesus/RS"]);
    for (const c of bom) expect(c.contacts).toBe(count(c.city, c.state));
    const sao = await suggestCities(db, orgA, "sao");
    expect(sao.map((c) => `${c.city}/${c.state}`).sort()).toEqual(["São José/SC", "São Paulo/SP"]);
    expect((await suggestCities(db, orgA, "SÃO J")).map((c) => c.city)).toEqual(["São José"]);
    expect(await suggestCities(db, orgA, "%")).toEqual([]);
    expect(await suggestCities(db, orgA, "_ampinas")).toEqual([]);
    const top = await suggestCities(db, orgA, "", 3);
    expect(top).toHaveLength(3);
    expect(top[0]!.contacts).toBeGreaterThanOrEqual(top[1]!.contacts);
    // Only this organization's contacts are counted.
    const total = (await suggestCities(db, orgA, "", 100)).reduce((n, c) => n + c.contacts, 0);
    expect(total).toBe(rowsA.filter((r) => r.city !== null).length);
  });

  it("lists the 27 UFs", () => {
    expect(listUfs()).toHaveLength(27);
    expect(listUfs().find((u) => u.uf === "PI")?.name).toBe("Piauí");
  });
});
