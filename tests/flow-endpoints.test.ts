import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { campaignRecipients, campaigns, chatbotFlows, chips, contacts, flowStarts, templates } from "@/db/schema";
import { DEMO_CHIPS } from "@/db/seed";
import { encryptSecret, generateKey } from "@/lib/crypto";
import { flowSchema, saveFlow } from "@/lib/flows";
import { STRICT_ENDPOINT_POLICY, type EndpointPolicy } from "@/lib/net/endpoint";
import { createWhatsAppClient } from "@/lib/whatsapp/client";
import { runFlowStart } from "@/lib/whatsapp/flow-routing";
import { createOrganization, createUser } from "./support/fixtures";

// The chatbot hand-off cannot be pointed inside the network: on save (an admin's, https, a public address after
// resolving the name) and again when it runs (no redirect followed, the address checked on the connection).
// Names resolve through a stand-in lookup and every server here listens on 127.0.0.1: no packet leaves the machine.

const key = generateKey();
let orgId: string;
let admin: { organizationId: string; userId: string; role: "admin" };
let gestor: { organizationId: string; userId: string; role: "gestor" };
let chipId: number;
let templateId: number;
let n = 0;

const PUBLIC = "93.184.216.34";
const names: Record<string, string[]> = {
  "bot.exemplo.com.br": [PUBLIC],
  "outro-bot.exemplo.com.br": [PUBLIC],
  "interno.exemplo.com.br": ["10.0.0.7"],
  "metadados.exemplo.com.br": ["169.254.169.254"],
  localhost: ["127.0.0.1", "::1"],
};
const lookup: EndpointPolicy["lookup"] = async (host) => {
  const list = names[host];
  if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
  return list.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
};
/** Production's policy, resolving through the stand-in. */
const production: EndpointPolicy = { ...STRICT_ENDPOINT_POLICY, lookup };
const opts = { encryptionKey: key, endpointPolicy: production };
// Never called: every flow start below is past its entry message.
const client = createWhatsAppClient({ baseUrl: "http://127.0.0.1:9", version: "v23.0", timeoutMs: 500 });

const input = (over: Record<string, unknown>) => flowSchema.parse({ name: `Fluxo ${++n}`, entryMessage: "Olá! Já vamos te atender.", ...over });
const flowRow = async (id: number) => (await getDb().select().from(chatbotFlows).where(eq(chatbotFlows.id, id)))[0]!;
const flowCount = async () => (await getDb().select().from(chatbotFlows).where(eq(chatbotFlows.organizationId, orgId))).length;

const listen = async (handler: Parameters<typeof createServer>[1]) => {
  const server = createServer(handler);
  let connections = 0;
  server.on("connection", () => connections++);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, port: (server.address() as AddressInfo).port, connections: () => connections };
};
const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));

/** A reply routed to a flow whose entry message already went out: the next step is the hand-off POST. */
const handoffStart = async (endpointUrl: string) => {
  const db = getDb();
  const i = ++n;
  const [flow] = await db.insert(chatbotFlows).values({ organizationId: orgId, name: `Fluxo ${i}`, entryMessage: "Oi", endpointUrl }).returning();
  const [campaign] = await db
    .insert(campaigns)
    .values({ organizationId: orgId, name: `Campanha ${i}`, chipId, templateId, flowId: flow!.id, status: "sending" })
    .returning();
  const phone = `+55119876500${String(i).padStart(2, "0")}`;
  const [contact] = await db.insert(contacts).values({ organizationId: orgId, name: "Fulana", phone, optInStatus: "opted_in" }).returning();
  const [recipient] = await db
    .insert(campaignRecipients)
    .values({ organizationId: orgId, campaignId: campaign!.id, contactId: contact!.id, chipId, phone, wamid: `wamid.handoff.${i}`, status: "sent", sentAt: new Date() })
    .returning();
  const [start] = await db
    .insert(flowStarts)
    .values({ organizationId: orgId, campaignRecipientId: recipient!.id, flowId: flow!.id, chipId, contactId: contact!.id, status: "handoff", entryResult: "sent" })
    .returning();
  return start!.id;
};
const startRow = async (id: number) => (await getDb().select().from(flowStarts).where(eq(flowStarts.id, id)))[0]!;

beforeAll(async () => {
  const org = await createOrganization();
  orgId = org.id;
  admin = { organizationId: orgId, userId: (await createUser(orgId, "admin")).id, role: "admin" };
  gestor = { organizationId: orgId, userId: (await createUser(orgId, "gestor")).id, role: "gestor" };
  const db = getDb();
  [{ id: chipId }] = await db
    .insert(chips)
    .values({
      organizationId: orgId,
      name: "Vendas",
      displayNumber: "+551140001000",
      phoneNumberId: DEMO_CHIPS[0].phoneNumberId,
      wabaId: DEMO_CHIPS[0].wabaId,
      accessTokenEncrypted: encryptSecret(DEMO_CHIPS[0].accessToken, key),
    })
    .returning();
  [{ id: templateId }] = await db.insert(templates).values({ organizationId: orgId, wabaId: "w", name: "promo", category: "marketing", status: "approved" }).returning();
});

describe("saving a flow's endpoint", () => {
  it.each([
    ["http://2130706433/entrada", "loopback"],
    ["https://2130706433/entrada", "loopback"],
    ["https://0x7f.1/entrada", "loopback"],
    ["https://0177.0.0.1/entrada", "loopback"],
    ["https://[::ffff:127.0.0.1]/entrada", "loopback"],
    ["https://[::1]:8443/", "loopback"],
    ["https://localhost/entrada", "loopback"],
    ["https://10.1.2.3/", "rede privada"],
    ["https://interno.exemplo.com.br/", "interno.exemplo.com.br aponta para 10.0.0.7, um endereço de rede privada"],
    ["https://metadados.exemplo.com.br/latest/meta-data", "link-local"],
    ["https://192.168.0.1/", "rede privada"],
    ["https://[fd00::1]/", "rede privada"],
    ["http://bot.exemplo.com.br/entrada", "Use https://"],
    ["https://nao-existe.exemplo.com.br/", "Não encontramos o endereço"],
  ])("refuses %s and saves nothing", async (endpointUrl, message) => {
    const before = await flowCount();
    await expect(saveFlow(getDb(), admin, null, input({ endpointUrl }), opts)).rejects.toMatchObject({
      code: "invalid",
      fieldErrors: { endpointUrl: [expect.stringContaining(message)] },
    });
    expect(await flowCount()).toBe(before);
  });

  it("refuses an internal address on an edit too, and keeps the endpoint it had", async () => {
    const { id } = await saveFlow(getDb(), admin, null, input({ endpointUrl: "https://bot.exemplo.com.br/entrada" }), opts);
    await expect(saveFlow(getDb(), admin, id, input({ endpointUrl: "https://0x7f000001/" }), opts)).rejects.toMatchObject({ code: "invalid" });
    expect((await flowRow(id)).endpointUrl).toBe("https://bot.exemplo.com.br/entrada");
  });

  it("only an admin sets, changes or removes the endpoint and its secret; a gestor edits the rest of the flow", async () => {
    // A gestor's flow without a bot: fine. With one: refused, nothing created.
    const plain = await saveFlow(getDb(), gestor, null, input({}), opts);
    expect((await flowRow(plain.id)).endpointUrl).toBeNull();
    const before = await flowCount();
    await expect(saveFlow(getDb(), gestor, null, input({ endpointUrl: "https://bot.exemplo.com.br/entrada" }), opts)).rejects.toMatchObject({
      code: "forbidden",
      message: expect.stringContaining("administrador"),
    });
    expect(await flowCount()).toBe(before);

    const { id } = await saveFlow(getDb(), admin, null, input({ endpointUrl: "https://bot.exemplo.com.br/entrada", endpointSecret: "segredo" }), opts);
    const secret = (await flowRow(id)).endpointSecretEncrypted;
    // The gestor's form has no endpoint fields: the name changes, the endpoint and the secret stay.
    await saveFlow(getDb(), gestor, id, input({ name: "Comercial (gestor)" }), opts);
    expect(await flowRow(id)).toMatchObject({ name: "Comercial (gestor)", endpointUrl: "https://bot.exemplo.com.br/entrada", endpointSecretEncrypted: secret });
    // The same URL posted back is no change.
    await saveFlow(getDb(), gestor, id, input({ name: "Comercial", endpointUrl: "https://bot.exemplo.com.br/entrada" }), opts);
    for (const change of [
      { endpointUrl: "https://outro-bot.exemplo.com.br/entrada" },
      { endpointUrl: "" },
      { endpointSecret: "outro" },
      { clearSecret: "on" },
    ])
      await expect(saveFlow(getDb(), gestor, id, input({ name: "Comercial", ...change }), opts), JSON.stringify(change)).rejects.toMatchObject({
        code: "forbidden",
      });
    expect(await flowRow(id)).toMatchObject({ name: "Comercial", endpointUrl: "https://bot.exemplo.com.br/entrada", endpointSecretEncrypted: secret });
    // The admin may.
    await saveFlow(getDb(), admin, id, input({ name: "Comercial", endpointUrl: "https://outro-bot.exemplo.com.br/entrada" }), opts);
    expect((await flowRow(id)).endpointUrl).toBe("https://outro-bot.exemplo.com.br/entrada");
    await saveFlow(getDb(), admin, id, input({ name: "Comercial", endpointUrl: "" }), opts);
    expect((await flowRow(id)).endpointUrl).toBeNull();
  });
});

describe("the hand-off", () => {
  // Development's exemption for this machine, so that a bot on 127.0.0.1 can answer at all.
  const dev: EndpointPolicy = { trustedDevHosts: ["127.0.0.1"], lookup };

  it.each([307, 302])("does not follow a %i redirect to an internal address: the hand-off fails at once", async (status) => {
    const internal = await listen((req, res) => {
      req.resume();
      res.end("ok");
    });
    const bot = await listen((req, res) => {
      req.resume();
      res.writeHead(status, { location: `http://127.0.0.1:${internal.port}/admin` }).end();
    });
    try {
      const id = await handoffStart(`http://127.0.0.1:${bot.port}/entrada`);
      const result = await runFlowStart(getDb(), client, key, id, { endpointPolicy: dev, backoffMs: 10, waitForRetries: true });
      expect(result).toMatchObject({ status: "failed", handoff: "failed", attempts: 1 });
      expect(internal.connections()).toBe(0);
      expect((await startRow(id)).lastError).toContain(`respondeu ${status} (redirecionamento não é seguido`);
    } finally {
      await close(bot.server);
      await close(internal.server);
    }
  });

  it("refuses, without connecting, an endpoint on this machine that was stored before the check existed", async () => {
    const bot = await listen((req, res) => {
      req.resume();
      res.end();
    });
    try {
      for (const url of [`http://127.0.0.1:${bot.port}/entrada`, `https://2130706433:${bot.port}/entrada`, `https://localhost:${bot.port}/entrada`]) {
        const id = await handoffStart(url);
        const result = await runFlowStart(getDb(), client, key, id, { endpointPolicy: production, backoffMs: 10, waitForRetries: true });
        expect(result, url).toMatchObject({ status: "failed", handoff: "failed", attempts: 1 });
        expect((await startRow(id)).lastError, url).toMatch(/^endereço do bot recusado: .*loopback/);
      }
      expect(bot.connections()).toBe(0);
    } finally {
      await close(bot.server);
    }
  });

  it("checks the name again when it runs: a name that now answers 127.0.0.1 (DNS rebinding) is refused, not connected to", async () => {
    const bot = await listen((req, res) => {
      req.resume();
      res.end();
    });
    const answers: Record<string, string[]> = { "rebind.exemplo.com.br": [PUBLIC] };
    const rebinding: EndpointPolicy = {
      trustedDevHosts: [],
      lookup: async (host) => (answers[host] ?? []).map((address) => ({ address, family: 4 })),
    };
    try {
      const url = `https://rebind.exemplo.com.br:${bot.port}/entrada`;
      const { id: flowId } = await saveFlow(getDb(), admin, null, input({ endpointUrl: url }), { encryptionKey: key, endpointPolicy: rebinding });
      expect((await flowRow(flowId)).endpointUrl).toBe(url);
      answers["rebind.exemplo.com.br"] = ["127.0.0.1"];
      const id = await handoffStart(url);
      const result = await runFlowStart(getDb(), client, key, id, { endpointPolicy: rebinding, backoffMs: 10, waitForRetries: true });
      expect(result).toMatchObject({ status: "failed", handoff: "failed", attempts: 1 });
      expect((await startRow(id)).lastError).toContain("rebind.exemplo.com.br aponta para 127.0.0.1, um endereço desta própria máquina (loopback)");
      expect(bot.connections()).toBe(0);
    } finally {
      await close(bot.server);
    }
  });

  it("still delivers to a bot the policy allows, signed as before", async () => {
    const received: string[] = [];
    const bot = await listen((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push(body);
        res.end();
      });
    });
    try {
      const id = await handoffStart(`http://127.0.0.1:${bot.port}/entrada`);
      expect(await runFlowStart(getDb(), client, key, id, { endpointPolicy: dev })).toMatchObject({ status: "done", handoff: "delivered", attempts: 1 });
      expect(JSON.parse(received[0]!)).toMatchObject({ event: "campaign_reply", contact: { name: "Fulana" } });
    } finally {
      await close(bot.server);
    }
  });
});
