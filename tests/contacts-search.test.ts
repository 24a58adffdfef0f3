import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { contacts, tags } from "@/db/schema";
import { listContacts, listTags, listTagsWithCounts, SHORT_SEARCH_COUNT_CAP } from "@/db/queries/contacts";
import { contactListFilterSchema } from "@/lib/contacts/schemas";
import { createOrganization } from "./support/fixtures";

// Contatos' search the way Brazilians type: without accents, in any case. And its column sort.

let orgId: string;
const search = (q: string, extra: Record<string, string> = {}) => listContacts(getDb(), orgId, contactListFilterSchema.parse({ q, ...extra }));

beforeAll(async () => {
  orgId = (await createOrganization("Busca Ltda")).id;
  const other = (await createOrganization("Outra Busca")).id;
  await getDb()
    .insert(contacts)
    .values([
      { organizationId: orgId, name: "João da Silva", phone: "+5511987650001", createdAt: new Date("2026-01-01T12:00:00Z") },
      { organizationId: orgId, name: "Conceição Araújo", phone: "+5511987650002", createdAt: new Date("2026-03-01T12:00:00Z") },
      { organizationId: orgId, name: "Joana 100% Silva", phone: "+5511987650003", createdAt: new Date("2026-02-01T12:00:00Z") },
      { organizationId: other, name: "João da Silva", phone: "+5511987650001" },
    ]);
});

describe("contact search", () => {
  it("finds an accented name typed without accents, and in capitals", async () => {
    expect((await search("Joao da Silva")).rows.map((r) => r.name)).toEqual(["João da Silva"]);
    expect((await search("CONCEICAO ARAUJO")).rows.map((r) => r.name)).toEqual(["Conceição Araújo"]);
    expect((await search("araújo")).rows.map((r) => r.name)).toEqual(["Conceição Araújo"]);
  });

  it("treats % and _ as the characters typed, and stays in the organization", async () => {
    expect((await search("100%")).rows.map((r) => r.name)).toEqual(["Joana 100% Silva"]);
    expect((await search("Jo_o")).rows).toHaveLength(0);
    expect((await search("silva")).total).toBe(2);
  });

  it("sorts by name either way and by date, newest first on request", async () => {
    expect((await search("", { sort: "name", dir: "desc" })).rows.map((r) => r.name)).toEqual(["João da Silva", "Joana 100% Silva", "Conceição Araújo"]);
    expect((await search("", { sort: "since", dir: "desc" })).rows.map((r) => r.name)).toEqual(["Conceição Araújo", "Joana 100% Silva", "João da Silva"]);
    // A made-up order falls back to names A→Z.
    expect((await search("", { sort: "phone; drop table contacts" })).rows[0]!.name).toBe("Conceição Araújo");
  });

  it("lists what a search found in the order a Brazilian reads it, accents and capitals ignored", async () => {
    const org = (await createOrganization("Busca ordem")).id;
    await getDb()
      .insert(contacts)
      .values(["Bruno Souza", "Ágata Souza", "agnes souza", "Álvaro Souza"].map((name, i) => ({ organizationId: org, name, phone: `+551198766000${i}` })));
    const found = await listContacts(getDb(), org, contactListFilterSchema.parse({ q: "souza" }));
    // Raw (C) order would put "Bruno" first and the accented names last.
    expect(found.rows.map((r) => r.name)).toEqual(["Ágata Souza", "agnes souza", "Álvaro Souza", "Bruno Souza"]);
    expect(found.total).toBe(4);
  });

  it("a search of one or two letters counts up to 10,000 and says there are more", async () => {
    const org = (await createOrganization("Busca curta")).id;
    await getDb()
      .insert(contacts)
      .values(Array.from({ length: SHORT_SEARCH_COUNT_CAP + 5 }, (_, i) => ({ organizationId: org, name: `Jo ${i}`, phone: `+55119${String(70_000_000 + i)}` })));
    const short = await listContacts(getDb(), org, contactListFilterSchema.parse({ q: "jo" }));
    expect(short).toMatchObject({ total: SHORT_SEARCH_COUNT_CAP, totalIsAtLeast: true });
    expect(short.rows).toHaveLength(50);
    const exact = await listContacts(getDb(), org, contactListFilterSchema.parse({ q: "jo 1000" }));
    // "Jo 1000" and "Jo 10000" to "Jo 10004".
    expect(exact).toMatchObject({ total: 6, totalIsAtLeast: false });
  });

  it("lists etiquetas in the order a Brazilian reads them, accents and capitals ignored", async () => {
    await getDb()
      .insert(tags)
      .values(["Calçados", "acessórios", "Bolsas", "água", "Acessorios"].map((name) => ({ organizationId: orgId, name, color: "#16a34a" })));
    const expected = ["Acessorios", "acessórios", "água", "Bolsas", "Calçados"];
    expect((await listTags(getDb(), orgId)).map((t) => t.name)).toEqual(expected);
    expect((await listTagsWithCounts(getDb(), orgId)).map((t) => t.name)).toEqual(expected);
  });
});
