import "server-only";
import { and, desc, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { audiences, chips, tags, users, wallets } from "@/db/schema";
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
export const filterOptions = async (db: Db, organizationId: string) => {
  const [tagRows, walletRows, chipRows] = await Promise.all([
    db.select({ id: tags.id, name: tags.name, color: tags.color }).from(tags).where(eq(tags.organizationId, organizationId)).orderBy(tags.name),
    db.select({ id: wallets.id, name: wallets.name }).from(wallets).where(eq(wallets.organizationId, organizationId)).orderBy(wallets.name),
    db.select({ id: chips.id, name: chips.name }).from(chips).where(eq(chips.organizationId, organizationId)).orderBy(chips.name),
  ]);
  const names: FilterNames = {
    tags: new Map(tagRows.map((t) => [t.id, t.name])),
    wallets: new Map(walletRows.map((w) => [w.id, w.name])),
    chips: new Map(chipRows.map((c) => [c.id, c.name])),
  };
  return { tags: tagRows, wallets: walletRows, chips: chipRows, names };
};
