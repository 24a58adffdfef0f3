"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { authorizedAction, ok } from "@/lib/auth/action";
import { bulkUpdateContacts, createContact, eraseContact, updateContact } from "@/lib/contacts/contacts";
import { deleteTag, deleteWallet, saveTag, saveWallet, tagSchema, walletSchema } from "@/lib/contacts/labels";
import { contactInputSchema, contactUpdateSchema, idList } from "@/lib/contacts/schemas";

const id = z.coerce.number({ error: "Item inválido." }).int().positive("Item inválido.");
const optionalId = z
  .union([id, z.literal("")])
  .optional()
  .transform((v) => (v ? v : null));

// Creates a contact and opens its page.
export const createContactAction = authorizedAction(
  { name: "createContact", role: "operador", schema: contactInputSchema },
  async (input, { db, user }) => {
    const contact = await createContact(db, { organizationId: user.organizationId, userId: user.id }, input);
    revalidatePath("/contatos");
    redirect(`/contatos/${contact.id}`);
  },
);

// Saves a contact's data, etiquetas, carteira and, when the user changed it, the opt-in status (leaving an
// opt-out needs a gestor and a reason: lib/contacts/consent.ts).
export const updateContactAction = authorizedAction(
  { name: "updateContact", role: "operador", schema: contactUpdateSchema.extend({ id }) },
  async ({ id: contactId, ...input }, { db, user }) => {
    const saved = await updateContact(db, { organizationId: user.organizationId, userId: user.id, role: user.role }, contactId, input);
    revalidatePath(`/contatos/${contactId}`);
    return ok(
      undefined,
      saved.optedOutMeanwhile
        ? "Contato salvo. Atenção: ele pediu para sair (opt-out) enquanto você editava e continua descadastrado."
        : "Contato salvo.",
    );
  },
);

// Adds/removes etiquetas or moves a selection of contacts to a carteira.
export const bulkContactsAction = authorizedAction(
  {
    name: "bulkContacts",
    role: "operador",
    schema: z
      .object({
        ids: idList(500).refine((v) => v.length > 0, "Selecione pelo menos um contato."),
        operation: z.enum(["addTag", "removeTag", "setWallet"], { error: "Escolha o que fazer com a seleção." }),
        tagId: optionalId,
        walletId: optionalId,
      })
      .refine((v) => v.operation === "setWallet" || v.tagId, { message: "Escolha a etiqueta.", path: ["tagId"] }),
  },
  async (input, { db, user }) => {
    const count = await bulkUpdateContacts(db, { organizationId: user.organizationId, userId: user.id }, input.ids, {
      addTagIds: input.operation === "addTag" ? [input.tagId!] : [],
      removeTagIds: input.operation === "removeTag" ? [input.tagId!] : [],
      walletId: input.operation === "setWallet" ? input.walletId : undefined,
    });
    revalidatePath("/contatos");
    return ok(count, `${count} contato${count === 1 ? "" : "s"} atualizado${count === 1 ? "" : "s"}.`);
  },
);

// LGPD: erases a contact on the data subject's request (campaign statistics keep an anonymous row).
export const eraseContactAction = authorizedAction(
  { name: "eraseContact", role: "gestor", schema: z.object({ id }) },
  async ({ id: contactId }, { db, user }) => {
    await eraseContact(db, { organizationId: user.organizationId, userId: user.id }, contactId);
    revalidatePath("/contatos");
    redirect("/contatos?apagado=1");
  },
);

// Creates or renames an etiqueta (and its colour).
export const saveTagAction = authorizedAction(
  { name: "saveTag", role: "operador", schema: tagSchema.extend({ id: optionalId }) },
  async ({ id: tagId, ...input }, { db, user }) => {
    await saveTag(db, { organizationId: user.organizationId, userId: user.id }, tagId, input);
    revalidatePath("/contatos/etiquetas");
    return ok(undefined, tagId ? "Etiqueta atualizada." : "Etiqueta criada.");
  },
);

// Deletes an etiqueta, removing it from every contact.
export const deleteTagAction = authorizedAction(
  { name: "deleteTag", role: "gestor", schema: z.object({ id }) },
  async ({ id: tagId }, { db, user }) => {
    const n = await deleteTag(db, { organizationId: user.organizationId, userId: user.id }, tagId);
    revalidatePath("/contatos/etiquetas");
    return ok(n, `Etiqueta apagada e retirada de ${n} contato${n === 1 ? "" : "s"}.`);
  },
);

// Creates or renames a carteira and sets its owner.
export const saveWalletAction = authorizedAction(
  { name: "saveWallet", role: "operador", schema: walletSchema.extend({ id: optionalId }) },
  async ({ id: walletId, ...input }, { db, user }) => {
    await saveWallet(db, { organizationId: user.organizationId, userId: user.id }, walletId, input);
    revalidatePath("/contatos/etiquetas");
    return ok(undefined, walletId ? "Carteira atualizada." : "Carteira criada.");
  },
);

// Deletes a carteira; its contacts stay, without a carteira.
export const deleteWalletAction = authorizedAction(
  { name: "deleteWallet", role: "gestor", schema: z.object({ id }) },
  async ({ id: walletId }, { db, user }) => {
    const n = await deleteWallet(db, { organizationId: user.organizationId, userId: user.id }, walletId);
    revalidatePath("/contatos/etiquetas");
    return ok(n, `Carteira apagada; ${n} contato${n === 1 ? "" : "s"} ficaram sem carteira.`);
  },
);
