import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { contacts, tags } from "@/db/schema";
import { filterOptions, tagContactCounts } from "@/db/queries/audiences";
import { createOrganization } from "./support/fixtures";

// Segmentação's etiqueta pickers say how many contacts carry each etiqueta: read from the buckets the triggers
// keep, checked here against a plain count, before and after the contacts change.

describe("etiquetas with their contacts", () => {
  it("counts each etiqueta's contacts as a plain count does, and follows changes", async () => {
    const orgId = (await createOrganization("Etiquetas Contadas")).id;
    const [vip, loja, vazia] = await getDb()
      .insert(tags)
      .values(["VIP", "loja-física", "Vazia"].map((name) => ({ organizationId: orgId, name, color: "#16a34a" })))
      .returning();
    const rows = await getDb()
      .insert(contacts)
      .values(
        Array.from({ length: 30 }, (_, i) => ({
          organizationId: orgId,
          name: `Contato ${i}`,
          phone: `+55119876${String(i).padStart(5, "0")}`,
          state: i % 2 ? "SP" : "RJ",
          optInStatus: i % 3 ? ("opted_in" as const) : ("none" as const),
          tagIds: [...(i % 2 ? [vip!.id] : []), ...(i % 5 === 0 ? [loja!.id] : [])].sort((a, b) => a - b),
        })),
      )
      .returning();
    const plain = async () => {
      const r = await getDb().execute<{ id: number; n: number }>(sql`
        select t.id, (select count(*)::int from contacts c where c.organization_id = ${orgId} and c.tag_ids @> array[t.id]) as n
          from tags t where t.organization_id = ${orgId}`);
      return new Map(r.map((x) => [x.id, Number(x.n)]));
    };
    const counts = await tagContactCounts(getDb(), orgId);
    expect(counts.get(vip!.id)).toBe(15);
    expect(counts.get(loja!.id)).toBe(6);
    for (const [id, n] of await plain()) expect(counts.get(id) ?? 0).toBe(n);

    await getDb().update(contacts).set({ tagIds: [] }).where(eq(contacts.id, rows[1]!.id));
    expect((await tagContactCounts(getDb(), orgId)).get(vip!.id)).toBe(14);
    const options = await filterOptions(getDb(), orgId, { tagCounts: true });
    expect(options.tags.map((t) => [t.name, t.contacts])).toEqual([
      ["loja-física", 6],
      ["Vazia", 0],
      ["VIP", 14],
    ]);
    expect((await filterOptions(getDb(), orgId)).tags[0]!.contacts).toBeUndefined();
    expect(vazia).toBeTruthy();
  });
});
