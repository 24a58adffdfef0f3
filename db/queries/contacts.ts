import "server-only";
import { and, asc, count, eq, ilike, or, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { contacts, tags, wallets } from "@/db/schema";

export const CONTACTS_PAGE_SIZE = 50;

export const listContacts = async (db: Db, organizationId: string, opts: { page: number; search?: string }) => {
  const conditions: SQL[] = [eq(contacts.organizationId, organizationId)];
  const q = opts.search?.trim();
  if (q) {
    const digits = q.replace(/\D/g, "");
    const byName = ilike(contacts.name, `%${q.replace(/[%_\\]/g, "\\$&")}%`);
    conditions.push(digits.length >= 4 ? or(byName, ilike(contacts.phone, `%${digits}%`))! : byName);
  }
  const where = and(...conditions);
  const [rows, [total]] = await Promise.all([
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
      .orderBy(asc(contacts.name), asc(contacts.id))
      .limit(CONTACTS_PAGE_SIZE)
      .offset((opts.page - 1) * CONTACTS_PAGE_SIZE),
    db.select({ total: count() }).from(contacts).where(where),
  ]);
  return { rows, total: total?.total ?? 0 };
};

export const listTags = (db: Db, organizationId: string) =>
  db.select().from(tags).where(eq(tags.organizationId, organizationId)).orderBy(asc(tags.name));
