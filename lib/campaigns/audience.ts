import { sql, type SQL } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { contacts } from "@/db/schema";
import { compileFilter } from "@/lib/segments/compile";
import type { AudienceFilter } from "@/lib/segments/filter";
import type { VariableMapping } from "./variables";

// The confirmation screen's numbers: for each chip scope, how many contacts of the list it reaches and who of
// them is skipped, and why. One statement, one snapshot. Framework-free: the benchmark and (next) the snapshot
// use the same rules.
//
// Cost: the list's contacts are read from the covering index (contacts_segment_cover_idx) without touching the
// table: scope (chip_ids), opt-in, city/UF/carteira for "variável sem valor" and the id for the frequency cap are
// all index columns. Only the phone and the name are not; the contacts whose phone is not a canonical Brazilian
// mobile, or whose name is empty, are few and have an index of their own (contacts_org_suspect_idx), so they are
// read row by row and left out of the index-only part by id (a hash anti-join: `<> all(array)` compared every
// row with every suspect, seconds at 1,000,000 contacts).

export const CHIP_SCOPES = ["this_chip", "other_chips", "both"] as const;
export type ChipScope = (typeof CHIP_SCOPES)[number];

/** In the order they are decided: a contact is skipped for the first that applies. */
export const SKIP_REASONS = ["opted_out", "no_opt_in", "invalid_phone", "duplicate_phone", "missing_variable", "frequency_cap"] as const;
export type ConfirmSkipReason = (typeof SKIP_REASONS)[number];

export type ScopeNumbers = { inScope: number; recipients: number; skipped: Record<ConfirmSkipReason, number> };
export type AudienceBreakdown = {
  /** Every contact of the list, whatever its chip. */
  listCount: number;
  /** Contacts of the list registered on no chip at all (only "both" reaches them). */
  withoutChip: number;
  scopes: Record<ChipScope, ScopeNumbers>;
};

export type FrequencyCap = { messages: number; days: number };

export type BreakdownInput = {
  organizationId: string;
  filter: AudienceFilter;
  timeZone: string;
  chipId: number;
  mapping: readonly VariableMapping[];
  /** Opt-in request template: contacts whose opt-in is pending or unknown are reached (never the opted out). */
  optInRequest: boolean;
  /** Applied to marketing campaigns only; null = off. */
  frequencyCap: FrequencyCap | null;
  /** The campaign being confirmed: its own recipients never count against the cap. */
  campaignId?: number;
};

// Kept word for word as in the partial index's predicate (db/schema/contacts.ts) so the planner uses it.
// A contact who wrote in by WhatsApp username only has no phone: a template cannot reach it (invalid_phone).
const SUSPECT = sql`(${contacts.phone} is null or ${contacts.phone} !~ '^[+]55[1-9][1-9]9[0-9]{8}$' or btrim(${contacts.name}) = '')`;
// Brazilian numbers: landline (2–5 + 7 digits), mobile with the ninth digit, or an old 8-digit mobile (6–9);
// anything else must at least be E.164.
const VALID_PHONE = sql`(${contacts.phone} is not null and ${contacts.phone} ~ '^[+][1-9][0-9]{7,14}$' and (${contacts.phone} !~ '^[+]55' or ${contacts.phone} ~ '^[+]55[1-9][1-9]([2-9][0-9]{7}|9[0-9]{8})$'))`;
// An old 8-digit mobile whose ninth-digit form is another contact of the same list: the same WhatsApp account.
const EIGHT_DIGIT_MOBILE = sql`${contacts.phone} ~ '^[+]55[1-9][1-9][6-9][0-9]{7}$'`;
// A canonical Brazilian mobile (what the app stores for nearly everyone): valid, and not an old 8-digit form.
// Tested first, so the other phone patterns run only for the few that are not.
const CANONICAL_MOBILE = sql`${contacts.phone} ~ '^[+]55[1-9][1-9]9[0-9]{8}$'`;

/**
 * SQL: true when the contact leaves some variable without a value (a field mapped with no fallback, empty for
 * this contact). Only columns of the covering index, except the name, which only the few "suspect" contacts can
 * lack (contacts_org_suspect_idx); pass `withName` for them.
 */
export const missingVariableSql = (mapping: readonly VariableMapping[], withName: boolean): SQL => {
  const tests: SQL[] = [];
  const fields = new Set(mapping.flatMap((m) => (m.source === "field" && !m.fallback ? [m.field] : [])));
  if (fields.has("city")) tests.push(sql`(${contacts.city} is null or btrim(${contacts.city}) = '')`);
  if (fields.has("state") || fields.has("state_name")) tests.push(sql`${contacts.state} is null`);
  if (fields.has("wallet")) tests.push(sql`${contacts.walletId} is null`);
  if (withName && (fields.has("name") || fields.has("first_name"))) tests.push(sql`btrim(${contacts.name}) = ''`);
  return tests.length ? sql`(${sql.join(tests, sql` or `)})` : sql`false`;
};

const emptySkips = (): Record<ConfirmSkipReason, number> =>
  Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<ConfirmSkipReason, number>;

/** The SQL pieces the confirmation and the snapshot share, so both skip the same contacts for the same reasons. */
export const recipientRules = (input: BreakdownInput) => {
  const { organizationId, chipId, mapping } = input;
  const where = compileFilter(organizationId, input.filter, { timeZone: input.timeZone });
  const cap = input.frequencyCap;
  const group = sql`case when ${contacts.chipIds} @> array[${chipId}::int] then 1 when cardinality(${contacts.chipIds}) > 0 then 2 else 3 end`;
  // Reasons as small integers (their position in SKIP_REASONS, 0 = reached): cheaper to group than text.
  const code = (reason: ConfirmSkipReason) => sql.raw(String(SKIP_REASONS.indexOf(reason) + 1));
  const optInReason = input.optInRequest
    ? sql`when ${contacts.optInStatus} = 'opted_out' then ${code("opted_out")}`
    : sql`when ${contacts.optInStatus} = 'opted_out' then ${code("opted_out")} when ${contacts.optInStatus} <> 'opted_in' then ${code("no_opt_in")}`;
  // Every reason but the frequency cap, for a row read from the table (phone and name at hand).
  const rowReason = sql`case ${optInReason}
                  when ${CANONICAL_MOBILE} then case when ${missingVariableSql(mapping, true)} then ${code("missing_variable")} else 0 end
                  when not ${VALID_PHONE} then ${code("invalid_phone")}
                  when ${EIGHT_DIGIT_MOBILE} and exists (
                    select 1 from ${contacts} twin
                     where twin.organization_id = ${organizationId}::uuid
                       and twin.phone = '+55' || substr(${contacts.phone}, 4, 2) || '9' || substr(${contacts.phone}, 6)
                       and twin.id in (select ${contacts.id} from ${contacts} where ${where})) then ${code("duplicate_phone")}
                  when ${missingVariableSql(mapping, true)} then ${code("missing_variable")}
                  else 0 end`;
  // Contacts over the frequency cap: the recipients of marketing campaigns that sent in the window, through
  // their (campaign, contact) index. Null when the cap is off.
  const recent = cap
    ? sql`select r.contact_id from campaign_recipients r
        join campaigns c on c.id = r.campaign_id
        join templates t on t.id = c.template_id
       where c.organization_id = ${organizationId}::uuid and t.category = 'marketing'
         and c.started_at is not null
         and (c.finished_at is null or c.finished_at >= now() - make_interval(days => ${cap.days}))
         and c.id <> ${input.campaignId ?? 0}
         and r.sent_at >= now() - make_interval(days => ${cap.days}) and r.contact_id is not null
       group by r.contact_id having count(*) >= ${cap.messages}`
    : null;
  return { where, group, code, optInReason, rowReason, recent };
};

export const audienceBreakdown = async (db: DbOrTx, input: BreakdownInput): Promise<AudienceBreakdown> => {
  const { mapping } = input;
  const { where, group, code, optInReason, rowReason, recent } = recipientRules(input);
  // 1. Everything but the cap: the list from the covering index, the suspects row by row (see the top).
  const main = sql`
    with suspects as materialized (
      select ${contacts.id} as id, ${group} as grp, ${rowReason} as reason
        from ${contacts} where ${where} and ${SUSPECT}
    ),
    plain as (
      select ${group} as grp,
             case ${optInReason} when ${missingVariableSql(mapping, false)} then ${code("missing_variable")} else 0 end as reason,
             count(*) as n
        from ${contacts}
       where ${where} and not exists (select 1 from suspects s where s.id = ${contacts.id})
       group by 1, 2
    )
    select grp, reason, sum(n)::int as n
      from (select grp, reason, n from plain union all select grp, reason, count(*) from suspects group by 1, 2) x
     group by grp, reason`;
  // 2. The cap: contacts over it (the recipients of marketing campaigns that sent in the window, through their
  // (campaign, contact) index), those of them in the list that no other reason skipped, by chip group. Its own
  // statement, so the pool runs it on the other core while the list is scanned.
  const capped = recent
    ? sql`
    with recent as materialized (${recent})
    select ${group} as grp, ${code("frequency_cap")} as reason, count(*)::int as n
      from ${contacts}
     where ${contacts.id} in (select contact_id from recent) and ${where} and ${rowReason} = 0
     group by 1`
    : null;
  type Row = { grp: number; reason: number; n: number };
  // Inside a transaction (the confirmation) both run on its one connection, one after the other, in its snapshot.
  const inTransaction = "rollback" in db;
  const run = (q: typeof main) => db.execute<Row>(q);
  const [base, over] = inTransaction
    ? [await run(main), capped ? await run(capped) : []]
    : await Promise.all([run(main), capped ? run(capped) : Promise.resolve([] as Row[])]);
  const groups = [1, 2, 3].map(() => ({ total: 0, skipped: emptySkips() }));
  // The list's contacts are counted once, by the first statement; the second only moves some of the reached
  // ones to "limite de frequência".
  for (const [rows, counted] of [[base, true], [over, false]] as const)
    for (const r of rows) {
      const g = groups[Number(r.grp) - 1]!;
      if (counted) g.total += Number(r.n);
      const reason = SKIP_REASONS[Number(r.reason) - 1];
      if (reason) g.skipped[reason] += Number(r.n);
    }
  const numbers = (parts: typeof groups): ScopeNumbers => {
    const skipped = emptySkips();
    let inScope = 0;
    for (const p of parts) {
      inScope += p.total;
      for (const reason of SKIP_REASONS) skipped[reason] += p.skipped[reason];
    }
    const skippedTotal = SKIP_REASONS.reduce((s, r) => s + skipped[r], 0);
    return { inScope, recipients: inScope - skippedTotal, skipped };
  };
  const [mine, others, none] = groups as [(typeof groups)[0], (typeof groups)[0], (typeof groups)[0]];
  return {
    listCount: mine.total + others.total + none.total,
    withoutChip: none.total,
    scopes: { this_chip: numbers([mine]), other_chips: numbers([others]), both: numbers([mine, others, none]) },
  };
};
