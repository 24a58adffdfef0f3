import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { campaignRecipients, campaigns, chips, consentEvents, contacts, tags, templates, wallets } from "@/db/schema";
import { bulkUpdateContacts, createContact, eraseContact, exportContactData, updateContact } from "@/lib/contacts/contacts";
import { deleteTag, deleteWallet, saveTag } from "@/lib/contacts/labels";
import { contactInputSchema, contactUpdateSchema } from "@/lib/contacts/schemas";
import { createOrganization, createUser } from "./support/fixtures";

const input = (over: Record<string, unknown> = {}) =>
  contactInputSchema.parse({ name: "Maria Silva", phone: "(11) 8765-4321", optInStatus: "opted_in", ...over });
const edit = (loadedOptInStatus: string, over: Record<string, unknown> = {}) =>
  contactUpdateSchema.parse({ name: "Maria Silva", phone: "(11) 8765-4321", optInStatus: loadedOptInStatus, loadedOptInStatus, ...over });

describe("contacts", () => {
  let actor: { organizationId: string; userId: string; role: "gestor" };
  let other: { organizationId: string; userId: string; role: "gestor" };
  let tagA: number, tagB: number, walletId: number, foreignTag: number;

  beforeAll(async () => {
    const org = await createOrganization();
    actor = { organizationId: org.id, userId: (await createUser(org.id, "gestor")).id, role: "gestor" };
    const org2 = await createOrganization();
    other = { organizationId: org2.id, userId: (await createUser(org2.id, "gestor")).id, role: "gestor" };
    tagA = (await saveTag(getDb(), actor, null, { name: "Cliente VIP", color: "#112233" })).id;
    tagB = (await saveTag(getDb(), actor, null, { name: "Newsletter", color: "#445566" })).id;
    foreignTag = (await saveTag(getDb(), other, null, { name: "Cliente VIP", color: "#112233" })).id;
    [{ id: walletId }] = await getDb().insert(wallets).values({ organizationId: org.id, name: "Varejo" }).returning();
  });

  it("stores the phone in E.164 with the ninth digit and records the opt-in as consent history", async () => {
    const c = await createContact(getDb(), actor, input({ tagIds: [String(tagB), String(tagA)], walletId: String(walletId) }));
    expect(c).toMatchObject({ phone: "+5511987654321", optInStatus: "opted_in", optInSource: "manual", tagIds: [tagA, tagB].sort((a, b) => a - b) });
    const events = await getDb().select().from(consentEvents).where(eq(consentEvents.contactId, c.id));
    expect(events).toMatchObject([{ status: "opted_in", source: "manual", userId: actor.userId }]);
  });

  it("refuses a bad phone, a duplicate phone (in any written form) and another organization's etiqueta", async () => {
    await expect(createContact(getDb(), actor, input({ phone: "123" }))).rejects.toMatchObject({
      fieldErrors: { phone: [expect.stringMatching(/curto/)] },
    });
    await expect(createContact(getDb(), actor, input({ name: "Outra", phone: "+55 11 98765-4321" }))).rejects.toMatchObject({
      code: "conflict",
      fieldErrors: { phone: ["Este telefone já é de Maria Silva."] },
    });
    await expect(createContact(getDb(), actor, input({ phone: "(21) 99999-0000", tagIds: [foreignTag] }))).rejects.toMatchObject({
      code: "invalid",
    });
    // The same phone is fine in another organization.
    await expect(createContact(getDb(), other, input())).resolves.toMatchObject({ phone: "+5511987654321" });
  });

  it("an opt-out by hand is kept in the history with its time", async () => {
    const c = await createContact(getDb(), actor, input({ name: "João", phone: "(21) 98888-7777" }));
    await updateContact(getDb(), actor, c.id, edit("opted_in", { name: "João", phone: "(21) 98888-7777", optInStatus: "opted_out" }));
    const [saved] = await getDb().select().from(contacts).where(eq(contacts.id, c.id));
    expect(saved!.optedOutAt).toBeInstanceOf(Date);
    const events = await getDb().select().from(consentEvents).where(eq(consentEvents.contactId, c.id));
    expect(events.map((e) => e.status)).toEqual(["opted_in", "opted_out"]);
    await expect(updateContact(getDb(), other, c.id, edit("opted_in", { phone: "(21) 98888-7777" }))).rejects.toMatchObject({ code: "not_found" });
  });

  it("bulk add/remove etiquetas and move to a carteira touch only the organization's contacts", async () => {
    const a = await createContact(getDb(), actor, input({ name: "A", phone: "(31) 97777-0001", tagIds: [tagA] }));
    const b = await createContact(getDb(), actor, input({ name: "B", phone: "(31) 97777-0002" }));
    const foreign = await createContact(getDb(), other, input({ name: "F", phone: "(31) 97777-0003" }));
    const n = await bulkUpdateContacts(getDb(), actor, [a.id, b.id, foreign.id], { addTagIds: [tagB], removeTagIds: [tagA] });
    expect(n).toBe(2);
    const rows = await getDb().select({ id: contacts.id, tagIds: contacts.tagIds }).from(contacts);
    const byId = new Map(rows.map((r) => [r.id, r.tagIds]));
    expect(byId.get(a.id)).toEqual([tagB]);
    expect(byId.get(b.id)).toEqual([tagB]);
    expect(byId.get(foreign.id)).toEqual([]);
    await bulkUpdateContacts(getDb(), actor, [a.id], { addTagIds: [], removeTagIds: [], walletId });
    const [moved] = await getDb().select().from(contacts).where(eq(contacts.id, a.id));
    expect(moved!.walletId).toBe(walletId);
  });

  it("deleting an etiqueta removes it from its contacts and says how many; a carteira leaves contacts without one", async () => {
    const t = await saveTag(getDb(), actor, null, { name: "Liquidação de verão", color: "#000000" });
    const c = await createContact(getDb(), actor, input({ name: "T", phone: "(41) 96666-0001", tagIds: [t.id, tagA], walletId }));
    expect(await deleteTag(getDb(), actor, t.id)).toBe(1);
    const [after] = await getDb().select().from(contacts).where(eq(contacts.id, c.id));
    expect(after!.tagIds).toEqual([tagA]);
    expect(await getDb().select().from(tags).where(eq(tags.id, t.id))).toEqual([]);
    // The same name in other capitals is the same etiqueta.
    await expect(saveTag(getDb(), actor, null, { name: "cliente vip", color: "#000000" })).rejects.toMatchObject({ code: "conflict" });
    const [w] = await getDb().insert(wallets).values({ organizationId: actor.organizationId, name: "Atacado" }).returning();
    await bulkUpdateContacts(getDb(), actor, [c.id], { addTagIds: [], removeTagIds: [], walletId: w!.id });
    expect(await deleteWallet(getDb(), actor, w!.id)).toBe(1);
    await expect(deleteWallet(getDb(), other, walletId)).rejects.toMatchObject({ code: "not_found" });
  });

  it("LGPD: export holds everything incl. consent history; erasure removes personal data and keeps an anonymous campaign row", async () => {
    const c = await createContact(getDb(), actor, input({ name: "Ana Apagar", phone: "(51) 95555-0001", tagIds: [tagA] }));
    const db = getDb();
    const [chip] = await db
      .insert(chips)
      .values({ organizationId: actor.organizationId, name: "Chip", displayNumber: "+55 11 4000-0000", phoneNumberId: `pn-${Date.now()}`, wabaId: "w", accessTokenEncrypted: "x" })
      .returning();
    const [tpl] = await db
      .insert(templates)
      .values({ organizationId: actor.organizationId, wabaId: "w", name: "promo", category: "marketing", status: "approved" })
      .returning();
    const [camp] = await db
      .insert(campaigns)
      .values({ organizationId: actor.organizationId, name: "Promo", chipId: chip!.id, templateId: tpl!.id, status: "completed" })
      .returning();
    await db.insert(campaignRecipients).values({
      organizationId: actor.organizationId,
      campaignId: camp!.id,
      contactId: c.id,
      chipId: chip!.id,
      phone: c.phone,
      variables: ["Ana Apagar"],
      status: "delivered",
    });

    const data = await exportContactData(db, actor.organizationId, c.id);
    expect(data).toMatchObject({
      contact: { name: "Ana Apagar", phone: "+5551955550001", tags: ["Cliente VIP"] },
      consentHistory: [{ status: "opted_in", source: "manual" }],
      campaignMessages: [{ status: "delivered" }],
    });
    expect(await exportContactData(db, other.organizationId, c.id)).toBeNull();

    await eraseContact(db, actor, c.id);
    expect(await db.select().from(contacts).where(eq(contacts.id, c.id))).toEqual([]);
    const recipients = await db.select().from(campaignRecipients).where(eq(campaignRecipients.campaignId, camp!.id));
    expect(recipients).toMatchObject([{ contactId: null, phone: null, variables: [], status: "delivered" }]);
    expect(JSON.stringify(recipients)).not.toContain("Ana Apagar");
  });
});
