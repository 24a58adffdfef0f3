import { asc, sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { contacts } from "@/db/schema";
import { assertOrganizationId, compileCount, compileFilter, type CompileOptions } from "./compile";
import { UFS, type AudienceFilter } from "./filter";

// Readers of an audience. All of them go through ./compile.ts, so the count shown while the filter is edited,
// the preview and the campaign's snapshot select exactly the same contacts. Framework-free (no "server-only"),
// so the worker process and the benchmarks use the very same code; the app imports db/queries/segments.ts.

export const PREVIEW_MAX = 10_000;

/** How many contacts the filter selects (the live count of the Segmentação screen). */
export const countAudience = async (
  db: DbOrTx,
  organizationId: string,
  filter: AudienceFilter,
  options: CompileOptions,
): Promise<number> => {
  const rows = await db.execute<{ n: number }>(compileCount(organizationId, filter, options));
  return Number(rows[0]?.n ?? 0);
};

export type AudiencePreviewRow = {
  id: number;
  name: string;
  phone: string;
  city: string | null;
  state: string | null;
  tagIds: number[];
  optInStatus: "none" | "pending" | "opted_in" | "opted_out";
};

/** The first contacts of the audience, ordered by name then id. */
export const previewAudience = async (
  db: DbOrTx,
  organizationId: string,
  filter: AudienceFilter,
  options: CompileOptions & { limit?: number },
): Promise<AudiencePreviewRow[]> => {
  const limit = options.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > PREVIEW_MAX)
    throw new Error(`Limite da prévia inválido (${limit}): use um inteiro entre 1 e ${PREVIEW_MAX}.`);
  return db
    .select({
      id: contacts.id,
      name: contacts.name,
      phone: contacts.phone,
      city: contacts.city,
      state: contacts.state,
      tagIds: contacts.tagIds,
      optInStatus: contacts.optInStatus,
    })
    .from(contacts)
    .where(compileFilter(organizationId, filter, options))
    .orderBy(asc(contacts.name), asc(contacts.id))
    .limit(limit);
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

// Accents folded before lower(), which only folds ASCII under the C locale.
const ACCENTED = "ÁÀÂÃÄÅáàâãäåÉÈÊËéèêëÍÌÎÏíìîïÓÒÔÕÖóòôõöÚÙÛÜúùûüÇçÑñ";
const PLAIN = "AAAAAAaaaaaaEEEEeeeeIIIIiiiiOOOOOoooooUUUUuuuuCcNn";
const fold = (value: SQL) => sql`lower(translate(${value}, ${ACCENTED}::text, ${PLAIN}::text))`;

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
  // Group first, then match the (few hundred) groups: the fence keeps PostgreSQL from pushing the accent
  // folding down to every contact row (it would, the condition only names grouping columns).
  const rows = await db.execute<{ city: string; state: string; contacts: number }>(sql`
    with grouped as materialized (
      select ${contacts.city} as city, ${contacts.state} as state, count(*)::int as contacts
      from ${contacts}
      where ${contacts.organizationId} = ${organizationId}::uuid and ${contacts.city} is not null and ${contacts.state} is not null
      group by ${contacts.state}, ${contacts.city}
    )
    select city, state, contacts from grouped
    where ${fold(sql`city`)} like ${fold(sql`${pattern}::text`)} || '%'
    order by contacts desc, city, state
    limit ${limit}`);
  return rows.map((r) => ({ city: r.city, state: r.state, contacts: Number(r.contacts) }));
};

/** The 27 UFs, for the UF picker. */
export const listUfs = () => UFS;
