import { asc, sql, type AnyColumn, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { contactCityCounts, contacts, contactSegmentCounts } from "@/db/schema";
import { assertOrganizationId, compileCount, compileFilter, countTestsTags, type CompileOptions, type TagTests } from "./compile";
import { OPT_IN_STATUSES, UFS, type AudienceFilter } from "./filter";

// Readers of an audience. All of them go through ./compile.ts, so the count shown while the filter is edited,
// the preview and the campaign's snapshot select exactly the same contacts. Framework-free (no "server-only"),
// so the worker process and the benchmarks use the very same code; the app imports db/queries/segments.ts.

export const PREVIEW_MAX = 10_000;

const WALK_VISITS_PER_ROW = 25_000;

/** All of the organization's contacts, whatever their opt-in (a sum of its buckets, like any such count). */
const organizationSize = (db: DbOrTx, organizationId: string, options: CompileOptions) =>
  countAudience(db, organizationId, { version: 1, optIn: [...OPT_IN_STATUSES] }, options);

/** How many contacts the filter selects (the live count of the Segmentação screen). */
export const countAudience = async (
  db: DbOrTx,
  organizationId: string,
  filter: AudienceFilter,
  options: CompileOptions,
): Promise<number> => {
  const tagTests = countTestsTags(filter) ? await tagTestsFor(db, organizationId, filter) : "guarded";
  const rows = await db.execute<{ n: number }>(compileCount(organizationId, filter, { ...options, tagTests }));
  return Number(rows[0]?.n ?? 0);
};

/** Up to this share of the organization's contacts, an etiqueta test is left to the GIN index ("plain"). */
export const RARE_TAG_SHARE = 0.05;

/**
 * "plain" when the etiquetas the filter requires are carried by few contacts (a GIN lookup and a visit to each
 * is cheaper than scanning the covering index over the whole audience), else "guarded". The carriers come from
 * the buckets: "tem alguma" at most the sum of its etiquetas, "tem todas" at most its rarest.
 */
const tagTestsFor = async (db: DbOrTx, organizationId: string, filter: AudienceFilter): Promise<TagTests> => {
  const any = filter.tags?.any ?? [];
  const all = filter.tags?.all ?? [];
  const rows = await db.execute<{ tag_id: number; n: number }>(sql`
    select ${contactSegmentCounts.tagId} as tag_id, sum(${contactSegmentCounts.n})::bigint as n
      from ${contactSegmentCounts}
     where ${contactSegmentCounts.organizationId} = ${organizationId}::uuid and ${contactSegmentCounts.chipId} = 0
       and ${contactSegmentCounts.tagId} = any(${sql.param([0, ...any, ...all])}::int[])
     group by 1`);
  const carriers = new Map(rows.map((r) => [Number(r.tag_id), Number(r.n)]));
  const total = carriers.get(0) ?? 0;
  const bounds: number[] = [];
  if (any.length) bounds.push(any.reduce((sum, id) => sum + (carriers.get(id) ?? 0), 0));
  if (all.length) bounds.push(Math.min(...all.map((id) => carriers.get(id) ?? 0)));
  return Math.min(...bounds) <= total * RARE_TAG_SHARE ? "plain" : "guarded";
};

export type AudiencePreviewRow = {
  id: number;
  name: string;
  phone: string | null;
  city: string | null;
  state: string | null;
  tagIds: number[];
  optInStatus: "none" | "pending" | "opted_in" | "opted_out";
};

/**
 * The first contacts of the audience, ordered by name then id. Pass the audience's `count` when it is known
 * (the live count computes it anyway). Two ways to read them:
 * - "walk": along the name index until `limit` rows match — ~limit × (organization ÷ audience) contacts visited,
 *   cheap for any sizeable audience, but every contact of the organization when almost nothing matches (an
 *   etiqueta nobody carries yet: 1.3 s at 1,000,000 contacts), which PostgreSQL's statistics do not foresee;
 * - "sort": select the audience with whatever index serves its filter (about what the count cost), then sort.
 * "sort" when the walk would visit more than ~25,000 contacts per matching one asked for (visiting a contact
 * costs ~2 µs, the count at most a few tens of milliseconds).
 */
export const previewAudience = async (
  db: DbOrTx,
  organizationId: string,
  filter: AudienceFilter,
  options: CompileOptions & { limit?: number; count?: number; strategy?: "walk" | "sort" },
): Promise<AudiencePreviewRow[]> => {
  const limit = options.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > PREVIEW_MAX)
    throw new Error(`Limite da prévia inválido (${limit}): use um inteiro entre 1 e ${PREVIEW_MAX}.`);
  const count = options.count ?? (await countAudience(db, organizationId, filter, options));
  if (count === 0) return [];
  const strategy =
    options.strategy ?? (count * WALK_VISITS_PER_ROW < limit * (await organizationSize(db, organizationId, options)) ? "sort" : "walk");
  const columns = {
    id: contacts.id,
    name: contacts.name,
    phone: contacts.phone,
    city: contacts.city,
    state: contacts.state,
    tagIds: contacts.tagIds,
    optInStatus: contacts.optInStatus,
  };
  const where = compileFilter(organizationId, filter, options);
  if (strategy === "walk")
    return db.select(columns).from(contacts).where(where).orderBy(asc(contacts.name), asc(contacts.id)).limit(limit);
  // MATERIALIZED keeps PostgreSQL from folding the selection back into a walk of the name index.
  const rows = await db.execute<{ id: number; name: string; phone: string | null; city: string | null; state: string | null; tag_ids: number[]; opt_in_status: AudiencePreviewRow["optInStatus"] }>(sql`
    with audience as materialized (
      select ${contacts.id} as id, ${contacts.name} as name, ${contacts.phone} as phone, ${contacts.city} as city,
             ${contacts.state} as state, ${contacts.tagIds} as tag_ids, ${contacts.optInStatus} as opt_in_status
        from ${contacts} where ${where}
    )
    select id, name, phone, city, state, tag_ids, opt_in_status from audience order by name, id limit ${limit}`);
  return rows.map((r) => ({
    id: Number(r.id),
    name: r.name,
    phone: r.phone,
    city: r.city,
    state: r.state,
    tagIds: r.tag_ids,
    optInStatus: r.opt_in_status,
  }));
};

/**
 * Every contact id of the audience, ascending, read in one statement (one snapshot). For very large
 * audiences prefer a set-based `insert … select … where ${compileFilter(…)}` inside the snapshot transaction.
 */
export const audienceContactIds = async (
  db: DbOrTx,
  organizationId: string,
  filter: AudienceFilter,
  options: CompileOptions,
): Promise<number[]> => {
  const rows = await db
    .select({ id: contacts.id })
    .from(contacts)
    .where(compileFilter(organizationId, filter, options))
    .orderBy(asc(contacts.id));
  return rows.map((r) => Number(r.id));
};

/**
 * A text with accents and case folded, in SQL ("João" and "JOAO" both become "joao"): disparo_fold (migration
 * 0017) translates accents before lower(), which only folds ASCII under the C collation. Contact names are
 * indexed by it (trigrams), so `foldSql(name) like foldSql(pattern)` is an index scan.
 */
export const foldSql = (value: SQL) => sql`disparo_fold(${value})`;
const fold = foldSql;

/**
 * Names in the order a Brazilian reads them: accents and case ignored first ("acessórios" before "Calçados";
 * capitals sort first under the C collation), then as written, so equal folds keep a fixed order.
 */
export const orderByName = (column: AnyColumn) => [foldSql(sql`${column}`), asc(column)];

export type CitySuggestion = { city: string; state: string; contacts: number };

/**
 * City/UF pairs of the organization's contacts whose name starts with `prefix`, ignoring case and accents
 * ("sao" finds São Paulo and São José), most contacts first. An empty prefix lists the largest cities.
 */
export const suggestCities = async (
  db: DbOrTx,
  organizationId: string,
  prefix: string,
  limit = 20,
): Promise<CitySuggestion[]> => {
  assertOrganizationId(organizationId);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new Error(`Limite de sugestões inválido (${limit}): use um inteiro entre 1 e 100.`);
  const cleaned = prefix.trim().replace(/\s+/g, " ").slice(0, 100);
  const pattern = cleaned.replace(/[\\%_]/g, "\\$&");
  // The pairs and their counts are kept by triggers (contact_city_counts): an organization has at most a few
  // thousand, so folding each one's name is cheaper than any index on it.
  const rows = await db.execute<{ city: string; state: string; contacts: number }>(sql`
    select ${contactCityCounts.city} as city, ${contactCityCounts.state} as state, ${contactCityCounts.n}::int as contacts
    from ${contactCityCounts}
    where ${contactCityCounts.organizationId} = ${organizationId}::uuid and ${contactCityCounts.n} > 0
      and ${fold(sql`${contactCityCounts.city}`)} like ${fold(sql`${pattern}::text`)} || '%'
    order by ${contactCityCounts.n} desc, ${contactCityCounts.city}, ${contactCityCounts.state}
    limit ${limit}`);
  return rows.map((r) => ({ city: r.city, state: r.state, contacts: Number(r.contacts) }));
};

/** The 27 UFs, for the UF picker. */
export const listUfs = () => UFS;
