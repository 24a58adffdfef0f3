import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db, DbOrTx } from "@/db/client";
import {
  campaignRecipients,
  consentEvents,
  contactChips,
  contacts,
  inboundMessages,
  tags,
  wallets,
  type Contact,
  type Role,
} from "@/db/schema";
import { ActionError } from "@/lib/auth/action";
import { audit } from "@/lib/audit";
import { normalizePhone } from "@/lib/phones";
import { optInChange } from "./consent";
import type { ContactInput, ContactUpdateInput } from "./schemas";

type Actor = { organizationId: string; userId: string };
type Editor = Actor & { role: Role };

// Tag and wallet ids from a form must belong to the actor's organization.
export const assertOwnedReferences = async (
  db: DbOrTx,
  organizationId: string,
  refs: { tagIds?: number[]; walletId?: number | null },
) => {
  if (refs.tagIds?.length) {
    const found = await db
      .select({ id: tags.id })
      .from(tags)
      .where(and(eq(tags.organizationId, organizationId), inArray(tags.id, refs.tagIds)));
    if (found.length !== refs.tagIds.length)
      throw new ActionError("invalid", "Uma das etiquetas escolhidas não existe mais.", {
        tagIds: ["Escolha etiquetas da lista."],
      });
  }
  if (refs.walletId) {
    const [found] = await db
      .select({ id: wallets.id })
      .from(wallets)
      .where(and(eq(wallets.organizationId, organizationId), eq(wallets.id, refs.walletId)));
    if (!found)
      throw new ActionError("invalid", "A carteira escolhida não existe mais.", { walletId: ["Escolha uma carteira da lista."] });
  }
};

const phoneOrFail = (phone: string) => {
  const result = normalizePhone(phone);
  if (!result.ok) throw new ActionError("invalid", "Confira o telefone.", { phone: [result.reason] });
  return result.e164;
};

const phoneTaken = async (db: DbOrTx, organizationId: string, phone: string, exceptId?: number) => {
  const [row] = await db
    .select({ id: contacts.id, name: contacts.name })
    .from(contacts)
    .where(and(eq(contacts.organizationId, organizationId), eq(contacts.phone, phone)));
  if (row && row.id !== exceptId)
    throw new ActionError("conflict", "Já existe um contato com este telefone.", {
      phone: [`Este telefone já é de ${row.name}.`],
    });
};

const optInFields = (status: ContactInput["optInStatus"], before?: Contact) => {
  const now = new Date();
  return {
    optInStatus: status,
    optInSource: status === "opted_in" || status === "opted_out" ? ("manual" as const) : null,
    optInAt: status === "opted_in" ? now : (before?.optInAt ?? null),
    optedOutAt: status === "opted_out" ? now : null,
  };
};

export const getContact = async (db: DbOrTx, organizationId: string, id: number) => {
  const [row] = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.organizationId, organizationId), eq(contacts.id, id)));
  return row ?? null;
};

export const createContact = async (db: Db, actor: Actor, input: ContactInput) => {
  const phone = phoneOrFail(input.phone);
  await assertOwnedReferences(db, actor.organizationId, input);
  await phoneTaken(db, actor.organizationId, phone);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(contacts)
      .values({
        organizationId: actor.organizationId,
        name: input.name,
        phone,
        city: input.city,
        state: input.state,
        walletId: input.walletId,
        tagIds: [...input.tagIds].sort((a, b) => a - b),
        ...optInFields(input.optInStatus),
      })
      .returning();
    if (input.optInStatus === "opted_in" || input.optInStatus === "opted_out")
      await tx.insert(consentEvents).values({
        organizationId: actor.organizationId,
        contactId: row!.id,
        status: input.optInStatus,
        source: "manual",
        userId: actor.userId,
        textShown: "Registrado manualmente no cadastro do contato",
      });
    await audit(tx, { ...actor, action: "contact.create", entityType: "contact", entityId: row!.id });
    return row!;
  });
};

/**
 * Saves the form of one contact. The opt-in is written only when the user changed it (lib/contacts/consent.ts):
 * the row is read under lock, so a webhook's opt-out either waits for this save or is seen by it, and is never
 * undone by a form loaded before it. A refused opt-in change saves nothing (the form keeps what was typed).
 */
export const updateContact = async (db: Db, actor: Editor, id: number, input: ContactUpdateInput) =>
  db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(contacts)
      .where(and(eq(contacts.organizationId, actor.organizationId), eq(contacts.id, id)))
      .for("update");
    if (!before) throw new ActionError("not_found", "Contato não encontrado.");
    // Only a contact known by its WhatsApp user id (BSUID) may stay without a phone.
    if (!input.phone && !before.bsuid) throw new ActionError("invalid", "Confira o telefone.", { phone: ["Informe o telefone com DDD."] });
    const phone = input.phone ? phoneOrFail(input.phone) : null;
    await assertOwnedReferences(tx, actor.organizationId, input);
    if (phone) await phoneTaken(tx, actor.organizationId, phone, id);
    const status = optInChange({
      current: before.optInStatus,
      loaded: input.loadedOptInStatus,
      chosen: input.optInStatus,
      role: actor.role,
      reason: input.optInReason,
    });
    await tx
      .update(contacts)
      .set({
        name: input.name,
        phone,
        city: input.city,
        state: input.state,
        walletId: input.walletId,
        tagIds: [...input.tagIds].sort((a, b) => a - b),
        ...(status ? optInFields(status, before) : {}),
        updatedAt: new Date(),
      })
      .where(and(eq(contacts.organizationId, actor.organizationId), eq(contacts.id, id)));
    if (status)
      await tx.insert(consentEvents).values({
        organizationId: actor.organizationId,
        contactId: id,
        status,
        source: "manual",
        userId: actor.userId,
        textShown:
          before.optInStatus === "opted_out"
            ? `Tirado do descadastro no cadastro do contato. Motivo: ${input.optInReason}`
            : `Alterado manualmente no cadastro do contato${input.optInReason ? `. Motivo: ${input.optInReason}` : ""}`,
      });
    await audit(tx, {
      organizationId: actor.organizationId,
      userId: actor.userId,
      action: "contact.update",
      entityType: "contact",
      entityId: id,
      data: status ? { optIn: { from: before.optInStatus, to: status } } : undefined,
    });
    return {
      optInStatus: status ?? before.optInStatus,
      /** The contact opted out after the form was loaded; the opt-out stays. */
      optedOutMeanwhile: before.optInStatus === "opted_out" && input.loadedOptInStatus !== "opted_out",
    };
  });

/** Bulk: add/remove etiquetas and/or move to a carteira, for contacts of the organization only. */
export const bulkUpdateContacts = async (
  db: Db,
  actor: Actor,
  ids: number[],
  change: { addTagIds: number[]; removeTagIds: number[]; walletId?: number | null },
) => {
  await assertOwnedReferences(db, actor.organizationId, {
    tagIds: [...change.addTagIds, ...change.removeTagIds],
    walletId: change.walletId ?? null,
  });
  return db.transaction(async (tx) => {
    const set: Record<string, unknown> = { updatedAt: new Date() };
    if (change.addTagIds.length || change.removeTagIds.length)
      set.tagIds = sql`array(
        select distinct t from unnest(${contacts.tagIds} || ${sql.param(change.addTagIds)}::integer[]) t
        where t <> all(${sql.param(change.removeTagIds)}::integer[]) order by t)`;
    if (change.walletId !== undefined) set.walletId = change.walletId;
    const updated = await tx
      .update(contacts)
      .set(set)
      .where(and(eq(contacts.organizationId, actor.organizationId), inArray(contacts.id, ids)))
      .returning({ id: contacts.id });
    await audit(tx, { ...actor, action: "contact.bulk_update", entityType: "contact", data: { count: updated.length, ...change } });
    return updated.length;
  });
};

/** LGPD: everything held about one contact, consent history included. */
export const exportContactData = async (db: Db, organizationId: string, id: number) => {
  const contact = await getContact(db, organizationId, id);
  if (!contact) return null;
  const [tagRows, walletRow, chipRows, consent, received, inbound] = await Promise.all([
    contact.tagIds.length
      ? db.select({ id: tags.id, name: tags.name }).from(tags).where(and(eq(tags.organizationId, organizationId), inArray(tags.id, contact.tagIds)))
      : Promise.resolve([]),
    contact.walletId
      ? db.select({ name: wallets.name }).from(wallets).where(and(eq(wallets.organizationId, organizationId), eq(wallets.id, contact.walletId)))
      : Promise.resolve([]),
    db.select().from(contactChips).where(and(eq(contactChips.organizationId, organizationId), eq(contactChips.contactId, id))),
    db.select().from(consentEvents).where(and(eq(consentEvents.organizationId, organizationId), eq(consentEvents.contactId, id))),
    db.select().from(campaignRecipients).where(and(eq(campaignRecipients.organizationId, organizationId), eq(campaignRecipients.contactId, id))),
    db.select().from(inboundMessages).where(and(eq(inboundMessages.organizationId, organizationId), eq(inboundMessages.contactId, id))),
  ]);
  // tag_sig is a derived index aid, not data about the person.
  const { tagSig: _tagSig, ...held } = contact;
  return {
    exportedAt: new Date().toISOString(),
    contact: { ...held, tags: tagRows.map((t) => t.name), wallet: walletRow[0]?.name ?? null },
    chips: chipRows,
    consentHistory: consent,
    campaignMessages: received,
    inboundMessages: inbound,
  };
};

/**
 * LGPD erasure on request: personal data is deleted; campaign statistics keep an anonymous row
 * (recipient rows lose contact, phone and rendered variables), and consent events lose the link.
 */
export const eraseContact = async (db: Db, actor: Actor, id: number) => {
  const contact = await getContact(db, actor.organizationId, id);
  if (!contact) throw new ActionError("not_found", "Contato não encontrado.");
  await db.transaction(async (tx) => {
    await tx
      .update(campaignRecipients)
      .set({ phone: null, variables: sql`'[]'::jsonb` })
      .where(and(eq(campaignRecipients.organizationId, actor.organizationId), eq(campaignRecipients.contactId, id)));
    await tx
      .delete(inboundMessages)
      .where(and(eq(inboundMessages.organizationId, actor.organizationId), eq(inboundMessages.contactId, id)));
    await tx.delete(contacts).where(and(eq(contacts.organizationId, actor.organizationId), eq(contacts.id, id)));
    await audit(tx, { ...actor, action: "contact.erase", entityType: "contact", entityId: id });
  });
};
