import { PgDialect } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { compileCount, compileFilter, tagSignature } from "./compile";
import { assertFilter, type AudienceFilter } from "./filter";

const dialect = new PgDialect();
const ORG = "0b6f3a52-4a0e-4c55-9d3e-8a1b2c3d4e5f";
const TZ = { timeZone: "America/Sao_Paulo" };
const render = (filter: AudienceFilter) => dialect.sqlToQuery(compileFilter(ORG, filter, TZ));

describe("compileFilter — SQL shape", () => {
  it("always scopes to the organization and defaults to opted-in contacts", () => {
    const q = render({ version: 1 });
    expect(q.sql).toBe(
      `"contacts"."organization_id" = $1::uuid and "contacts"."opt_in_status" = any($2::opt_in_status[])`,
    );
    expect(q.params).toEqual([ORG, ["opted_in"]]);
  });

  it("etiquetas: any is an overlap, all a containment, none a negated overlap (GIN-friendly operators)", () => {
    const q = render({ version: 1, tags: { any: [1, 2], all: [3], none: [4, 5] } });
    expect(q.sql).toContain(`"contacts"."tag_ids" && $3::int[]`);
    expect(q.sql).toContain(`"contacts"."tag_ids" @> $4::int[]`);
    expect(q.sql).toContain(`not ("contacts"."tag_ids" && $5::int[])`);
    expect(q.params.slice(2)).toEqual([[1, 2], [3], [4, 5]]);
  });

  it("in a guarded count the etiqueta tests sit behind their signature checks", () => {
    const filter: AudienceFilter = { version: 1, tags: { any: [1, 2], all: [3], none: [4, 5] }, states: ["SP"] };
    const q = dialect.sqlToQuery(compileCount(ORG, filter, TZ));
    expect(q.sql).toContain(
      `(case when "contacts"."tag_sig" & $4::int8 <> 0 and "contacts"."tag_sig" & $5::int8 = $6::int8 then "contacts"."tag_ids" && $7::int[] and "contacts"."tag_ids" @> $8::int[] else false end)`,
    );
    expect(q.sql).toContain(`("contacts"."tag_sig" & $9::int8 = 0 or not ("contacts"."tag_ids" && $10::int[]))`);
    expect(q.params.slice(3)).toEqual(["6", "8", "8", [1, 2], [3], "48", [4, 5]]);
  });

  it("the signature has one bit per etiqueta id modulo 64, as a signed 64-bit integer", () => {
    expect(tagSignature([])).toBe("0");
    expect(tagSignature([0, 1])).toBe("3");
    expect(tagSignature([65])).toBe("2");
    expect(tagSignature([63])).toBe("-9223372036854775808");
    expect(tagSignature([63, 127, 1])).toBe("-9223372036854775806");
  });

  it("each list is ONE array parameter, not an expanded IN list", () => {
    const ids = Array.from({ length: 200 }, (_, i) => i + 1);
    const q = render({ version: 1, wallets: ids, chips: ids });
    expect(q.params).toHaveLength(4);
    expect(q.sql).toContain(`"contacts"."wallet_id" = any($3::int[])`);
    expect(q.sql).toContain(`"contacts"."chip_ids" && $4::int[]`);
  });

  it("período: whole days in the organization's time zone, end exclusive at the next local midnight", () => {
    const q = render({ version: 1, period: { field: "last_interaction_at", from: "2026-02-01", to: "2026-02-28" } });
    expect(q.sql).toContain(`"contacts"."last_interaction_at" >= ($3::date::timestamp at time zone $4::text)`);
    expect(q.sql).toContain(`"contacts"."last_interaction_at" < (($5::date + 1)::timestamp at time zone $6::text)`);
    expect(q.params.slice(2)).toEqual(["2026-02-01", "America/Sao_Paulo", "2026-02-28", "America/Sao_Paulo"]);
    const created = render({ version: 1, period: { field: "created_at", to: "2026-02-28" } });
    expect(created.sql).toContain(`"contacts"."created_at" < (($3::date + 1)::timestamp at time zone $4::text)`);
    expect(created.sql).not.toContain(">=");
  });

  it("cidade matches exact city/UF pairs; UF and opt-in are arrays of their own types", () => {
    const q = render({
      version: 1,
      cities: [
        { city: "São José", state: "SC" },
        { city: "São José", state: "SP" },
      ],
      states: ["SC", "SP"],
      optIn: ["opted_in", "pending"],
    });
    expect(q.sql).toContain(`("contacts"."state", "contacts"."city") in (($6::bpchar, $7::text), ($8::bpchar, $9::text))`);
    expect(q.sql).toContain(`"contacts"."state" = any($3::bpchar[])`);
    expect(q.params).toEqual([
      ORG,
      ["opted_in", "pending"],
      ["SC", "SP"],
      ["SC", "SP"],
      ["São José"],
      "SC",
      "São José",
      "SP",
      "São José",
    ]);
  });

  it("values are always parameters, never spliced into the SQL text", () => {
    const hostile = "Sant'Ana'); drop table contacts; --";
    const filter = assertFilter({
      version: 1,
      tags: { any: [987651], all: [987652], none: [987653] },
      wallets: [987654],
      chips: [987655],
      period: { field: "created_at", from: "2031-07-08", to: "2031-07-09" },
      cities: [{ city: hostile, state: "MG" }],
      states: ["MG"],
      optIn: ["pending"],
    });
    for (const q of [render(filter), dialect.sqlToQuery(compileCount(ORG, filter, { timeZone: "America/Manaus" }))]) {
      for (const value of ["98765", "2031", hostile, "Sant", "'MG'", "pending", "Manaus", ORG]) expect(q.sql).not.toContain(value);
      // The only literals in the text are the structural ones.
      expect(q.sql.replace(/\$\d+/g, "$")).not.toMatch(/'/);
      expect(q.params).toContain(hostile);
      expect(q.params).toContain(ORG);
      expect(q.params).toContainEqual([987651]);
    }
  });

  it("rejects an organization id that is not a UUID and an unknown time zone", () => {
    expect(() => compileFilter("1 or 1=1", { version: 1 }, TZ)).toThrow(/Organização inválida/);
    expect(() => compileFilter(ORG, { version: 1 }, { timeZone: "America/Atlantis" })).toThrow(
      /Fuso horário desconhecido: "America\/Atlantis"/,
    );
    expect(() => compileFilter(ORG, { version: 1 }, { timeZone: "" })).toThrow(/Fuso horário desconhecido/);
  });
});

describe("compileCount", () => {
  const buckets = (p: number, facet = "") =>
    `(select coalesce(sum("contact_segment_counts"."n"), 0) from "contact_segment_counts" where "contact_segment_counts"."organization_id" = $${p}::uuid and "contact_segment_counts"."tag_id" = $${p + 1}::int and "contact_segment_counts"."chip_id" = $${p + 2}::int and "contact_segment_counts"."opt_in_status" = any($${p + 3}::opt_in_status[])${facet})`;

  it("a filter the buckets cannot answer is a plain count over the same condition", () => {
    for (const filter of [
      { version: 1, tags: { any: [1, 2] }, states: ["SP"] },
      { version: 1, tags: { any: [1], all: [2] } },
      { version: 1, tags: { any: [1] }, chips: [2] },
      { version: 1, chips: [1, 2] },
      { version: 1, tags: { any: [1] }, period: { field: "created_at", from: "2026-01-01" } },
      { version: 1, cities: [{ city: "Santos", state: "SP" }] },
      { version: 1, tags: { all: [1], none: [2] } },
    ] as AudienceFilter[]) {
      const count = dialect.sqlToQuery(compileCount(ORG, filter, { ...TZ, tagTests: "plain" }));
      const where = render(filter);
      expect(count.sql).toBe(`select count(*)::int as n from "contacts" where ${where.sql}`);
      expect(count.params).toEqual(where.params);
      const guarded = dialect.sqlToQuery(compileCount(ORG, filter, TZ));
      expect(guarded.sql.startsWith(`select count(*)::int as n from "contacts" where`)).toBe(true);
    }
  });

  it("opt-in, carteira and UF, with at most one etiqueta or one chip: a sum over the organization's buckets", () => {
    const plain = dialect.sqlToQuery(compileCount(ORG, { version: 1, wallets: [3], states: ["SP"] }, TZ));
    expect(plain.sql).toBe(
      `select ${buckets(1, ` and "contact_segment_counts"."wallet_id" = any($5::int[]) and "contact_segment_counts"."state" = any($6::bpchar[])`)}::int as n`,
    );
    expect(plain.params).toEqual([ORG, 0, 0, ["opted_in"], [3], ["SP"]]);

    const tag = dialect.sqlToQuery(compileCount(ORG, { version: 1, tags: { any: [9] }, optIn: ["pending"] }, TZ));
    expect(tag.sql).toBe(`select ${buckets(1)}::int as n`);
    expect(tag.params).toEqual([ORG, 9, 0, ["pending"]]);
    // "all of [9]" is the same test as "any of [9]".
    const same = dialect.sqlToQuery(compileCount(ORG, { version: 1, tags: { any: [9], all: [9] } }, TZ));
    expect(same.params).toEqual([ORG, 9, 0, ["opted_in"]]);

    const chip = dialect.sqlToQuery(compileCount(ORG, { version: 1, chips: [4] }, TZ));
    expect(chip.sql).toBe(`select ${buckets(1)}::int as n`);
    expect(chip.params).toEqual([ORG, 0, 4, ["opted_in"]]);
  });

  it("'não tem nenhuma' over buckets: minus the excluded etiqueta's buckets, or for several a GIN-friendly count", () => {
    const one = dialect.sqlToQuery(compileCount(ORG, { version: 1, tags: { none: [7] }, wallets: [3] }, TZ));
    const wallet = (p: number) => ` and "contact_segment_counts"."wallet_id" = any($${p}::int[])`;
    expect(one.sql).toBe(`select (${buckets(1, wallet(5))} - ${buckets(6, wallet(10))})::int as n`);
    expect(one.params).toEqual([ORG, 0, 0, ["opted_in"], [3], ORG, 7, 0, ["opted_in"], [3]]);

    const q = dialect.sqlToQuery(compileCount(ORG, { version: 1, tags: { none: [7, 8] }, wallets: [3] }, TZ));
    const rest = `"contacts"."organization_id" = $6::uuid and "contacts"."opt_in_status" = any($7::opt_in_status[]) and "contacts"."wallet_id" = any($8::int[])`;
    expect(q.sql).toBe(`select (${buckets(1, wallet(5))} - (select count(*) from "contacts" where ${rest} and "contacts"."tag_ids" && $9::int[]))::int as n`);
    expect(q.params.at(-1)).toEqual([7, 8]);
    expect(q.sql).not.toContain("not (");
  });

  it("'não tem nenhuma' beside etiquetas, período, cidade or chips is one count that checks the exclusion per row", () => {
    const filter: AudienceFilter = { version: 1, tags: { any: [1], none: [7, 8] }, wallets: [3] };
    const q = dialect.sqlToQuery(compileCount(ORG, filter, TZ));
    expect(q.sql).toBe(
      `select count(*)::int as n from "contacts" where "contacts"."organization_id" = $1::uuid and "contacts"."opt_in_status" = any($2::opt_in_status[]) and "contacts"."wallet_id" = any($3::int[]) and (case when (case when "contacts"."tag_sig" & $4::int8 <> 0 then "contacts"."tag_ids" && $5::int[] else false end) then ("contacts"."tag_sig" & $6::int8 = 0 or not ("contacts"."tag_ids" && $7::int[])) else false end)`,
    );
  });

  it("array tests come last and in a fixed order: etiquetas, then the exclusion, then chips", () => {
    const q = dialect.sqlToQuery(compileCount(ORG, { version: 1, tags: { none: [7] }, chips: [2], states: ["SP"] }, TZ));
    expect(q.sql).toBe(
      `select count(*)::int as n from "contacts" where "contacts"."organization_id" = $1::uuid and "contacts"."opt_in_status" = any($2::opt_in_status[]) and "contacts"."state" = any($3::bpchar[]) and (case when ("contacts"."tag_sig" & $4::int8 = 0 or not ("contacts"."tag_ids" && $5::int[])) then "contacts"."chip_ids" && $6::int[] else false end)`,
    );
  });
});
