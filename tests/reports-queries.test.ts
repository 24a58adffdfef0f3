import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { listReports, reportReplies, reportRows, reportTimeline, reportTotals } from "@/db/queries/reports";
import { campaignRecipients, campaigns, chatbotFlows, chips, consentEvents, contacts, inboundMessages, templates } from "@/db/schema";
import { generateKey } from "@/lib/crypto";
import { createOrganization } from "./support/fixtures";
import { sendingOrganization } from "./support/sending";

// What the report page and the Relatórios list show, against rows whose outcome the test wrote: totals and
// rates, Meta's billable count, the timeline's buckets, replies with their flow, the opt-outs the campaign caused,
// the table's reason filter, sort and search, and the list's filters on the organization's clock.

const SP = "America/Sao_Paulo";
const T0 = Date.parse("2026-11-20T13:00:00Z"); // 10:00 in São Paulo
const at = (minutes: number) => new Date(T0 + minutes * 60_000);
let orgId: string;
let chipId: number;
let templateId: number;
let campaignId: number;
let otherOrg: { orgId: string; campaignId: number };

type Row = { name: string; status: "read" | "delivered" | "sent" | "failed" | "skipped" | "indeterminate"; sent?: number; delivered?: number; read?: number; code?: number; skip?: "no_opt_in" | "frequency_cap"; billable?: boolean | null; reply?: string };
const ROWS: Row[] = [
  { name: "Ana", status: "read", sent: 0, delivered: 1, read: 30, billable: true, reply: "Quero saber mais" },
  { name: "Bruno", status: "read", sent: 0, delivered: 2, read: 185, billable: true },
  { name: "Carla", status: "delivered", sent: 1, delivered: 3, billable: true, reply: "SAIR" },
  { name: "Davi", status: "delivered", sent: 1, delivered: 4, billable: false },
  { name: "Elisa", status: "sent", sent: 2, billable: null },
  { name: "Fábio", status: "failed", code: 131026 },
  { name: "Gabi", status: "failed", code: 131049 },
  { name: "Heitor", status: "failed", code: 131049 },
  { name: "Íris", status: "skipped", skip: "no_opt_in" },
  { name: "João", status: "skipped", skip: "frequency_cap" },
  { name: "Kátia", status: "indeterminate", sent: 2 },
];

const campaignOf = async (org: string, chip: number, template: number, name: string, status: "completed" | "sending" | "draft", startedAt: Date | null, snapshotCount: number) => {
  const [c] = await getDb()
    .insert(campaigns)
    .values({ organizationId: org, name, chipId: chip, templateId: template, status, chipScope: "this_chip", startedAt, snapshotCount, estimate: { pricePerMessage: 0.5, costBrl: 4 } as never })
    .returning();
  return c!.id;
};

beforeAll(async () => {
  ({ orgId, chipId, templateId } = await sendingOrganization("Relatórios Consultas Ltda", generateKey(), { packageBalance: 0, autoIncreaseSize: 100 }));
  const db = getDb();
  const [flow] = await db.insert(chatbotFlows).values({ organizationId: orgId, name: "Fluxo Black Friday", entryMessage: "Olá!" }).returning();
  campaignId = await campaignOf(orgId, chipId, templateId, "Black Friday", "completed", at(0), ROWS.length);
  const people = await db
    .insert(contacts)
    .values(ROWS.map((r, i) => ({ organizationId: orgId, name: r.name, phone: `+55119876540${String(i).padStart(2, "0")}` })))
    .returning();
  const recipients = await db
    .insert(campaignRecipients)
    .values(
      ROWS.map((r, i) => ({
        organizationId: orgId,
        campaignId,
        contactId: people[i]!.id,
        chipId,
        phone: people[i]!.phone,
        variables: { header: [], body: [r.name] },
        status: r.status,
        skipReason: r.skip ?? null,
        errorCode: r.code ?? null,
        errorMessage: r.code ? "Message undeliverable" : null,
        wamid: r.sent !== undefined ? `wamid.rq.${i}` : null,
        sentAt: r.sent !== undefined ? at(r.sent) : null,
        deliveredAt: r.delivered !== undefined ? at(r.delivered) : null,
        readAt: r.read !== undefined ? at(r.read) : null,
        repliedAt: r.reply ? at(40) : null,
        routedFlowId: r.reply === "Quero saber mais" ? flow!.id : null,
        billable: r.billable ?? null,
      })),
    )
    .returning();
  await db.insert(inboundMessages).values(
    ROWS.flatMap((r, i) =>
      r.reply
        ? [{ organizationId: orgId, chipId, contactId: people[i]!.id, wamid: `wamid.in.${i}`, fromPhone: people[i]!.phone, type: r.reply === "SAIR" ? "text" : "button", text: r.reply, campaignRecipientId: recipients[i]!.id, receivedAt: at(40 + i) }]
        : [],
    ),
  );
  // Carla's SAIR (a keyword) and Fábio blocked marketing messages on WhatsApp (Meta's 131050); an opt-out of
  // another campaign does not count here.
  await db.insert(consentEvents).values([
    { organizationId: orgId, contactId: people[2]!.id, status: "opted_out", source: "keyword", chipId, campaignId },
    { organizationId: orgId, contactId: people[5]!.id, status: "opted_out", source: "api_error", chipId, campaignId },
    { organizationId: orgId, contactId: people[3]!.id, status: "opted_out", source: "keyword", chipId, campaignId: null },
  ]);
  // More campaigns of the organization: one sending on 25/11 (a São Paulo day that begins at 03:00 UTC), a draft.
  await campaignOf(orgId, chipId, templateId, "Aniversariantes", "sending", new Date("2026-11-25T02:30:00Z"), 0); // 24/11 23:30 in SP
  await campaignOf(orgId, chipId, templateId, "Rascunho", "draft", null, 0);
  const other = await createOrganization("Outra Empresa Relatórios");
  const [otherChip] = await db
    .insert(chips)
    .values({ organizationId: other.id, name: "Outro", displayNumber: "+55 11 4000-9999", phoneNumberId: "999000000000001", wabaId: "999000000000002", accessTokenEncrypted: "x" })
    .returning();
  const [otherTemplate] = await db
    .insert(templates)
    .values({ organizationId: other.id, wabaId: "999000000000002", name: "outro", category: "marketing", status: "approved", components: [], variables: [], variableCount: 0 })
    .returning();
  otherOrg = { orgId: other.id, campaignId: await campaignOf(other.id, otherChip!.id, otherTemplate!.id, "Black Friday da outra", "completed", at(0), 0) };
});

describe("campaign report", () => {
  it("totals: recipients by status, rates' parts, replies, Meta's billable count, failures by code and skips by reason", async () => {
    const t = await reportTotals(getDb(), orgId, campaignId);
    expect(t.total).toBe(11);
    expect(t.counts).toEqual({ read: 2, delivered: 2, sent: 1, failed: 3, skipped: 2, indeterminate: 1 });
    expect({ accepted: t.accepted, delivered: t.delivered, replied: t.replied }).toEqual({ accepted: 5, delivered: 4, replied: 2 });
    expect({ billable: t.billable, known: t.billableKnown }).toEqual({ billable: 3, known: 4 });
    expect(t.failures.map((f) => [f.status, f.code, f.n])).toEqual([
      ["failed", 131049, 2],
      ["failed", 131026, 1],
      ["indeterminate", null, 1],
    ]);
    expect(t.skips).toEqual(expect.arrayContaining([{ reason: "no_opt_in", n: 1 }, { reason: "frequency_cap", n: 1 }]));
    // Another organization's campaign id gives nothing.
    expect((await reportTotals(getDb(), otherOrg.orgId, campaignId)).total).toBe(0);
  });

  it("timeline: a span of about three hours in buckets of whole minutes, at most 60, every event counted once", async () => {
    const { bucketMinutes, buckets } = await reportTimeline(getDb(), orgId, campaignId);
    // Events from 10:00 to 13:05 (185 min): ceil(186 s·60 / 60 / 60) → 4-minute buckets, 47 of them.
    expect(bucketMinutes).toBe(4);
    expect(buckets.length).toBeLessThanOrEqual(60);
    expect(buckets[0]!.at).toBe(at(0).toISOString());
    expect(buckets.reduce((a, b) => a + b.sent, 0)).toBe(6); // Kátia's indeterminate row has a sent_at too
    expect(buckets.reduce((a, b) => a + b.delivered, 0)).toBe(4);
    expect(buckets.reduce((a, b) => a + b.read, 0)).toBe(2);
    expect(buckets[0]).toMatchObject({ sent: 6, delivered: 3, read: 0 }); // 10:00–10:03
    expect(buckets[1]).toMatchObject({ sent: 0, delivered: 1, read: 0 }); // Davi's, at 10:04
    expect(buckets.at(-1)).toMatchObject({ read: 1, at: at(184).toISOString() });
    expect((await reportTimeline(getDb(), otherOrg.orgId, campaignId)).buckets).toEqual([]);
  });

  it("replies with their flow, latest first; the opt-outs this campaign caused, by keyword and by Meta", async () => {
    const r = await reportReplies(getDb(), orgId, campaignId);
    expect(r.replies.map((x) => [x.name, x.text, x.type, x.flow])).toEqual([
      ["Carla", "SAIR", "text", null],
      ["Ana", "Quero saber mais", "button", "Fluxo Black Friday"],
    ]);
    expect(r.optOuts).toEqual({ total: 2, keyword: 1, metaBlocked: 1 });
    expect((await reportReplies(getDb(), otherOrg.orgId, campaignId)).replies).toEqual([]);
  });

  it("the table: filter by reason, status and search; sort by name or read time; another organization sees nothing", async () => {
    const names = async (f: Parameters<typeof reportRows>[3]) => (await reportRows(getDb(), orgId, campaignId, f)).rows.map((r) => r.name);
    expect(await names({ reason: "code:131049", page: 1 })).toEqual(["Gabi", "Heitor"]);
    expect(await names({ reason: "skip:frequency_cap", page: 1 })).toEqual(["João"]);
    expect(await names({ reason: "indeterminate", page: 1 })).toEqual(["Kátia"]);
    expect(await names({ reason: "skip:'; drop table contacts; --", page: 1 })).toEqual([]);
    expect(await names({ status: "read", sort: "name", dir: "desc", page: 1 })).toEqual(["Bruno", "Ana"]);
    expect((await names({ sort: "read", dir: "desc", page: 1 })).slice(0, 2)).toEqual(["Bruno", "Ana"]);
    expect(await names({ q: "87654003", page: 1 })).toEqual(["Davi"]);
    expect(await names({ q: "fáb", page: 1 })).toEqual(["Fábio"]);
    const page = await reportRows(getDb(), orgId, campaignId, { page: 1 });
    expect(page.total).toBe(11);
    expect((await reportRows(getDb(), otherOrg.orgId, campaignId, { page: 1 })).total).toBe(0);
  });
});

describe("Relatórios list", () => {
  it("every campaign past confirmation with its figures; filters by status, chip and a period on the organization's clock; sorts", async () => {
    const all = await listReports(getDb(), orgId, SP, { page: 1 });
    expect(all.rows.map((r) => r.name)).toEqual(["Aniversariantes", "Black Friday"]); // newest first, no draft
    expect(all.total).toBe(2);
    expect(all.rows[1]!.figures).toEqual({ recipients: 11, sent: 5, delivered: 4, read: 2, replied: 2, failed: 4, skipped: 2, billable: 3, optOuts: 2 });
    expect(all.rows[0]!.figures).toBeNull(); // no recipients yet
    expect((await listReports(getDb(), orgId, SP, { status: "completed", page: 1 })).rows.map((r) => r.name)).toEqual(["Black Friday"]);
    expect((await listReports(getDb(), orgId, SP, { chipId: chipId + 100_000, page: 1 })).total).toBe(0);
    // 25/11 02:30 UTC is still the 24th in São Paulo.
    expect((await listReports(getDb(), orgId, SP, { from: "2026-11-24", to: "2026-11-24", page: 1 })).rows.map((r) => r.name)).toEqual(["Aniversariantes"]);
    expect((await listReports(getDb(), orgId, SP, { from: "2026-11-25", page: 1 })).total).toBe(0);
    expect((await listReports(getDb(), orgId, SP, { to: "2026-11-20", page: 1 })).rows.map((r) => r.name)).toEqual(["Black Friday"]);
    expect((await listReports(getDb(), orgId, SP, { sort: "name", dir: "asc", page: 1 })).rows.map((r) => r.name)).toEqual(["Aniversariantes", "Black Friday"]);
    expect((await listReports(getDb(), orgId, SP, { sort: "recipients", dir: "desc", page: 1 })).rows.map((r) => r.name)).toEqual(["Black Friday", "Aniversariantes"]);
    expect((await listReports(getDb(), orgId, SP, { q: "outra", page: 1 })).total).toBe(0); // the other organization's
  });
});
