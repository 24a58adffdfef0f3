import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { chips, contacts, contactSegmentCounts, tags, wallets } from "@/db/schema";
import { isUuid } from "@/lib/ids";
import { FilterValidationError, optInOf, type AudienceFilter, type FilterIssue } from "./filter";

// One compiler for every reader of an audience: the live count, the preview and the campaign snapshot all
// use the condition built here, so they can never disagree. Every value travels as a bind parameter.

export type CompileOptions = {
  /** The organization's IANA time zone: period days are whole days there (default America/Sao_Paulo). */
  timeZone: string;
};


export const assertOrganizationId = (organizationId: string) => {
  if (!isUuid(organizationId)) throw new Error(`Organização inválida (${JSON.stringify(organizationId)}): esperado um UUID.`);
};

/** Rejects a time zone PostgreSQL and the browser would not both understand. */
export const assertTimeZone = (timeZone: string) => {
  try {
    if (!timeZone) throw new RangeError("vazio");
    new Intl.DateTimeFormat("pt-BR", { timeZone });
  } catch {
    throw new Error(
      `Fuso horário desconhecido: ${JSON.stringify(timeZone)}. Use um nome IANA, como America/Sao_Paulo, nas configurações da organização.`,
    );
  }
};

// A JS array as ONE bind parameter (drizzle would otherwise expand it into a parenthesised list).
const ints = (ids: readonly number[]) => sql`${sql.param([...ids])}::int[]`;
const texts = (values: readonly string[]) => sql`${sql.param([...values])}::text[]`;

// Local midnight of a YYYY-MM-DD day in `tz`, as timestamptz; `dayAfter` gives the next midnight (exclusive end).
const localMidnight = (day: string, timeZone: string, dayAfter = false) =>
  dayAfter
    ? sql`((${day}::date + 1)::timestamp at time zone ${timeZone}::text)`
    : sql`(${day}::date::timestamp at time zone ${timeZone}::text)`;

type Parts = {
  /** Organization, opt-in, carteira, UF, cidade, período: comparisons PostgreSQL checks first, cheapest first. */
  base: SQL[];
  tags: NonNullable<AudienceFilter["tags"]>;
  chips?: readonly number[];
};

/**
 * How the etiqueta tests are written:
 * - "plain": `tag_ids && …`, `tag_ids @> …`, `not (tag_ids && …)` as conditions of their own. PostgreSQL can serve
 *   them with the GIN index and estimate them from its statistics: right for rows (preview, snapshot) and for
 *   counts of rare etiquetas.
 * - "guarded": behind the signature contacts.tag_sig, in a fixed order (see `inOrder`): right for counts that
 *   scan the covering index over a broad audience.
 */
export type TagTests = "plain" | "guarded";

/**
 * The bits contacts.tag_sig sets for these etiquetas (one bit per id % 64, as contact_tag_signature of migration
 * 0007 computes it), as the signed 64-bit integer PostgreSQL stores.
 */
export const tagSignature = (ids: readonly number[]) =>
  BigInt.asIntN(64, ids.reduce((mask, id) => mask | (1n << BigInt(id % 64)), 0n)).toString();

const sig = (ids: readonly number[]) => sql`${tagSignature(ids)}::int8`;

const compileParts = (organizationId: string, filter: AudienceFilter, options: CompileOptions): Parts => {
  assertOrganizationId(organizationId);
  assertTimeZone(options.timeZone);
  const base: SQL[] = [sql`${contacts.organizationId} = ${organizationId}::uuid`];

  base.push(sql`${contacts.optInStatus} = any(${sql.param([...optInOf(filter)])}::opt_in_status[])`);
  if (filter.wallets) base.push(sql`${contacts.walletId} = any(${ints(filter.wallets)})`);
  if (filter.states) base.push(sql`${contacts.state} = any(${sql.param([...filter.states])}::bpchar[])`);
  if (filter.cities) {
    // Exact pairs (the same city name exists in several UFs); the two ANY lists let the index narrow first.
    const pairs = sql.join(
      filter.cities.map((c) => sql`(${c.state}::bpchar, ${c.city}::text)`),
      sql`, `,
    );
    const states = [...new Set(filter.cities.map((c) => c.state))];
    const cities = [...new Set(filter.cities.map((c) => c.city))];
    base.push(sql`${contacts.state} = any(${sql.param(states)}::bpchar[])`);
    base.push(sql`${contacts.city} = any(${texts(cities)})`);
    base.push(sql`(${contacts.state}, ${contacts.city}) in (${pairs})`);
  }
  if (filter.period) {
    const column = filter.period.field === "created_at" ? contacts.createdAt : contacts.lastInteractionAt;
    if (filter.period.from) base.push(sql`${column} >= ${localMidnight(filter.period.from, options.timeZone)}`);
    if (filter.period.to) base.push(sql`${column} < ${localMidnight(filter.period.to, options.timeZone, true)}`);
  }
  return { base, tags: filter.tags ?? {}, chips: filter.chips };
};

// contacts.chip_ids mirrors contact_chips.registered (trigger of migration 0002): an array test on the covering
// index instead of a semi-join per candidate.
const chipTest = (chips: readonly number[]) => sql`${contacts.chipIds} && ${ints(chips)}`;

const conditionOf = ({ base, tags, chips }: Parts, tagTests: TagTests): SQL => {
  const { any, all, none } = tags;
  if (tagTests === "plain") {
    const tests = [...base];
    if (any) tests.push(sql`${contacts.tagIds} && ${ints(any)}`);
    if (all) tests.push(sql`${contacts.tagIds} @> ${ints(all)}`);
    if (none) tests.push(sql`not (${contacts.tagIds} && ${ints(none)})`);
    if (chips) tests.push(chipTest(chips));
    return sql.join(tests, sql` and `);
  }
  const ordered: SQL[] = [];
  if (any || all) {
    // The signature rules out most tuples with one AND of two integers; the exact array tests (which copy and
    // walk the arrays) run only where it passes.
    const quick: SQL[] = [];
    const exact: SQL[] = [];
    if (any) {
      quick.push(sql`${contacts.tagSig} & ${sig(any)} <> 0`);
      exact.push(sql`${contacts.tagIds} && ${ints(any)}`);
    }
    if (all) {
      quick.push(sql`${contacts.tagSig} & ${sig(all)} = ${sig(all)}`);
      exact.push(sql`${contacts.tagIds} @> ${ints(all)}`);
    }
    ordered.push(sql`(case when ${sql.join(quick, sql` and `)} then ${sql.join(exact, sql` and `)} else false end)`);
  }
  // A contact whose signature shares no bit with the excluded etiquetas carries none of them: no array test.
  if (none) ordered.push(sql`(${contacts.tagSig} & ${sig(none)} = 0 or not (${contacts.tagIds} && ${ints(none)}))`);
  if (chips) ordered.push(chipTest(chips));
  return sql.join(ordered.length ? [...base, inOrder(ordered)] : base, sql` and `);
};

// PostgreSQL orders the ANDed conditions of a scan by its own cost estimates, which rate an array test as cheap
// as an integer comparison; nested CASEs keep the order chosen here (the most selective, signature-guarded test
// first, the broad chip test last). Every column involved is NOT NULL, so no NULL can turn into false here.
const inOrder = ([first, ...rest]: SQL[]): SQL =>
  rest.length ? sql`(case when ${first} then ${inOrder(rest)} else false end)` : first!;

/**
 * The filter as one SQL condition over `contacts` (always including `organization_id = $org`).
 * Use it to select rows: `select … from contacts where ${compileFilter(…)}`.
 */
export const compileFilter = (organizationId: string, filter: AudienceFilter, options: CompileOptions): SQL =>
  conditionOf(compileParts(organizationId, filter, options), "plain");

/**
 * The count as one statement returning `{ n: number }`. Equivalent to `count(*) where compileFilter(…)` (the
 * integration tests prove it, for both ways of writing the etiqueta tests), but shaped for speed:
 * - opt-in, carteira and UF, plus at most one etiqueta ("tem") or one chip, sum the buckets of
 *   contact_segment_counts (kept exact by triggers on contacts, in the same transactions);
 * - "has none of" beside those: the buckets minus the buckets of the one excluded etiqueta, or, for several,
 *   minus count(rest and has any of them) — a GIN lookup: "not any of" keeps ~all rows and no index serves it;
 * - anything else (período, cidade, several etiquetas or chips) is one count(*) over the contacts, with the
 *   etiqueta tests written as `tagTests` says (default "guarded"; `countAudience` picks "plain" for rare ones).
 * Every part runs in the same statement, so it sees one snapshot.
 */
export const compileCount = (
  organizationId: string,
  filter: AudienceFilter,
  options: CompileOptions & { tagTests?: TagTests },
): SQL => {
  const parts = compileParts(organizationId, filter, options);
  const scan = () => sql`select count(*)::int as n from ${contacts} where ${conditionOf(parts, options.tagTests ?? "guarded")}`;
  const { none } = parts.tags;
  const facet = bucketFacet(filter);
  if (!facet) return scan();
  const buckets = bucketSum(organizationId, filter, facet);
  if (!none) return sql`select ${buckets}::int as n`;
  if (none.length === 1) return sql`select (${buckets} - ${bucketSum(organizationId, filter, { tagId: none[0]!, chipId: 0 })})::int as n`;
  const rest = sql.join(parts.base, sql` and `);
  return sql`select (${buckets} - (select count(*) from ${contacts} where ${rest} and ${contacts.tagIds} && ${ints(none)}))::int as n`;
};

/** Whether the count of this filter scans contacts and tests etiquetas "tem alguma/todas" on them. */
export const countTestsTags = (filter: AudienceFilter) =>
  Boolean(filter.tags?.any || filter.tags?.all) && !bucketFacet(filter);

type Facet = { tagId: number; chipId: number };

/**
 * The bucket family a filter's count can be summed from, or null when it needs the contacts themselves:
 * every contact (0, 0), the carriers of one etiqueta (id, 0), or the contacts registered on one chip (0, id).
 */
const bucketFacet = (filter: AudienceFilter): Facet | null => {
  if (filter.period || filter.cities) return null;
  const { any, all } = filter.tags ?? {};
  const tagIds = [...new Set([...(any ?? []), ...(all ?? [])])];
  const chipIds = filter.chips ?? [];
  // "any of [a]" and "all of [a]" are the same etiqueta test; two different ones, an etiqueta and a chip, or
  // either beside "não tem nenhuma", are an intersection no bucket holds.
  if (tagIds.length + chipIds.length > 1) return null;
  if (tagIds.length + chipIds.length === 1 && filter.tags?.none) return null;
  return { tagId: tagIds[0] ?? 0, chipId: chipIds[0] ?? 0 };
};

/** The number of the organization's contacts in the (facet, opt-in, carteira, UF) buckets the filter names. */
const bucketSum = (organizationId: string, filter: AudienceFilter, facet: Facet): SQL => {
  const t = contactSegmentCounts;
  const conditions: SQL[] = [
    sql`${t.organizationId} = ${organizationId}::uuid`,
    sql`${t.tagId} = ${facet.tagId}::int`,
    sql`${t.chipId} = ${facet.chipId}::int`,
    sql`${t.optInStatus} = any(${sql.param([...optInOf(filter)])}::opt_in_status[])`,
  ];
  if (filter.wallets) conditions.push(sql`${t.walletId} = any(${ints(filter.wallets)})`);
  if (filter.states) conditions.push(sql`${t.state} = any(${sql.param([...filter.states])}::bpchar[])`);
  return sql`(select coalesce(sum(${t.n}), 0) from ${t} where ${sql.join(conditions, sql` and `)})`;
};

const missing = (wanted: readonly number[] | undefined, found: { id: number }[]) => {
  const have = new Set(found.map((r) => r.id));
  return (wanted ?? []).filter((id) => !have.has(id));
};

/**
 * Every etiqueta, carteira and chip id of the filter must belong to the organization. Returns the problems
 * (empty when all is well), in Portuguese.
 */
export const checkFilterReferences = async (
  db: DbOrTx,
  organizationId: string,
  filter: AudienceFilter,
): Promise<FilterIssue[]> => {
  assertOrganizationId(organizationId);
  const tagIds = [...new Set([...(filter.tags?.any ?? []), ...(filter.tags?.all ?? []), ...(filter.tags?.none ?? [])])];
  const [foundTags, foundWallets, foundChips] = await Promise.all([
    tagIds.length
      ? db.select({ id: tags.id }).from(tags).where(and(eq(tags.organizationId, organizationId), inArray(tags.id, tagIds)))
      : [],
    filter.wallets?.length
      ? db
          .select({ id: wallets.id })
          .from(wallets)
          .where(and(eq(wallets.organizationId, organizationId), inArray(wallets.id, filter.wallets)))
      : [],
    filter.chips?.length
      ? db.select({ id: chips.id }).from(chips).where(and(eq(chips.organizationId, organizationId), inArray(chips.id, filter.chips)))
      : [],
  ]);
  const issues: FilterIssue[] = [];
  const tagPath = (id: number) =>
    filter.tags?.any?.includes(id) ? "tags.any" : filter.tags?.all?.includes(id) ? "tags.all" : "tags.none";
  for (const id of missing(tagIds, foundTags))
    issues.push({ path: tagPath(id), message: `Etiqueta ${id} não existe nesta organização. Remova-a do filtro.` });
  for (const id of missing(filter.wallets, foundWallets))
    issues.push({ path: "wallets", message: `Carteira ${id} não existe nesta organização. Remova-a do filtro.` });
  for (const id of missing(filter.chips, foundChips))
    issues.push({ path: "chips", message: `Chip ${id} não existe nesta organização. Remova-o do filtro.` });
  return issues;
};

/** Like `checkFilterReferences`, but throws a `FilterValidationError` listing every unknown id. */
export const validateFilterReferences = async (db: DbOrTx, organizationId: string, filter: AudienceFilter) => {
  const issues = await checkFilterReferences(db, organizationId, filter);
  if (issues.length) throw new FilterValidationError(issues);
};
