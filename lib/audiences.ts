import { and, eq, inArray, ne, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx } from "@/db/client";
import { audiences, campaigns, organizations } from "@/db/schema";
import { ActionError } from "@/lib/action-error";
import { audit } from "@/lib/audit";
import { checkFilterReferences } from "@/lib/segments/compile";
import { countAudience } from "@/lib/segments/queries";
import { FILTER_VERSION, parseFilter, type AudienceFilter } from "@/lib/segments/filter";

type Actor = { organizationId: string; userId: string };

const organizationTimeZone = async (db: DbOrTx, organizationId: string) => {
  const [org] = await db.select({ timeZone: organizations.timeZone }).from(organizations).where(eq(organizations.id, organizationId));
  return org?.timeZone ?? "America/Sao_Paulo";
};

export const audienceNameSchema = z
  .string({ error: "Dê um nome à lista." })
  .trim()
  .min(1, "Dê um nome à lista.")
  .max(120, "O nome da lista pode ter no máximo 120 caracteres.");

/** Campaigns in these states still read their list: it cannot be deleted under them. */
export const LIST_IN_USE_STATUSES = ["scheduled", "queued", "sending", "paused"] as const;

/** Parses the filter JSON and checks every referenced id belongs to the organization; Portuguese errors. */
export const validAudienceFilter = async (db: Db, organizationId: string, raw: unknown): Promise<AudienceFilter> => {
  const parsed = parseFilter(raw);
  if (!parsed.ok)
    throw new ActionError("invalid", parsed.message, {
      filter: parsed.issues.map((i) => i.message),
    });
  const issues = await checkFilterReferences(db, organizationId, parsed.filter);
  if (issues.length) throw new ActionError("invalid", issues[0]!.message, { filter: issues.map((i) => i.message) });
  return parsed.filter;
};

const nameTaken = async (db: Db, organizationId: string, name: string, exceptId?: number) => {
  const rows = await db
    .select({ id: audiences.id })
    .from(audiences)
    .where(
      and(
        eq(audiences.organizationId, organizationId),
        sql`lower(${audiences.name}) = lower(${name})`,
        exceptId ? ne(audiences.id, exceptId) : undefined,
      ),
    )
    .limit(1);
  if (rows.length)
    throw new ActionError("conflict", "Já existe uma lista com este nome.", { name: ["Escolha outro nome: já existe uma lista assim."] });
};

export const saveAudience = async (db: Db, actor: Actor, id: number | null, input: { name: string; filter: unknown }) => {
  const filter = await validAudienceFilter(db, actor.organizationId, input.filter);
  await nameTaken(db, actor.organizationId, input.name, id ?? undefined);
  try {
    return await db.transaction(async (tx) => {
      const [row] = id
        ? await tx
            .update(audiences)
            .set({ name: input.name, filter, filterVersion: FILTER_VERSION, updatedAt: new Date() })
            .where(and(eq(audiences.organizationId, actor.organizationId), eq(audiences.id, id)))
            .returning({ id: audiences.id })
        : await tx
            .insert(audiences)
            .values({ organizationId: actor.organizationId, name: input.name, filter, filterVersion: FILTER_VERSION, createdByUserId: actor.userId })
            .returning({ id: audiences.id });
      if (!row) throw new ActionError("not_found", "Lista não encontrada.");
      // Kept so the campaign confirmation can say how much the list changed since it was saved.
      const timeZone = await organizationTimeZone(tx, actor.organizationId);
      const savedCount = await countAudience(tx, actor.organizationId, filter, { timeZone });
      await tx.update(audiences).set({ savedCount }).where(eq(audiences.id, row.id));
      await audit(tx, { ...actor, action: id ? "audience.update" : "audience.create", entityType: "audience", entityId: row.id, data: { name: input.name, filter } });
      return row;
    });
  } catch (err) {
    // Two people saving the same name at once: the unique index decides.
    const code = (err as { cause?: { code?: string } })?.cause?.code ?? (err as { code?: string })?.code;
    if (code === "23505")
      throw new ActionError("conflict", "Já existe uma lista com este nome.", { name: ["Escolha outro nome: já existe uma lista assim."] });
    throw err;
  }
};

const loadAudience = async (db: Db, organizationId: string, id: number) => {
  const [row] = await db
    .select()
    .from(audiences)
    .where(and(eq(audiences.organizationId, organizationId), eq(audiences.id, id)));
  if (!row) throw new ActionError("not_found", "Lista não encontrada.");
  return row;
};

/** A copy named "<name> (cópia)", "(cópia 2)"… so it never collides. */
export const duplicateAudience = async (db: Db, actor: Actor, id: number) => {
  const source = await loadAudience(db, actor.organizationId, id);
  const existing = new Set(
    (
      await db
        .select({ name: audiences.name })
        .from(audiences)
        .where(and(eq(audiences.organizationId, actor.organizationId), sql`lower(${audiences.name}) like lower(${`${source.name.slice(0, 100)} (cópia%`})`))
    ).map((r) => r.name.toLowerCase()),
  );
  let name = `${source.name.slice(0, 100)} (cópia)`;
  for (let i = 2; existing.has(name.toLowerCase()); i++) name = `${source.name.slice(0, 100)} (cópia ${i})`;
  return saveAudience(db, actor, null, { name, filter: source.filter });
};

export const deleteAudience = async (db: Db, actor: Actor, id: number) => {
  const source = await loadAudience(db, actor.organizationId, id);
  const using = await db
    .select({ name: campaigns.name, status: campaigns.status })
    .from(campaigns)
    .where(and(eq(campaigns.organizationId, actor.organizationId), eq(campaigns.audienceId, id), inArray(campaigns.status, [...LIST_IN_USE_STATUSES])));
  if (using.length)
    throw new ActionError(
      "conflict",
      `A lista “${source.name}” está em uso pela campanha ${using.map((c) => `“${c.name}”`).join(", ")}, agendada ou em andamento. Conclua, cancele ou troque a lista da campanha antes de apagar.`,
    );
  await db.transaction(async (tx) => {
    // Finished campaigns keep their snapshot of recipients; they just lose the link to the list.
    await tx
      .update(campaigns)
      .set({ audienceId: null })
      .where(and(eq(campaigns.organizationId, actor.organizationId), eq(campaigns.audienceId, id)));
    await tx.delete(audiences).where(and(eq(audiences.organizationId, actor.organizationId), eq(audiences.id, id)));
    await audit(tx, { ...actor, action: "audience.delete", entityType: "audience", entityId: id, data: { name: source.name } });
  });
};
