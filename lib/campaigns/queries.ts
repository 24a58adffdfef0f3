import { and, eq } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { campaigns } from "@/db/schema";

/** The campaign of this organization, or null (pages answer 404 for another organization's id). */
export const loadCampaignOrNull = async (db: DbOrTx, organizationId: string, id: number) => {
  const [row] = await db.select().from(campaigns).where(and(eq(campaigns.organizationId, organizationId), eq(campaigns.id, id)));
  return row ?? null;
};
