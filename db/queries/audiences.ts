import "server-only";
import { and, desc, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { audiences, chips, contactSegmentCounts, tags, users, wallets } from "@/db/schema";
import { orderByName } from "@/lib/segments/queries";
import type { FilterNames } from "@/lib/segments/filter";

export const listAudienceRows = (db: Db, organizationId: string) =>
  db
    .select({
      id: audiences.id,
      name: audiences.name,
      filter: audiences.filter,
      createdAt: audiences.createdAt,
      updatedAt: audiences.updatedAt,
      createdBy: users.name,
    })
    .from(audiences)
    .leftJoin(users, eq(users.id, audiences.createdByUserId))
    .where(eq(audiences.organizationId, organizationId))
    .orderBy(desc(audiences.updatedAt));

export const getAudience = async (db: Db, organizationId: string, id: number) => {
  const [row] = await db
    .select()
    .from(audiences)
    .where(and(eq(audiences.organizationId, organizationId), eq(audiences.id, id)));
  return row ?? null;
};

/** Names for the readable summary of a filter, and the options of the filter builder. */
/**
 * How many contacts carry each etiqueta, from the per-etiqueta buckets the triggers keep exact (tag_id = X,
 * chip_id = 0): a few rows per etiqueta instead of counting the contacts.
 */
export const tagContactCounts = async (db: Db, organizationId: string) => {
  const rows = await db
    .select({ tagId: contactSegmentCounts.tagId, n: sql<number>`sum(${contactSegmentCounts.n})::bigint` })
    .from(contactSegmentCounts)
    .where(and(eq(contactSegmentCounts.organizationId, organizationId), sql`${contactSegmentCounts.tagId} <> 0`, eq(contactSegmentCounts.chipId, 0)))
    .groupBy(contactSegmentCounts.tagId);
  return new Map(rows.map((r) => [r.tagId, Number(r.n)]));
};

export const filterOptions = async (db: Db, organizationId: string, opts: { tagCounts?: boolean } = {}) => {
  const [tagRows, walletRows, chipRows, counts] = await Promise.all([
    db.select({ id: tags.id, name: tags.name, color: tags.color }).from(tags).where(eq(tags.organizationId, organizationId)).orderBy(...orderByName(tags.name)),
    db.select({ id: wallets.id, name: wallets.name }).from(wallets).where(eq(wallets.organizationId, organizationId)).orderBy(...orderByName(wallets.name)),
    db.select({ id: chips.id, name: chips.name }).from(chips).where(eq(chips.organizationId, organizationId)).orderBy(...orderByName(chips.name)),
    opts.tagCounts ? tagContactCounts(db, organizationId) : null,
  ]);
  const names: FilterNames = {
    tags: new Map(tagRows.map((t) => [t.id, t.name])),
    wallets: new Map(walletRows.map((w) => [w.id, w.name])),
    chips: new Map(chipRows.map((c) => [c.id, c.name])),
  };
  return { tags: tagRows.map((t) => ({ ...t, contacts: counts ? (counts.get(t.id) ?? 0) : undefined })), wallets: walletRows, chips: chipRows, names };
};
