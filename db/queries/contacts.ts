import "server-only";
import { and, asc, count, desc, eq, ilike, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import {
  campaignRecipients,
  campaigns,
  chips,
  consentEvents,
  contactChips,
  contacts,
  tags,
  users,
  wallets,
} from "@/db/schema";
import type { ContactListFilter } from "@/lib/contacts/schemas";
import { foldSql, orderByName } from "@/lib/segments/queries";

export const CONTACTS_PAGE_SIZE = 50;
/** A search of one or two characters counts its matches up to this ("mais de 10.000"). */
export const SHORT_SEARCH_COUNT_CAP = 10_000;

const like = (q: string) => `%${q.replace(/[%_\\]/g, "\\$&")}%`;

export const listContacts = async (db: Db, organizationId: string, filter: ContactListFilter) => {
  const conditions: SQL[] = [eq(contacts.organizationId, organizationId)];
  const q = filter.q?.trim();
  if (q) {
    const digits = q.replace(/\D/g, "");
    // Accents and case ignored: "Joao da Silva" finds "João da Silva" (name_fold is the stored fold of the name).
    const byName = sql`${contacts.nameFold} like ${foldSql(sql`${like(q)}::text`)}`;
    conditions.push(digits.length >= 4 ? or(byName, ilike(contacts.phone, like(digits)))! : byName);
  }
  if (filter.tag) conditions.push(sql`${contacts.tagIds} @> array[${filter.tag}]::integer[]`);
  if (filter.wallet) conditions.push(eq(contacts.walletId, filter.wallet));
  if (filter.uf) conditions.push(eq(contacts.state, filter.uf));
  if (filter.optIn) conditions.push(eq(contacts.optInStatus, filter.optIn));
  const where = and(...conditions);
  const order = filter.dir === "desc" ? desc : asc;
  const typed = q?.replace(/[%_\\\s]/g, "") ?? "";
  // A search of 3+ characters is served by the trigram indexes and listed in pt-BR reading order (name_fold:
  // accents and case ignored). Left to choose, PostgreSQL walks an index in name order testing every name until
  // 50 match, expecting the matches spread evenly; first names cluster ("joao" sits after every other J…): 1.8 s
  // on 1,000,000 contacts with the fold computed per row, still ~320 ms on the stored column (docs/benchmarks.md).
  // Sorting under an explicit "C" collation, which no index is built with (the database's own collation is C, so
  // the order is name_fold's), makes it collect the matches on the trigram index and sort only those.
  const byName =
    typed.length >= 3 ? [order(sql`${contacts.nameFold} collate "C"`), order(contacts.id)] : [order(contacts.name), order(contacts.id)];
  // One or two characters match much of the base and no index serves them: counted up to a cap.
  const capped = typed.length > 0 && typed.length < 3;
  const [rows, [counted]] = await Promise.all([
    db
      .select({
        id: contacts.id,
        name: contacts.name,
        phone: contacts.phone,
        city: contacts.city,
        state: contacts.state,
        optInStatus: contacts.optInStatus,
        tagIds: contacts.tagIds,
        wallet: wallets.name,
        createdAt: contacts.createdAt,
      })
      .from(contacts)
      .leftJoin(wallets, eq(wallets.id, contacts.walletId))
      .where(where)
      .orderBy(...(filter.sort === "since" ? [order(contacts.createdAt), order(contacts.id)] : byName))
      .limit(CONTACTS_PAGE_SIZE)
      .offset((filter.page - 1) * CONTACTS_PAGE_SIZE),
    capped
      ? db.execute<{ n: number }>(sql`select count(*)::int as n from (select 1 from ${contacts} where ${where} limit ${SHORT_SEARCH_COUNT_CAP + 1}) s`)
      : db.select({ n: count() }).from(contacts).where(where),
  ]);
  const n = Number(counted?.n ?? 0);
  return { rows, total: capped ? Math.min(n, SHORT_SEARCH_COUNT_CAP) : n, totalIsAtLeast: capped && n > SHORT_SEARCH_COUNT_CAP };
};

const byName = orderByName;

export const listTags = (db: Db, organizationId: string) =>
  db.select().from(tags).where(eq(tags.organizationId, organizationId)).orderBy(...byName(tags.name));

// Correlated counts name the outer table explicitly: drizzle renders a bare column inside the subquery.
export const listTagsWithCounts = (db: Db, organizationId: string) =>
  db
    .select({
      id: tags.id,
      name: tags.name,
      color: tags.color,
      contacts: sql<number>`(select count(*)::int from ${contacts} c where c.organization_id = ${organizationId} and c.tag_ids @> array["tags"."id"])`,
    })
    .from(tags)
    .where(eq(tags.organizationId, organizationId))
    .orderBy(...byName(tags.name));

export const listWallets = (db: Db, organizationId: string) =>
  db
    .select({
      id: wallets.id,
      name: wallets.name,
      ownerUserId: wallets.ownerUserId,
      owner: users.name,
      contacts: sql<number>`(select count(*)::int from ${contacts} c where c.organization_id = ${organizationId} and c.wallet_id = "wallets"."id")`,
    })
    .from(wallets)
    .leftJoin(users, eq(users.id, wallets.ownerUserId))
    .where(eq(wallets.organizationId, organizationId))
    .orderBy(...byName(wallets.name));

export const getContactDetail = async (db: Db, organizationId: string, id: number) => {
  const [contact] = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.organizationId, organizationId), eq(contacts.id, id)));
  if (!contact) return null;
  const [chipRows, consent, received] = await Promise.all([
    db
      .select({
        chip: chips.name,
        displayNumber: chips.displayNumber,
        registered: contactChips.registered,
        firstSeenAt: contactChips.firstSeenAt,
        lastSeenAt: contactChips.lastSeenAt,
      })
      .from(contactChips)
      .innerJoin(chips, eq(chips.id, contactChips.chipId))
      .where(and(eq(contactChips.organizationId, organizationId), eq(contactChips.contactId, id))),
    db
      .select({
        id: consentEvents.id,
        status: consentEvents.status,
        source: consentEvents.source,
        occurredAt: consentEvents.occurredAt,
        textShown: consentEvents.textShown,
        user: users.name,
        chip: chips.name,
        campaign: campaigns.name,
      })
      .from(consentEvents)
      .leftJoin(users, eq(users.id, consentEvents.userId))
      .leftJoin(chips, eq(chips.id, consentEvents.chipId))
      .leftJoin(campaigns, eq(campaigns.id, consentEvents.campaignId))
      .where(and(eq(consentEvents.organizationId, organizationId), eq(consentEvents.contactId, id)))
      .orderBy(desc(consentEvents.occurredAt)),
    db
      .select({
        id: campaignRecipients.id,
        campaign: campaigns.name,
        campaignId: campaigns.id,
        status: campaignRecipients.status,
        sentAt: campaignRecipients.sentAt,
        chip: chips.name,
      })
      .from(campaignRecipients)
      .innerJoin(campaigns, eq(campaigns.id, campaignRecipients.campaignId))
      .innerJoin(chips, eq(chips.id, campaignRecipients.chipId))
      .where(and(eq(campaignRecipients.organizationId, organizationId), eq(campaignRecipients.contactId, id)))
      .orderBy(desc(campaignRecipients.createdAt))
      .limit(50),
  ]);
  return { contact, chips: chipRows, consent, received };
};
