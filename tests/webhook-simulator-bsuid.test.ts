import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { campaignRecipients, campaigns, chips, consentEvents, contacts, templates } from "@/db/schema";
import { DEMO_CHIPS } from "@/db/seed";
import { encryptSecret, generateKey } from "@/lib/crypto";
import { createWhatsAppClient } from "@/lib/whatsapp/client";
import { clearChipCache } from "@/lib/whatsapp/process-webhook";
import { isWebhookRequest, serveWebhook } from "@/lib/whatsapp/webhook-http";
import { demoSimulatorConfig } from "@/scripts/whatsapp-simulator/default-config";
import { simulatorBsuid, startSimulator, type RunningSimulator } from "@/scripts/whatsapp-simulator/server";
import { createOrganization } from "./support/fixtures";

// The simulator speaks Meta's 2026 webhooks (a BSUID on every status and message; a user with a username writes
// without a phone number) to the app's production webhook path, end to end.

const SECRET = "app-secret-de-teste";
const demo = demoSimulatorConfig();
const VENDAS = demo.phoneNumbers[0]!;
// Julia is a customer known by phone who has adopted a username: Meta withholds her number from her messages.
const JULIA = "5511987650200";
const NOVO = "5511987650201";

let server: Server;
let sim: RunningSimulator;
let orgId: string;
let chipId: number;
let campaignId: number;

const contactsWhere = (cond: ReturnType<typeof eq>) => getDb().select().from(contacts).where(and(eq(contacts.organizationId, orgId), cond));

beforeAll(async () => {
  clearChipCache();
  const db = getDb();
  orgId = (await createOrganization()).id;
  [{ id: chipId }] = await db
    .insert(chips)
    .values({ organizationId: orgId, name: "Vendas", displayNumber: "+551140001000", phoneNumberId: DEMO_CHIPS[0].phoneNumberId, wabaId: DEMO_CHIPS[0].wabaId, accessTokenEncrypted: encryptSecret(DEMO_CHIPS[0].accessToken, generateKey()) })
    .returning();
  const [tpl] = await db.insert(templates).values({ organizationId: orgId, wabaId: "w", name: "lembrete_carrinho", category: "marketing", status: "approved" }).returning();
  [{ id: campaignId }] = await db.insert(campaigns).values({ organizationId: orgId, name: "Carrinho", chipId, templateId: tpl!.id, status: "sending" }).returning();

  server = createServer((req, res) => {
    if (isWebhookRequest(req)) void serveWebhook(req, res, { db: getDb, appSecret: () => SECRET, verifyToken: () => "tok" });
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  sim = await startSimulator({
    ...demo,
    phoneNumbers: [{ ...VENDAS, mps: 1000 }],
    webhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/whatsapp`,
    appSecret: SECRET,
    usernames: { [JULIA]: "@julia.compras" },
    // Every message read and answered "SAIR", well after its statuses.
    webhooks: { sentDelayMs: 10, deliveredDelayMs: 60, readDelayMs: 120, readShare: 1, replyShare: 1, optOutShare: 1, replyDelayMs: 250, retryDelaysMs: [50, 100] },
  });
});

afterAll(async () => {
  await sim?.stop();
  await new Promise<void>((r) => server.close(() => r()));
});

describe("the simulator's business-scoped user ids, through the app's webhook", () => {
  it("a customer who adopted a username: her statuses teach the contact its BSUID, and her SAIR without a phone opts it out", async () => {
    const db = getDb();
    const [julia] = await db.insert(contacts).values({ organizationId: orgId, name: "Júlia", phone: `+${JULIA}`, optInStatus: "opted_in" }).returning();
    const [r] = await db
      .insert(campaignRecipients)
      .values({ organizationId: orgId, campaignId, contactId: julia!.id, chipId, phone: julia!.phone, status: "sending" })
      .returning();
    const client = createWhatsAppClient({ baseUrl: sim.url, version: "v23.0" });
    const sent = await client.sendTemplate({
      phoneNumberId: VENDAS.phoneNumberId,
      accessToken: VENDAS.accessToken,
      to: JULIA,
      template: { name: "lembrete_carrinho", language: "pt_BR", bodyParameters: ["Júlia"] },
      bizOpaqueCallbackData: String(r!.id),
    });
    expect(sent.ok).toBe(true);
    await sim.idle(10_000);
    expect(sim.stats().webhooks).toMatchObject({ failed: 0, pending: 0 });

    const [row] = await db.select().from(campaignRecipients).where(eq(campaignRecipients.id, r!.id));
    expect(row).toMatchObject({ status: "read", repliedAt: expect.any(Date) });
    const bsuid = simulatorBsuid(JULIA);
    expect(await contactsWhere(eq(contacts.bsuid, bsuid))).toMatchObject([
      { id: julia!.id, phone: `+${JULIA}`, username: "@julia.compras", optInStatus: "opted_out", optInSource: "keyword" },
    ]);
    const events = await db.select().from(consentEvents).where(eq(consentEvents.contactId, julia!.id));
    expect(events).toMatchObject([{ status: "opted_out", source: "keyword", campaignId, chipId }]);
  });

  it("a new user with a username and no phone becomes a contact by BSUID, and SAIR opts that contact out", async () => {
    sim.inbound({ from: NOVO, username: "@novo.cliente", profileName: "Novo", text: "Oi, vi o anúncio" });
    await sim.idle(10_000);
    const bsuid = simulatorBsuid(NOVO);
    const [created] = await contactsWhere(eq(contacts.bsuid, bsuid));
    expect(created).toMatchObject({ phone: null, username: "@novo.cliente", name: "Novo", optInStatus: "none" });
    expect(await contactsWhere(eq(contacts.phone, `+${NOVO}`))).toEqual([]);

    sim.inbound({ from: NOVO, username: "@novo.cliente", text: "SAIR" });
    await sim.idle(10_000);
    expect(await contactsWhere(eq(contacts.bsuid, bsuid))).toMatchObject([{ id: created!.id, optInStatus: "opted_out" }]);
    expect(await getDb().select().from(consentEvents).where(eq(consentEvents.contactId, created!.id))).toMatchObject([
      { status: "opted_out", source: "keyword" },
    ]);
  });
});
