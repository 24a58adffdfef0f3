import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { audiences, campaigns, chips, tags, templates } from "@/db/schema";
import { deleteAudience, duplicateAudience, saveAudience } from "@/lib/audiences";
import { createOrganization, createUser } from "./support/fixtures";

describe("listas de público", () => {
  let actor: { organizationId: string; userId: string };
  let tagId: number;
  let foreignTagId: number;

  beforeAll(async () => {
    const org = await createOrganization();
    actor = { organizationId: org.id, userId: (await createUser(org.id, "gestor")).id };
    const other = await createOrganization();
    [{ id: tagId }] = await getDb().insert(tags).values({ organizationId: org.id, name: "vip" }).returning();
    [{ id: foreignTagId }] = await getDb().insert(tags).values({ organizationId: other.id, name: "vip" }).returning();
  });

  it("saves a validated filter under a unique name (case-insensitive)", async () => {
    const { id } = await saveAudience(getDb(), actor, null, { name: "Oferta especial maio", filter: { version: 1, tags: { any: [tagId] }, states: ["SP"] } });
    const [row] = await getDb().select().from(audiences).where(eq(audiences.id, id));
    expect(row).toMatchObject({ name: "Oferta especial maio", filterVersion: 1, createdByUserId: actor.userId, filter: { version: 1, tags: { any: [tagId] }, states: ["SP"] } });
    await expect(saveAudience(getDb(), actor, null, { name: "OFERTA ESPECIAL MAIO", filter: { version: 1 } })).rejects.toMatchObject({
      code: "conflict",
      fieldErrors: { name: ["Escolha outro nome: já existe uma lista assim."] },
    });
  });

  it("refuses another organization's etiqueta, an unknown version and an inverted period, in Portuguese", async () => {
    await expect(saveAudience(getDb(), actor, null, { name: "x", filter: { version: 1, tags: { any: [foreignTagId] } } })).rejects.toMatchObject({
      message: expect.stringMatching(/não existe nesta organização/),
    });
    await expect(saveAudience(getDb(), actor, null, { name: "x", filter: { version: 9 } })).rejects.toMatchObject({
      message: expect.stringMatching(/Versão de filtro desconhecida/),
    });
    await expect(
      saveAudience(getDb(), actor, null, { name: "x", filter: { version: 1, period: { field: "created_at", from: "2026-05-10", to: "2026-05-01" } } }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/anterior à inicial/) });
  });

  it("duplicates with a free name and refuses to delete a list a scheduled campaign uses", async () => {
    const { id } = await saveAudience(getDb(), actor, null, { name: "Base SP", filter: { version: 1, states: ["SP"] } });
    const copy = await duplicateAudience(getDb(), actor, id);
    const copy2 = await duplicateAudience(getDb(), actor, id);
    const names = (await getDb().select().from(audiences).where(eq(audiences.organizationId, actor.organizationId))).map((a) => a.name);
    expect(names).toEqual(expect.arrayContaining(["Base SP (cópia)", "Base SP (cópia 2)"]));
    expect(copy.id).not.toBe(copy2.id);

    const db = getDb();
    const [chip] = await db.insert(chips).values({ organizationId: actor.organizationId, name: "c", displayNumber: "+551140000000", phoneNumberId: `p${Date.now()}`, wabaId: "w", accessTokenEncrypted: "x" }).returning();
    const [tpl] = await db.insert(templates).values({ organizationId: actor.organizationId, wabaId: "w", name: "t", category: "marketing", status: "approved" }).returning();
    await db.insert(campaigns).values({ organizationId: actor.organizationId, name: "Black Friday", chipId: chip!.id, templateId: tpl!.id, audienceId: id, status: "scheduled" });
    await expect(deleteAudience(db, actor, id)).rejects.toMatchObject({ code: "conflict", message: expect.stringMatching(/em uso pela campanha “Black Friday”/) });
    await deleteAudience(db, actor, copy.id);
    expect(await db.select().from(audiences).where(eq(audiences.id, copy.id))).toEqual([]);
  });
});
