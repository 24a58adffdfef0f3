import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { contacts, tags, users, wallets } from "@/db/schema";
import { ActionError } from "@/lib/auth/action";
import { audit } from "@/lib/audit";

type Actor = { organizationId: string; userId: string };

export const tagSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Informe o nome da etiqueta.")
    .max(60, "Etiqueta: no máximo 60 caracteres.")
    // The importer's "Etiquetas" column separates names with these (lib/imports/validate.ts splitTags): a name
    // holding one could never be matched by a file.
    .refine((v) => !/[,;|]/.test(v), "Etiqueta: sem vírgula, ponto e vírgula ou barra vertical (a importação separa etiquetas com eles)."),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/, "Escolha uma cor.").default("#0f766e"),
});

export const walletSchema = z.object({
  name: z.string().trim().min(1, "Informe o nome da carteira.").max(60, "Carteira: no máximo 60 caracteres."),
  ownerUserId: z
    .union([z.uuid(), z.literal("")])
    .optional()
    .transform((v) => (v ? v : null)),
});

const isUniqueViolation = (err: unknown): boolean =>
  Boolean(err && typeof err === "object" && "code" in err && (err as { code: string }).code === "23505") ||
  Boolean(err && typeof err === "object" && "cause" in err && isUniqueViolation((err as { cause: unknown }).cause));

const duplicate = (what: string) =>
  new ActionError("conflict", `Já existe ${what} com este nome.`, { name: [`Escolha outro nome: já existe ${what} assim.`] });

export const saveTag = async (db: Db, actor: Actor, id: number | null, input: z.output<typeof tagSchema>) => {
  try {
    return await db.transaction(async (tx) => {
      const [row] = id
        ? await tx
            .update(tags)
            .set(input)
            .where(and(eq(tags.organizationId, actor.organizationId), eq(tags.id, id)))
            .returning()
        : await tx.insert(tags).values({ ...input, organizationId: actor.organizationId }).returning();
      if (!row) throw new ActionError("not_found", "Etiqueta não encontrada.");
      await audit(tx, { ...actor, action: id ? "tag.update" : "tag.create", entityType: "tag", entityId: row.id, data: input });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate("uma etiqueta");
    throw err;
  }
};

export const countContactsWithTag = async (db: Db, organizationId: string, tagId: number) => {
  const [{ n }] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(contacts)
    .where(and(eq(contacts.organizationId, organizationId), sql`${contacts.tagIds} @> array[${tagId}]::integer[]`));
  return n;
};

/** Deletes an etiqueta and removes it from every contact; returns how many contacts had it. */
export const deleteTag = async (db: Db, actor: Actor, id: number) =>
  db.transaction(async (tx) => {
    const affected = await tx
      .update(contacts)
      .set({ tagIds: sql`array_remove(${contacts.tagIds}, ${id})` })
      .where(and(eq(contacts.organizationId, actor.organizationId), sql`${contacts.tagIds} @> array[${id}]::integer[]`))
      .returning({ id: contacts.id });
    const [deleted] = await tx
      .delete(tags)
      .where(and(eq(tags.organizationId, actor.organizationId), eq(tags.id, id)))
      .returning({ id: tags.id });
    if (!deleted) throw new ActionError("not_found", "Etiqueta não encontrada.");
    await audit(tx, { ...actor, action: "tag.delete", entityType: "tag", entityId: id, data: { contacts: affected.length } });
    return affected.length;
  });

const assertOwner = async (db: Db, organizationId: string, ownerUserId: string | null) => {
  if (!ownerUserId) return;
  const [u] = await db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.organizationId, organizationId), eq(users.id, ownerUserId)));
  if (!u) throw new ActionError("invalid", "Responsável inválido.", { ownerUserId: ["Escolha um usuário da lista."] });
};

export const saveWallet = async (db: Db, actor: Actor, id: number | null, input: z.output<typeof walletSchema>) => {
  await assertOwner(db, actor.organizationId, input.ownerUserId);
  try {
    return await db.transaction(async (tx) => {
      const [row] = id
        ? await tx
            .update(wallets)
            .set(input)
            .where(and(eq(wallets.organizationId, actor.organizationId), eq(wallets.id, id)))
            .returning()
        : await tx.insert(wallets).values({ ...input, organizationId: actor.organizationId }).returning();
      if (!row) throw new ActionError("not_found", "Carteira não encontrada.");
      await audit(tx, { ...actor, action: id ? "wallet.update" : "wallet.create", entityType: "wallet", entityId: row.id, data: input });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw duplicate("uma carteira");
    throw err;
  }
};

/** Deletes a carteira; its contacts stay, without a carteira. Returns how many contacts were in it. */
export const deleteWallet = async (db: Db, actor: Actor, id: number) =>
  db.transaction(async (tx) => {
    const affected = await tx
      .update(contacts)
      .set({ walletId: null })
      .where(and(eq(contacts.organizationId, actor.organizationId), eq(contacts.walletId, id)))
      .returning({ id: contacts.id });
    const [deleted] = await tx
      .delete(wallets)
      .where(and(eq(wallets.organizationId, actor.organizationId), eq(wallets.id, id)))
      .returning({ id: wallets.id });
    if (!deleted) throw new ActionError("not_found", "Carteira não encontrada.");
    await audit(tx, { ...actor, action: "wallet.delete", entityType: "wallet", entityId: id, data: { contacts: affected.length } });
    return affected.length;
  });
