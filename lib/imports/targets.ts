import "server-only";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { chips, tags, wallets } from "@/db/schema";
import { orderByName } from "@/lib/segments/queries";

export type ImportTargets = {
  tags: { id: number; name: string; color: string }[];
  wallets: { id: number; name: string }[];
  chips: { id: number; name: string; displayNumber: string; status: string }[];
};

/** What the options of an import can point at: the organization's etiquetas, carteiras and chips. */
export const listImportTargets = async (db: Db, organizationId: string): Promise<ImportTargets> => {
  const [tagRows, walletRows, chipRows] = await Promise.all([
    db
      .select({ id: tags.id, name: tags.name, color: tags.color })
      .from(tags)
      .where(eq(tags.organizationId, organizationId))
      .orderBy(...orderByName(tags.name)),
    db
      .select({ id: wallets.id, name: wallets.name })
      .from(wallets)
      .where(eq(wallets.organizationId, organizationId))
      .orderBy(...orderByName(wallets.name)),
    // Never the access token: only what the screen shows.
    db
      .select({ id: chips.id, name: chips.name, displayNumber: chips.displayNumber, status: chips.status })
      .from(chips)
      .where(eq(chips.organizationId, organizationId))
      .orderBy(...orderByName(chips.name)),
  ]);
  return { tags: tagRows, wallets: walletRows, chips: chipRows };
};
