import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { chips, inboundMessages } from "@/db/schema";
import { DEMO_CHIPS } from "@/db/seed";
import { chipSchema, saveChip } from "@/lib/chips";
import { decryptSecret, generateKey } from "@/lib/crypto";
import { createWhatsAppClient, type WhatsAppClient } from "@/lib/whatsapp/client";
import { clearChipCache } from "@/lib/whatsapp/process-webhook";
import { signPayload } from "@/lib/whatsapp/signature";
import { handleWebhookPost } from "@/lib/whatsapp/webhook-handler";
import { demoSimulatorConfig, SPARE_NUMBER } from "@/scripts/whatsapp-simulator/default-config";
import { startSimulator, type RunningSimulator } from "@/scripts/whatsapp-simulator/server";
import { createOrganization, createUser } from "./support/fixtures";

// A chip belongs to the organization that proves it: webhooks reach an organization by phone_number_id alone, so
// registering a number is allowed only when Meta confirms, with the token given, that the number exists, is the
// one asked for and belongs to the WABA given. The attacker below is an admin of another organization.

const key = generateKey();
const SECRET = "app-secret-de-teste";
const [VENDAS, POS_VENDA] = DEMO_CHIPS;
const WABA = SPARE_NUMBER.wabaId;
// A second WABA the spare number's token also reaches, and a number of another company with its own token.
const OTHER_WABA = { phoneNumberId: "100000000000004", wabaId: "200000000000002", displayPhoneNumber: "+55 21 4000-4000" };
const OUTRA = {
  phoneNumberId: "100000000000005",
  wabaId: "200000000000005",
  displayPhoneNumber: "+55 31 4000-5000",
  accessToken: "EAAGoutraEmpresa000000000000000000000000000000000000005",
};

let sim: RunningSimulator;
let owner: { organizationId: string; userId: string };
let attacker: { organizationId: string; userId: string };

const client = (): WhatsAppClient => createWhatsAppClient({ baseUrl: sim.url, version: "v23.0", timeoutMs: 2000 });
const input = (over: Record<string, unknown>) =>
  chipSchema.parse({ name: "Chip", messagesPerSecond: "80", messagingLimitTier: "TIER_1K", ...over });
const chipOf = async (phoneNumberId: string) => (await getDb().select().from(chips).where(eq(chips.phoneNumberId, phoneNumberId)))[0];

let seq = 0;
/** A customer's text message to a business number, signed as Meta signs it. */
const inbound = async (phoneNumberId: string) => {
  const from = "5511912345678";
  const raw = Buffer.from(
    JSON.stringify({
      object: "whatsapp_business_account",
      entry: [
        {
          id: WABA,
          changes: [
            {
              field: "messages",
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: "551140000000", phone_number_id: phoneNumberId },
                contacts: [{ profile: { name: "Cliente" }, wa_id: from }],
                messages: [{ from, id: `wamid.own.${++seq}.${Date.now()}`, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "Quero saber do meu pedido" } }],
              },
            },
          ],
        },
      ],
    }),
  );
  return handleWebhookPost(getDb(), raw, signPayload(raw, SECRET), SECRET);
};
const storedFor = async (organizationId: string) =>
  (await getDb().select().from(inboundMessages).where(eq(inboundMessages.organizationId, organizationId))).length;

beforeAll(async () => {
  clearChipCache();
  const config = demoSimulatorConfig();
  config.phoneNumbers.push(
    { ...OTHER_WABA, verifiedName: "Loja Exemplo Rio", accessToken: SPARE_NUMBER.accessToken, mps: 80 },
    { ...OUTRA, verifiedName: "Outra Empresa", mps: 80 },
  );
  sim = await startSimulator(config);
  const a = await createOrganization("Loja Exemplo");
  owner = { organizationId: a.id, userId: (await createUser(a.id, "admin")).id };
  const b = await createOrganization("Outra Empresa");
  attacker = { organizationId: b.id, userId: (await createUser(b.id, "admin")).id };
});
afterAll(async () => {
  await sim?.stop();
});

describe("registering a chip proves it with Meta", () => {
  it("another company's number cannot be registered with one's own token, so its customers' replies never reach us", async () => {
    const theirs = input({ displayNumber: POS_VENDA.displayNumber, phoneNumberId: POS_VENDA.phoneNumberId, wabaId: POS_VENDA.wabaId });
    await expect(saveChip(getDb(), attacker, null, { ...theirs, accessToken: OUTRA.accessToken }, key, client())).rejects.toMatchObject({
      code: "invalid",
      fieldErrors: { phoneNumberId: [expect.stringContaining("A Meta não encontrou este phone number ID com este token")] },
    });
    await expect(saveChip(getDb(), attacker, null, { ...theirs, accessToken: "EAAG-inventado" }, key, client())).rejects.toMatchObject({
      code: "invalid",
      fieldErrors: { accessToken: [expect.stringContaining("A Meta recusou este token")] },
    });
    expect(await chipOf(POS_VENDA.phoneNumberId)).toBeUndefined();
    const res = await inbound(POS_VENDA.phoneNumberId);
    expect(res).toMatchObject({ status: 200, outcome: { unknownNumbers: 1, messagesStored: 0 } });
    expect(await storedFor(attacker.organizationId)).toBe(0);
  });

  it("the number must belong to the WABA given, be the number asked for, and show the number typed", async () => {
    const spare = input({ displayNumber: SPARE_NUMBER.displayPhoneNumber, phoneNumberId: SPARE_NUMBER.phoneNumberId, wabaId: WABA, accessToken: SPARE_NUMBER.accessToken });
    // The token reaches both WABAs, but the number is in the first one only.
    await expect(saveChip(getDb(), owner, null, { ...spare, wabaId: OTHER_WABA.wabaId }, key, client())).rejects.toMatchObject({
      fieldErrors: { wabaId: [expect.stringContaining("Este número não pertence a esta conta (WABA)")] },
    });
    await expect(saveChip(getDb(), owner, null, { ...spare, wabaId: "200000000000099" }, key, client())).rejects.toMatchObject({
      fieldErrors: { wabaId: [expect.stringContaining("A Meta não encontrou esta conta (WABA)")] },
    });
    await expect(saveChip(getDb(), owner, null, { ...spare, displayNumber: "+551140001000" }, key, client())).rejects.toMatchObject({
      fieldErrors: { displayNumber: [expect.stringContaining("A Meta informa o número +55 11 4000-3000")] },
    });
    // An answer about another number than the one asked for proves nothing.
    const confused: WhatsAppClient = {
      ...client(),
      lookupPhoneNumber: async () => ({ ok: true, id: "100000000000777", displayPhoneNumber: SPARE_NUMBER.displayPhoneNumber, verifiedName: "?" }),
    };
    await expect(saveChip(getDb(), owner, null, spare, key, confused)).rejects.toMatchObject({
      fieldErrors: { phoneNumberId: [expect.stringContaining("A Meta respondeu por outro número")] },
    });
    expect(await chipOf(SPARE_NUMBER.phoneNumberId)).toBeUndefined();
  });

  it("when Meta cannot be reached nothing is saved, and the message says to try again", async () => {
    const down = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, "127.0.0.1", () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const failing = createServer((_req, res) => {
      res.statusCode = 503;
      res.end(JSON.stringify({ error: { message: "Service temporarily unavailable", code: 2 } }));
    });
    await new Promise<void>((r) => failing.listen(0, "127.0.0.1", r));
    try {
      const spare = input({ displayNumber: SPARE_NUMBER.displayPhoneNumber, phoneNumberId: SPARE_NUMBER.phoneNumberId, wabaId: WABA, accessToken: SPARE_NUMBER.accessToken });
      for (const baseUrl of [`http://127.0.0.1:${down}`, `http://127.0.0.1:${(failing.address() as AddressInfo).port}`]) {
        const c = createWhatsAppClient({ baseUrl, version: "v23.0", timeoutMs: 2000 });
        await expect(saveChip(getDb(), owner, null, spare, key, c), baseUrl).rejects.toMatchObject({
          code: "error",
          message: expect.stringMatching(/^Não conseguimos confirmar com a Meta, tente de novo/),
        });
      }
      expect(await chipOf(SPARE_NUMBER.phoneNumberId)).toBeUndefined();
    } finally {
      await new Promise<void>((r) => failing.close(() => r()));
    }
  });

  it("a number another organization registered is refused once proven, and only then named as taken", async () => {
    await saveChip(
      getDb(),
      owner,
      null,
      input({ name: "Vendas", displayNumber: VENDAS.displayNumber, phoneNumberId: VENDAS.phoneNumberId, wabaId: VENDAS.wabaId, accessToken: VENDAS.accessToken }),
      key,
      client(),
    );
    const vendas = input({ displayNumber: VENDAS.displayNumber, phoneNumberId: VENDAS.phoneNumberId, wabaId: VENDAS.wabaId });
    // Without the number's token the attacker learns nothing about who holds it.
    await expect(saveChip(getDb(), attacker, null, { ...vendas, accessToken: OUTRA.accessToken }, key, client())).rejects.toMatchObject({
      fieldErrors: { phoneNumberId: [expect.not.stringContaining("outra organização")] },
    });
    await expect(saveChip(getDb(), attacker, null, { ...vendas, accessToken: VENDAS.accessToken }, key, client())).rejects.toMatchObject({
      code: "conflict",
      fieldErrors: { phoneNumberId: [expect.stringContaining("já está cadastrado por outra organização")] },
    });
    expect((await chipOf(VENDAS.phoneNumberId))!.organizationId).toBe(owner.organizationId);
  });
});

describe("the Graph API calls behind the proof (against the simulator)", () => {
  it("lists every number of a WABA across pages, and only for a token that reaches it", async () => {
    const paged = await startSimulator({ ...demoSimulatorConfig(), maxTemplatePageSize: 1 });
    try {
      const c = createWhatsAppClient({ baseUrl: paged.url, version: "v23.0", timeoutMs: 2000 });
      const list = await c.listWabaPhoneNumbers({ wabaId: WABA, accessToken: SPARE_NUMBER.accessToken });
      expect(list).toMatchObject({ ok: true, pages: 3 });
      expect(list.ok && list.phoneNumbers.map((p) => p.id).sort()).toEqual([VENDAS.phoneNumberId, POS_VENDA.phoneNumberId, SPARE_NUMBER.phoneNumberId].sort());
      expect(await c.listWabaPhoneNumbers({ wabaId: WABA, accessToken: "EAAG-inventado" })).toMatchObject({ ok: false, code: 190 });
      expect(await c.lookupPhoneNumber({ phoneNumberId: SPARE_NUMBER.phoneNumberId, accessToken: SPARE_NUMBER.accessToken })).toEqual({
        ok: true,
        id: SPARE_NUMBER.phoneNumberId,
        displayPhoneNumber: SPARE_NUMBER.displayPhoneNumber,
        verifiedName: "Loja Exemplo",
      });
      expect(await c.lookupPhoneNumber({ phoneNumberId: VENDAS.phoneNumberId, accessToken: SPARE_NUMBER.accessToken })).toMatchObject({ ok: false, code: 100, subcode: 33 });
    } finally {
      await paged.stop();
    }
  });
});

describe("editing a chip", () => {
  let chipId: number;
  const base = () =>
    input({ name: "Novo", displayNumber: SPARE_NUMBER.displayPhoneNumber, phoneNumberId: SPARE_NUMBER.phoneNumberId, wabaId: WABA, accessToken: "" });

  beforeAll(async () => {
    ({ id: chipId } = await saveChip(getDb(), owner, null, { ...base(), accessToken: SPARE_NUMBER.accessToken }, key, client()));
  });
  const row = async () => (await getDb().select().from(chips).where(and(eq(chips.id, chipId), eq(chips.organizationId, owner.organizationId))))[0]!;

  it("proves again when the WABA, the token or the number changes (with the stored token when none is typed); a rename asks nothing", async () => {
    await expect(saveChip(getDb(), owner, chipId, { ...base(), wabaId: OTHER_WABA.wabaId }, key, client())).rejects.toMatchObject({
      fieldErrors: { wabaId: [expect.any(String)] },
    });
    await expect(saveChip(getDb(), owner, chipId, { ...base(), accessToken: "EAAG-errado" }, key, client())).rejects.toMatchObject({
      fieldErrors: { accessToken: [expect.any(String)] },
    });
    // The stored token does not reach the other company's numbers.
    await expect(
      saveChip(getDb(), owner, chipId, { ...base(), phoneNumberId: POS_VENDA.phoneNumberId, displayNumber: POS_VENDA.displayNumber }, key, client()),
    ).rejects.toMatchObject({ fieldErrors: { phoneNumberId: [expect.any(String)] } });
    expect(await row()).toMatchObject({ phoneNumberId: SPARE_NUMBER.phoneNumberId, wabaId: WABA });
    expect(decryptSecret((await row()).accessTokenEncrypted, key)).toBe(SPARE_NUMBER.accessToken);

    // A rename needs no confirmation: it works with Meta out of reach.
    const offline = createWhatsAppClient({ baseUrl: "http://127.0.0.1:9", version: "v23.0", timeoutMs: 500 });
    await saveChip(getDb(), owner, chipId, { ...base(), name: "Novo (renomeado)", messagesPerSecond: 40 }, key, offline);
    expect(await row()).toMatchObject({ name: "Novo (renomeado)", messagesPerSecond: 40 });
  });

  it("after an edit, a webhook for the old phone_number_id no longer reaches the organization, at once", async () => {
    const before = await storedFor(owner.organizationId);
    // Routed, and the routing is now cached.
    expect(await inbound(SPARE_NUMBER.phoneNumberId)).toMatchObject({ status: 200, outcome: { messagesStored: 1, unknownNumbers: 0 } });
    // The chip moves to the other WABA's number (same token: proven with the stored one).
    await saveChip(
      getDb(),
      owner,
      chipId,
      { ...base(), phoneNumberId: OTHER_WABA.phoneNumberId, wabaId: OTHER_WABA.wabaId, displayNumber: OTHER_WABA.displayPhoneNumber },
      key,
      client(),
    );
    expect(await inbound(SPARE_NUMBER.phoneNumberId)).toMatchObject({ status: 200, outcome: { messagesStored: 0, unknownNumbers: 1 } });
    expect(await inbound(OTHER_WABA.phoneNumberId)).toMatchObject({ status: 200, outcome: { messagesStored: 1, unknownNumbers: 0 } });
    expect(await storedFor(owner.organizationId)).toBe(before + 2);
  });
});
