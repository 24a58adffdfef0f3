import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { chips, contactChips, contacts } from "@/db/schema";
import { audienceBreakdown } from "@/lib/campaigns/audience";
import { createOrganization } from "./support/fixtures";

// A contact who wrote in by WhatsApp username only (a BSUID, no phone) cannot receive a template by phone: the
// confirmation screen counts it as "Telefone inválido", never as a recipient (it used to count as one, and the
// send then failed).

let orgId: string;
let chipId: number;

beforeAll(async () => {
  orgId = (await createOrganization("Sem telefone Ltda")).id;
  [{ id: chipId }] = await getDb()
    .insert(chips)
    .values({ organizationId: orgId, name: "Vendas", displayNumber: "+551140001000", phoneNumberId: "930000000000001", wabaId: "waba-1", accessTokenEncrypted: "x", status: "active", messagesPerSecond: 80 })
    .returning();
  const rows = await getDb()
    .insert(contacts)
    .values([
      { organizationId: orgId, name: "Ana com telefone", phone: "+5511987650001", state: "SP", optInStatus: "opted_in" },
      { organizationId: orgId, name: "ana.user", phone: null, bsuid: "BR.1234567890ABCDEF", username: "ana.user", state: "SP", optInStatus: "opted_in" },
    ])
    .returning();
  await getDb().insert(contactChips).values(rows.map((r) => ({ organizationId: orgId, contactId: r.id, chipId, registered: true })));
});

describe("contacts without a phone", () => {
  it("are skipped as an invalid phone, in every chip scope", async () => {
    const b = await audienceBreakdown(getDb(), {
      organizationId: orgId,
      filter: { version: 1, states: ["SP"], optIn: ["opted_in"] },
      timeZone: "America/Sao_Paulo",
      chipId,
      mapping: [],
      optInRequest: false,
      frequencyCap: null,
    });
    expect(b.listCount).toBe(2);
    for (const scope of ["this_chip", "both"] as const) {
      expect(b.scopes[scope].recipients, scope).toBe(1);
      expect(b.scopes[scope].skipped.invalid_phone, scope).toBe(1);
    }
  });
});
