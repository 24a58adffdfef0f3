import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq, ne, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db/client";
import {
  campaignRecipients,
  campaigns,
  chatbotFlows,
  chips,
  consentEvents,
  contactChips,
  contacts,
  inboundMessages,
  templates,
  flowStarts,
} from "@/db/schema";
import { DEMO_CHIPS } from "@/db/seed";
import { encryptSecret, generateKey } from "@/lib/crypto";
import { createWhatsAppClient } from "@/lib/whatsapp/client";
import { HANDOFF_ATTEMPTS, runFlowStart, signHandoff, sweepFlowStarts } from "@/lib/whatsapp/flow-routing";
import { clearChipCache } from "@/lib/whatsapp/process-webhook";
import { signPayload } from "@/lib/whatsapp/signature";
import { handleWebhookPost, handleWebhookVerification } from "@/lib/whatsapp/webhook-handler";
import { demoSimulatorConfig } from "@/scripts/whatsapp-simulator/default-config";
import { startSimulator, type RunningSimulator } from "@/scripts/whatsapp-simulator/server";
import { createOrganization } from "./support/fixtures";

const SECRET = "app-secret-de-teste";
const key = generateKey();
const PNID: string = DEMO_CHIPS[0].phoneNumberId;
let orgId: string;
let chipId: number;
let campaignId: number;
let optinCampaignId: number;
let flowId: number;
let seq = 0;

const ts = () => String(Math.floor(Date.now() / 1000));
const envelope = (value: Record<string, unknown>, phoneNumberId = PNID) => ({
  object: "whatsapp_business_account",
  entry: [
    {
      id: "200000000000001",
      changes: [
        {
          field: "messages",
          value: { messaging_product: "whatsapp", metadata: { display_phone_number: "551140001000", phone_number_id: phoneNumberId }, ...value },
        },
      ],
    },
  ],
});
const statusBody = (wamid: string, status: string, extra: Record<string, unknown> = {}, phoneNumberId?: string) =>
  envelope({ statuses: [{ id: wamid, status, timestamp: ts(), recipient_id: "5511987650000", ...extra }] }, phoneNumberId);
const messageBody = (from: string, text: string, extra: Record<string, unknown> = {}) =>
  envelope({
    contacts: [{ profile: { name: "Fulana" }, wa_id: from }],
    messages: [{ from, id: `wamid.in.${++seq}.${Date.now()}`, timestamp: ts(), type: "text", text: { body: text }, ...extra }],
  });
const post = (body: unknown, opts: { secret?: string; raw?: Buffer } = {}) => {
  const raw = opts.raw ?? Buffer.from(JSON.stringify(body));
  return handleWebhookPost(getDb(), raw, signPayload(raw, opts.secret ?? SECRET), SECRET);
};

const newContact = async (phone: string, optIn: "opted_in" | "none" = "opted_in") =>
  (await getDb().insert(contacts).values({ organizationId: orgId, name: `Contato ${phone}`, phone, optInStatus: optIn }).returning())[0]!;
const newRecipient = async (contactId: number, phone: string | null, wamid: string | null, campaign = campaignId, status: "sending" | "sent" = "sent") =>
  (
    await getDb()
      .insert(campaignRecipients)
      .values({ organizationId: orgId, campaignId: campaign, contactId, chipId, phone, wamid, status, sentAt: status === "sent" ? new Date() : null })
      .returning()
  )[0]!;
const recipient = async (id: number) => (await getDb().select().from(campaignRecipients).where(eq(campaignRecipients.id, id)))[0]!;
const contact = async (id: number) => (await getDb().select().from(contacts).where(eq(contacts.id, id)))[0]!;

beforeAll(async () => {
  clearChipCache();
  const org = await createOrganization();
  orgId = org.id;
  const db = getDb();
  [{ id: chipId }] = await db
    .insert(chips)
    .values({ organizationId: orgId, name: "Vendas", displayNumber: "+551140001000", phoneNumberId: PNID, wabaId: DEMO_CHIPS[0].wabaId, accessTokenEncrypted: encryptSecret(DEMO_CHIPS[0].accessToken, key) })
    .returning();
  const [tpl] = await db.insert(templates).values({ organizationId: orgId, wabaId: "w", name: "promo_black_friday", category: "marketing", status: "approved" }).returning();
  const [optinTpl] = await db.insert(templates).values({ organizationId: orgId, wabaId: "w", name: "boas_vindas_optin", category: "marketing", status: "approved", isOptInRequest: true }).returning();
  [{ id: flowId }] = await db.insert(chatbotFlows).values({ organizationId: orgId, name: "Comercial", entryMessage: "Olá! Um consultor já vai te atender." }).returning();
  [{ id: campaignId }] = await db.insert(campaigns).values({ organizationId: orgId, name: "Black Friday", chipId, templateId: tpl!.id, flowId, status: "sending" }).returning();
  [{ id: optinCampaignId }] = await db.insert(campaigns).values({ organizationId: orgId, name: "Opt-in", chipId, templateId: optinTpl!.id, status: "sending" }).returning();
});

describe("webhook: refusals (nothing written)", () => {
  const count = async () => (await getDb().select().from(inboundMessages)).length;

  it("401 without a signature, with another secret, or with the body altered after signing; 400 for malformed JSON, 413 for a 5 MB body", async () => {
    const before = await count();
    const raw = Buffer.from(JSON.stringify(messageBody("5511912340000", "oi")));
    expect((await handleWebhookPost(getDb(), raw, null, SECRET)).status).toBe(401);
    expect((await post(null, { raw, secret: "outro-segredo" })).status).toBe(401);
    const signature = signPayload(raw, SECRET);
    const altered = Buffer.from(raw.toString().replace("oi", "oI"));
    expect((await handleWebhookPost(getDb(), altered, signature, SECRET)).status).toBe(401);
    expect((await handleWebhookPost(getDb(), raw, "sha1=abc", SECRET)).status).toBe(401);
    expect((await post(null, { raw: Buffer.from("{not json") })).status).toBe(400);
    expect((await post(null, { raw: Buffer.alloc(5 * 1024 * 1024, 32) })).status).toBe(413);
    expect(await count()).toBe(before);
  });

  it("200 and nothing written for an unknown phone_number_id or an unknown wamid", async () => {
    const before = await count();
    const unknownNumber = await post(envelope({ messages: [{ from: "5511912340000", id: "wamid.x", timestamp: ts(), type: "text", text: { body: "oi" } }] }, "999999999"));
    expect(unknownNumber).toMatchObject({ status: 200, outcome: { unknownNumbers: 1, messagesStored: 0 } });
    const unknownWamid = await post(statusBody("wamid.nao-existe", "delivered"));
    expect(unknownWamid).toMatchObject({ status: 200, outcome: { statusesIgnored: 1, statusesApplied: 0 } });
    expect(await count()).toBe(before);
  });

  it("answers Meta's verification handshake only with the right token", () => {
    const ok = new URLSearchParams({ "hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "1158201444" });
    expect(handleWebhookVerification(ok, "tok")).toEqual({ status: 200, body: "1158201444" });
    expect(handleWebhookVerification(ok, "outro").status).toBe(403);
  });
});

describe("webhook: statuses only move forward", () => {
  it("read before delivered implies delivery; late or repeated statuses change nothing", async () => {
    const c = await newContact("+5511987650001");
    const r = await newRecipient(c.id, c.phone, "wamid.fw.1");
    await post(statusBody("wamid.fw.1", "read"));
    const afterRead = await recipient(r.id);
    expect(afterRead.status).toBe("read");
    expect(afterRead.deliveredAt).toBeInstanceOf(Date);
    expect(afterRead.readAt).toBeInstanceOf(Date);
    await post(statusBody("wamid.fw.1", "delivered"));
    await post(statusBody("wamid.fw.1", "sent"));
    await post(statusBody("wamid.fw.1", "read"));
    await post(statusBody("wamid.fw.1", "failed", { errors: [{ code: 131026, title: "Message undeliverable" }] }));
    const final = await recipient(r.id);
    expect(final).toMatchObject({ status: "read", errorCode: null, failedAt: null });
    expect(final.readAt).toEqual(afterRead.readAt);
  });

  it("a status that arrives before the send's answer finds its recipient by biz_opaque_callback_data and records the wamid", async () => {
    const c = await newContact("+5511987650002");
    const r = await newRecipient(c.id, c.phone, null, campaignId, "sending");
    const res = await post(statusBody("wamid.cb.2", "sent", { biz_opaque_callback_data: String(r.id) }));
    expect(res.outcome?.statusesApplied).toBe(1);
    expect(await recipient(r.id)).toMatchObject({ status: "sent", wamid: "wamid.cb.2" });
  });

  it("failed records code and message; 131050 also opts the contact out with a consent event", async () => {
    const c = await newContact("+5511987650003");
    const r = await newRecipient(c.id, c.phone, "wamid.f.3");
    await post(statusBody("wamid.f.3", "failed", { errors: [{ code: 131050, title: "User stopped marketing messages", message: "x" }] }));
    expect(await recipient(r.id)).toMatchObject({ status: "failed", errorCode: 131050 });
    expect((await contact(c.id)).optInStatus).toBe("opted_out");
    const events = await getDb().select().from(consentEvents).where(eq(consentEvents.contactId, c.id));
    expect(events).toMatchObject([{ status: "opted_out", source: "api_error", campaignId, chipId }]);
  });
});

describe("webhook: a failed row, a callback that names another message, an absurd timestamp", () => {
  const warnings = async (run: () => Promise<unknown>) => {
    const spy = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      await run();
      return spy.mock.calls.map((c) => String(c[0]));
    } finally {
      spy.mockRestore();
    }
  };

  it("a read (or delivered) after failed leaves the row failed with no delivered or read time", async () => {
    const c = await newContact("+5511987650011");
    const r = await newRecipient(c.id, c.phone, "wamid.failedread.1");
    await post(statusBody("wamid.failedread.1", "failed", { errors: [{ code: 131026, title: "Message undeliverable" }] }));
    await post(statusBody("wamid.failedread.1", "delivered"));
    await post(statusBody("wamid.failedread.1", "read"));
    expect(await recipient(r.id)).toMatchObject({ status: "failed", errorCode: 131026, deliveredAt: null, readAt: null });
  });

  it("a status whose callback data names a recipient with another wamid is ignored and logged, never applied to it", async () => {
    const c1 = await newContact("+5511987650012");
    const c2 = await newContact("+5511987650013");
    const r1 = await newRecipient(c1.id, c1.phone, "wamid.cbx.1");
    const r2 = await newRecipient(c2.id, c2.phone, "wamid.cbx.2");
    let res: Awaited<ReturnType<typeof post>> | undefined;
    const lines = await warnings(async () => {
      res = await post(statusBody("wamid.cbx.2", "failed", { biz_opaque_callback_data: String(r1.id), errors: [{ code: 131050, title: "Stopped" }] }));
    });
    expect(res).toMatchObject({ status: 200, outcome: { statusesApplied: 0, statusesIgnored: 1, optOuts: 0 } });
    expect(await recipient(r1.id)).toMatchObject({ status: "sent", wamid: "wamid.cbx.1", errorCode: null, failedAt: null });
    expect(await recipient(r2.id)).toMatchObject({ status: "sent", errorCode: null });
    expect((await contact(c1.id)).optInStatus).toBe("opted_in");
    expect(lines.filter((l) => l.includes(`biz_opaque_callback_data ${r1.id}`) && l.includes("wamid.cbx.2"))).toHaveLength(1);
  });

  it("a row without a wamid yet is not given a wamid that names another recipient: 200, ignored (Meta would re-deliver a 500 forever)", async () => {
    const c1 = await newContact("+5511987650014");
    const c2 = await newContact("+5511987650015");
    const orphan = await newRecipient(c1.id, c1.phone, null, campaignId, "sending");
    const owner = await newRecipient(c2.id, c2.phone, "wamid.cbx.3");
    const res = await post(statusBody("wamid.cbx.3", "delivered", { biz_opaque_callback_data: String(orphan.id) }));
    expect(res).toMatchObject({ status: 200, outcome: { statusesApplied: 0, statusesIgnored: 1 } });
    expect(await recipient(orphan.id)).toMatchObject({ status: "sending", wamid: null, deliveredAt: null });
    expect(await recipient(owner.id)).toMatchObject({ status: "sent", deliveredAt: null });
  });

  it("an absurd timestamp answers 200 with one log line: the status is skipped, a message kept with its arrival time", async () => {
    const c = await newContact("+5511987650016");
    const r = await newRecipient(c.id, c.phone, "wamid.ts.1");
    const results: Awaited<ReturnType<typeof post>>[] = [];
    const lines = await warnings(async () => {
      results.push(await post(statusBody("wamid.ts.1", "delivered", { timestamp: "99999999999999" })));
      results.push(await post(statusBody("wamid.ts.1", "read", { timestamp: -5 })));
      results.push(await post(messageBody("5511987650016", "SAIR", { timestamp: "99999999999999" })));
    });
    expect(results.map((x) => x.status)).toEqual([200, 200, 200]);
    expect(await recipient(r.id)).toMatchObject({ status: "sent", deliveredAt: null, readAt: null });
    expect(results[2]!.outcome).toMatchObject({ messagesStored: 1, optOuts: 1 });
    const [stored] = await getDb().select().from(inboundMessages).where(eq(inboundMessages.contactId, c.id));
    expect(Math.abs(stored!.receivedAt.getTime() - Date.now())).toBeLessThan(60_000);
    expect((await contact(c.id)).optInStatus).toBe("opted_out");
    const about = lines.filter((l) => l.includes("timestamp inválido"));
    expect(about).toHaveLength(3); // one line per webhook
    expect(about[0]).toContain("wamid.ts.1");
  });
});

// Since April 2026 Meta names every user by a business-scoped user id (BSUID), and a user with a username may
// write without a phone number (docs/decisions/0006-bsuid.md).
describe("webhook: business-scoped user ids and usernames", () => {
  const usernameMessage = (bsuid: string, text: string, extra: Record<string, unknown> = {}, username = "@bia.compras") =>
    envelope({
      contacts: [{ profile: { name: "Bia", username }, user_id: bsuid }],
      messages: [{ from_user_id: bsuid, id: `wamid.in.${++seq}.${Date.now()}`, timestamp: ts(), type: "text", text: { body: text }, ...extra }],
    });
  const byBsuid = async (bsuid: string) =>
    getDb().select().from(contacts).where(and(eq(contacts.organizationId, orgId), eq(contacts.bsuid, bsuid)));

  it("a user with a username and no phone becomes a contact found by BSUID; their SAIR opts that contact out", async () => {
    const bsuid = "BR.1502576394655843";
    const first = await post(usernameMessage(bsuid, "Oi, vi o anúncio"));
    expect(first).toMatchObject({ status: 200, outcome: { messagesStored: 1 } });
    const [created] = await byBsuid(bsuid);
    expect(created).toMatchObject({ phone: null, bsuid, username: "@bia.compras", name: "Bia", optInStatus: "none", chipIds: [chipId] });

    const out = await post(usernameMessage(bsuid, "SAIR"));
    expect(out.outcome).toMatchObject({ messagesStored: 1, optOuts: 1 });
    expect(await byBsuid(bsuid)).toHaveLength(1);
    expect((await contact(created!.id)).optInStatus).toBe("opted_out");
    const events = await getDb().select().from(consentEvents).where(eq(consentEvents.contactId, created!.id));
    expect(events).toMatchObject([{ status: "opted_out", source: "keyword", chipId, textShown: "Respondeu “SAIR”" }]);
    const stored = await getDb().select().from(inboundMessages).where(eq(inboundMessages.contactId, created!.id));
    expect(stored.map((m) => m.fromPhone)).toEqual([null, null]);
  });

  it("a contact known by phone learns its BSUID from a message (ninth-digit-safe); its later message without a phone finds it", async () => {
    const c = await newContact("+5511987650021");
    const bsuid = "BR.2000000000000021";
    await post(
      envelope({
        contacts: [{ profile: { name: "Carla" }, wa_id: "551187650021", user_id: bsuid }],
        messages: [{ from: "551187650021", from_user_id: bsuid, id: `wamid.in.${++seq}`, timestamp: ts(), type: "text", text: { body: "oi" } }],
      }),
    );
    expect(await contact(c.id)).toMatchObject({ phone: "+5511987650021", bsuid, username: null });
    // Later she adopts a username and Meta stops sending her number.
    const r = await newRecipient(c.id, c.phone, "wamid.bsuid.21");
    const res = await post(usernameMessage(bsuid, "PARAR", { context: { from: "551140001000", id: "wamid.bsuid.21" } }, "@carla"));
    expect(res.outcome).toMatchObject({ messagesStored: 1, optOuts: 1, routings: [] });
    expect(await byBsuid(bsuid)).toHaveLength(1);
    expect(await contact(c.id)).toMatchObject({ optInStatus: "opted_out", username: "@carla", phone: "+5511987650021" });
    expect((await recipient(r.id)).repliedAt).toBeInstanceOf(Date);
  });

  it("a status with recipient_user_id and no phone is matched, and its contact learns the BSUID for a later message", async () => {
    const c = await newContact("+5511987650022");
    const r = await newRecipient(c.id, c.phone, "wamid.bsuid.22");
    const bsuid = "BR.2000000000000022";
    const res = await post(
      envelope({
        contacts: [{ profile: { username: "@dani" }, user_id: bsuid }],
        statuses: [{ id: "wamid.bsuid.22", status: "delivered", timestamp: ts(), recipient_user_id: bsuid, biz_opaque_callback_data: String(r.id) }],
      }),
    );
    expect(res.outcome).toMatchObject({ statusesApplied: 1, statusesIgnored: 0 });
    expect(await recipient(r.id)).toMatchObject({ status: "delivered" });
    expect(await contact(c.id)).toMatchObject({ bsuid, username: "@dani" });
    // The LGPD case: her "SAIR" without a phone opts out the contact campaigns reach, not a new one.
    const out = await post(usernameMessage(bsuid, "SAIR"));
    expect(out.outcome).toMatchObject({ optOuts: 1 });
    expect((await contact(c.id)).optInStatus).toBe("opted_out");
    expect(await byBsuid(bsuid)).toHaveLength(1);
  });

  it("a BSUID already held by another contact is not copied: the phone's contact is matched, the other left alone", async () => {
    const bsuid = "BR.2000000000000023";
    await post(usernameMessage(bsuid, "oi"));
    const [usernameOnly] = await byBsuid(bsuid);
    const c = await newContact("+5511987650023");
    await post(
      envelope({
        contacts: [{ profile: { name: "Eva" }, wa_id: "5511987650023", user_id: bsuid }],
        messages: [{ from: "5511987650023", from_user_id: bsuid, id: `wamid.in.${++seq}`, timestamp: ts(), type: "text", text: { body: "SAIR" } }],
      }),
    );
    expect(await contact(c.id)).toMatchObject({ optInStatus: "opted_out", bsuid: null });
    expect(await contact(usernameOnly!.id)).toMatchObject({ bsuid, optInStatus: "none" });
  });
});

describe("webhook: inbound messages", () => {
  it("a reply quoting the campaign message marks it replied, routes to the flow once, and a re-delivery changes nothing", async () => {
    const c = await newContact("+5511987650004");
    const r = await newRecipient(c.id, c.phone, "wamid.reply.4");
    const body = messageBody("5511987650004", "Quero saber mais", { type: "button", text: undefined, button: { text: "Quero saber mais", payload: "saber-mais" }, context: { from: "551140001000", id: "wamid.reply.4" } });
    const first = await post(body);
    expect(first.outcome).toMatchObject({ messagesStored: 1, routings: [{ flowId, recipientId: r.id, contactId: c.id }] });
    const after = await recipient(r.id);
    expect(after.repliedAt).toBeInstanceOf(Date);
    expect(after.routedFlowId).toBe(flowId);
    const again = await post(body);
    expect(again.outcome).toMatchObject({ messagesStored: 0, duplicates: 1, routings: [] });
    const stored = await getDb().select().from(inboundMessages).where(eq(inboundMessages.contactId, c.id));
    expect(stored).toMatchObject([{ campaignRecipientId: r.id, text: "Quero saber mais", type: "button" }]);
  });

  it("matches a wa_id without the ninth digit to the stored contact and registers it on the chip", async () => {
    const c = await newContact("+5511987650005");
    await post(messageBody("551187650005", "Oi, tudo bem?"));
    expect((await getDb().select().from(contacts).where(eq(contacts.organizationId, orgId))).filter((x) => x.phone?.endsWith("87650005"))).toHaveLength(1);
    const reg = await getDb().select().from(contactChips).where(and(eq(contactChips.contactId, c.id), eq(contactChips.chipId, chipId)));
    expect(reg).toMatchObject([{ registered: true }]);
    expect((await contact(c.id)).lastInteractionAt).toBeInstanceOf(Date);
    expect((await contact(c.id)).chipIds).toEqual([chipId]);
  });

  it("keeps contacts.chip_ids equal to the registrations: a new number, a contact of another chip, a re-delivery", async () => {
    const db = getDb();
    const [other] = await db
      .insert(chips)
      .values({ organizationId: orgId, name: "Outro", displayNumber: "+55 11 4000-9999", phoneNumberId: `outro-${orgId}`, wabaId: "w", accessTokenEncrypted: "x" })
      .returning({ id: chips.id });
    const known = await newContact("+5511987650031");
    await db.insert(contactChips).values({ organizationId: orgId, contactId: known.id, chipId: other!.id, registered: true });
    const body = messageBody("5511987650031", "Oi");
    await post(body);
    await post(body);
    await post(messageBody("5511987650032", "Olá, vi o anúncio"));
    const mismatched = await db.execute<{ id: number }>(sql`
      select id from contacts where organization_id = ${orgId}::uuid and chip_ids is distinct from contact_chip_ids(id)`);
    expect(mismatched).toHaveLength(0);
    expect((await contact(known.id)).chipIds).toEqual([chipId, other!.id].sort((a, b) => a - b));
    const [created] = await db.select().from(contacts).where(and(eq(contacts.organizationId, orgId), eq(contacts.phone, "+5511987650032")));
    expect(created!.chipIds).toEqual([chipId]);
  });

  it.each(["SAIR", "sair", "Sáir!", "PARAR.", "stop", "Cancelar", "DESCADASTRAR"])("%j opts the contact out, with history, and is not routed", async (word) => {
    const phone = `+55119876${String(++seq).padStart(5, "0")}`;
    const c = await newContact(phone);
    const r = await newRecipient(c.id, phone, `wamid.out.${seq}`);
    const res = await post(messageBody(phone.slice(1), word, { context: { from: "551140001000", id: `wamid.out.${seq}` } }));
    expect(res.outcome).toMatchObject({ optOuts: 1, routings: [] });
    expect((await contact(c.id)).optInStatus).toBe("opted_out");
    expect((await recipient(r.id)).routedFlowId).toBeNull();
    const events = await getDb().select().from(consentEvents).where(eq(consentEvents.contactId, c.id));
    expect(events).toMatchObject([{ status: "opted_out", source: "keyword", chipId, campaignId }]);
  });

  it("a new number that writes in becomes a contact without opt-in; answering SIM to an opt-in template opts in", async () => {
    await post(messageBody("5521976540000", "Olá, vi o anúncio"));
    const [created] = await getDb().select().from(contacts).where(and(eq(contacts.organizationId, orgId), eq(contacts.phone, "+5521976540000")));
    expect(created).toMatchObject({ name: "Fulana", optInStatus: "none" });

    const c = await newContact("+5531976540001", "none");
    await newRecipient(c.id, c.phone, "wamid.optin.1", optinCampaignId);
    const res = await post(messageBody("5531976540001", "Sim", { context: { from: "551140001000", id: "wamid.optin.1" } }));
    expect(res.outcome?.optIns).toBe(1);
    expect(await contact(c.id)).toMatchObject({ optInStatus: "opted_in", optInSource: "optin_template" });
    const events = await getDb().select().from(consentEvents).where(eq(consentEvents.contactId, c.id));
    expect(events).toMatchObject([{ status: "opted_in", source: "optin_template", campaignId: optinCampaignId, textShown: "Respondeu “Sim” ao template boas_vindas_optin" }]);
  });

  it("SIM to a campaign that did not ask for opt-in consents to nothing, and the reply is routed to the flow", async () => {
    const c = await newContact("+5531976540002", "none");
    const r = await newRecipient(c.id, c.phone, "wamid.sim.2");
    const res = await post(messageBody("5531976540002", "Sim", { context: { from: "551140001000", id: "wamid.sim.2" } }));
    expect(res.outcome).toMatchObject({ optIns: 0, routings: [{ flowId, recipientId: r.id }] });
    expect((await contact(c.id)).optInStatus).toBe("none");
    expect(await getDb().select().from(consentEvents).where(eq(consentEvents.contactId, c.id))).toEqual([]);
  });

  it("a new number whose first message is SAIR is created opted out, with one consent event; saying it again adds none", async () => {
    await post(messageBody("5541976540003", "SAIR"));
    const [created] = await getDb().select().from(contacts).where(and(eq(contacts.organizationId, orgId), eq(contacts.phone, "+5541976540003")));
    expect(created).toMatchObject({ optInStatus: "opted_out", optInSource: "keyword" });
    expect(created!.optedOutAt).toBeInstanceOf(Date);
    const again = await post(messageBody("5541976540003", "parar"));
    expect(again.outcome).toMatchObject({ messagesStored: 1, optOuts: 0 });
    const events = await getDb().select().from(consentEvents).where(eq(consentEvents.contactId, created!.id));
    expect(events).toMatchObject([{ status: "opted_out", source: "keyword", textShown: "Respondeu “SAIR”" }]);
  });
});

describe("chatbot flow routing", () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ ...demoSimulatorConfig(), enforceServiceWindow: false });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it("sends the flow's entry message through the chip and a signed hand-off POST, retried until the bot answers", async () => {
    const received: { signature: string | undefined; body: string }[] = [];
    let failuresLeft = 2;
    const bot = createServer((req: IncomingMessage, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push({ signature: req.headers["x-disparo-signature"] as string | undefined, body });
        res.statusCode = failuresLeft-- > 0 ? 503 : 200;
        res.end();
      });
    });
    await new Promise<void>((r) => bot.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(bot.address() as AddressInfo).port}/bot`;
    await getDb().update(chatbotFlows).set({ endpointUrl: url, endpointSecretEncrypted: encryptSecret("segredo-do-bot", key) }).where(eq(chatbotFlows.id, flowId));

    const c = await newContact("+5511987659999");
    await newRecipient(c.id, c.phone, "wamid.flow.1");
    const res = await post(messageBody("5511987659999", "Tenho interesse", { context: { from: "551140001000", id: "wamid.flow.1" } }));
    const client = createWhatsAppClient({ baseUrl: sim.url, version: "v23.0" });
    const routing = res.outcome!.routings[0]!;
    const result = await runFlowStart(getDb(), client, key, routing.flowStartId, { backoffMs: 10, waitForRetries: true });
    bot.close();

    expect(result).toMatchObject({ status: "done", entry: "sent", handoff: "delivered", attempts: 3 });
    const [row] = await getDb().select().from(flowStarts).where(eq(flowStarts.id, routing.flowStartId));
    expect(row).toMatchObject({ status: "done", entryResult: "sent", handoffAttempts: 3, flowId, lockedUntil: null });
    expect(row!.entryWamid).toMatch(/^wamid\./);
    // Done means done: running it again does nothing.
    expect(await runFlowStart(getDb(), client, key, routing.flowStartId)).toBeNull();
    expect(sim.messages("5511987659999")).toMatchObject([{ type: "text" }]);
    expect(received).toHaveLength(3);
    expect(received[2]!.signature).toBe(signHandoff(received[2]!.body, "segredo-do-bot"));
    expect(JSON.parse(received[2]!.body)).toMatchObject({ contact: { phone: "+5511987659999" }, reply: { text: "Tenho interesse" } });
    expect(HANDOFF_ATTEMPTS).toBeGreaterThanOrEqual(3);
  });

  it("after a restart mid-send the entry message is never sent again, and the sweeper finishes the hand-off", async () => {
    const received: string[] = [];
    const bot = createServer((req: IncomingMessage, res) => {
      req.resume();
      req.on("end", () => {
        received.push(req.url ?? "");
        res.end();
      });
    });
    await new Promise<void>((r) => bot.listen(0, "127.0.0.1", r));
    await getDb().update(chatbotFlows).set({ endpointUrl: `http://127.0.0.1:${(bot.address() as AddressInfo).port}/bot` }).where(eq(chatbotFlows.id, flowId));
    const c = await newContact("+5511987658888");
    await newRecipient(c.id, c.phone, "wamid.flow.2");
    const res = await post(messageBody("5511987658888", "Quero", { context: { from: "551140001000", id: "wamid.flow.2" } }));
    const id = res.outcome!.routings[0]!.flowStartId;
    // Earlier tests' routings are not this test's business.
    await getDb().update(flowStarts).set({ status: "done" }).where(ne(flowStarts.id, id));
    // The process died after marking the send and before recording its answer; its lock has expired.
    await getDb().update(flowStarts).set({ status: "entry_sending", lockedUntil: new Date(Date.now() - 1000) }).where(eq(flowStarts.id, id));

    const client = createWhatsAppClient({ baseUrl: sim.url, version: "v23.0" });
    expect(await sweepFlowStarts(getDb(), client, key)).toBe(1);
    bot.close();
    const [row] = await getDb().select().from(flowStarts).where(eq(flowStarts.id, id));
    expect(row).toMatchObject({ status: "done", entryResult: "unknown", handoffAttempts: 1 });
    expect(sim.messages("5511987658888")).toEqual([]);
    expect(received).toEqual(["/bot"]);
  });

  it("a bot that keeps failing is retried later by the sweeper, counting attempts across runs, until it gives up", async () => {
    const bot = createServer((req: IncomingMessage, res) => {
      req.resume();
      req.on("end", () => {
        res.statusCode = 500;
        res.end();
      });
    });
    await new Promise<void>((r) => bot.listen(0, "127.0.0.1", r));
    await getDb().update(chatbotFlows).set({ endpointUrl: `http://127.0.0.1:${(bot.address() as AddressInfo).port}/bot` }).where(eq(chatbotFlows.id, flowId));
    const c = await newContact("+5511987657777");
    await newRecipient(c.id, c.phone, "wamid.flow.3");
    const res = await post(messageBody("5511987657777", "Oi", { context: { from: "551140001000", id: "wamid.flow.3" } }));
    const id = res.outcome!.routings[0]!.flowStartId;
    await getDb().update(flowStarts).set({ status: "done" }).where(ne(flowStarts.id, id));
    const client = createWhatsAppClient({ baseUrl: sim.url, version: "v23.0" });
    const row = async () => (await getDb().select().from(flowStarts).where(eq(flowStarts.id, id)))[0]!;

    expect(await runFlowStart(getDb(), client, key, id, { backoffMs: 60_000 })).toMatchObject({ status: "handoff", entry: "sent", handoff: "later", attempts: 1 });
    expect((await row()).nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
    expect(await runFlowStart(getDb(), client, key, id)).toBeNull(); // not due yet
    for (let attempt = 2; attempt <= HANDOFF_ATTEMPTS; attempt++) {
      await getDb().update(flowStarts).set({ nextAttemptAt: new Date(Date.now() - 1000) }).where(eq(flowStarts.id, id));
      await sweepFlowStarts(getDb(), client, key);
      expect(await row()).toMatchObject({ handoffAttempts: attempt, entryResult: "sent" });
    }
    bot.close();
    expect(await row()).toMatchObject({ status: "failed", lastError: "bot externo respondeu 500" });
    expect(sim.messages("5511987657777")).toHaveLength(1); // the entry message, once
  });
});
