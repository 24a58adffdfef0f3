import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { auditLog, chatbotFlows, chips, organizations, templates } from "@/db/schema";
import { DEMO_CHIPS } from "@/db/seed";
import { chipSchema, saveChip, setTemplateOptInRequest, syncTemplates, testChipConnection } from "@/lib/chips";
import { decryptSecret, generateKey } from "@/lib/crypto";
import { flowSchema, saveFlow } from "@/lib/flows";
import { STRICT_ENDPOINT_POLICY } from "@/lib/net/endpoint";
import { createWhatsAppClient } from "@/lib/whatsapp/client";
import { demoSimulatorConfig, SPARE_NUMBER } from "@/scripts/whatsapp-simulator/default-config";
import { startSimulator, type RunningSimulator } from "@/scripts/whatsapp-simulator/server";
import { createOrganization, createUser } from "./support/fixtures";

const key = generateKey();
const demo = DEMO_CHIPS[0];
let sim: RunningSimulator;
let actor: { organizationId: string; userId: string };

const chipInput = (over: Record<string, unknown> = {}) =>
  chipSchema.parse({
    name: "Vendas",
    displayNumber: "+55 11 4000-1000",
    phoneNumberId: demo.phoneNumberId,
    wabaId: demo.wabaId,
    accessToken: demo.accessToken,
    messagesPerSecond: "80",
    messagingLimitTier: "TIER_1K",
    ...over,
  });

beforeAll(async () => {
  sim = await startSimulator({ ...demoSimulatorConfig(), maxTemplatePageSize: 2 });
  const org = await createOrganization();
  actor = { organizationId: org.id, userId: (await createUser(org.id, "admin")).id };
});
afterAll(async () => {
  await sim?.stop();
});

const client = () => createWhatsAppClient({ baseUrl: sim.url, version: "v23.0", timeoutMs: 2000 });

describe("chips, templates and flows against the Cloud API simulator", () => {
  it("stores the token encrypted, tests the connection and refreshes quality, tier and the portfolio's limit", async () => {
    // The column's default is the simulator's answer: start elsewhere, so the refresh shows.
    await getDb().update(organizations).set({ messagingLimitTier: "TIER_250" }).where(eq(organizations.id, actor.organizationId));
    const { id } = await saveChip(getDb(), actor, null, chipInput(), key, client());
    const [row] = await getDb().select().from(chips).where(eq(chips.id, id));
    expect(row!.accessTokenEncrypted).not.toContain(demo.accessToken);
    expect(decryptSecret(row!.accessTokenEncrypted, key)).toBe(demo.accessToken);
    expect(row!.displayNumber).toBe("+551140001000");

    const result = await testChipConnection(getDb(), actor.organizationId, id, client(), key);
    expect(result).toMatchObject({ ok: true, message: expect.stringContaining("Conexão OK") });
    expect(result.message).toContain("limite do portfólio: 2 mil contatos/24 h");
    const [after] = await getDb().select().from(chips).where(eq(chips.id, id));
    expect(after).toMatchObject({ qualityRating: "green", messagingLimitTier: "TIER_10K" });
    const [org] = await getDb().select().from(organizations).where(eq(organizations.id, actor.organizationId));
    expect(org!.messagingLimitTier).toBe("TIER_2K");
  });

  it("the portfolio's limit is the organization's: any chip's test refreshes it; an answer without it keeps the last one", async () => {
    const other = await createOrganization();
    const otherActor = { organizationId: other.id, userId: (await createUser(other.id, "admin")).id };
    const spare = await saveChip(
      getDb(),
      otherActor,
      null,
      chipInput({ name: "Novo", displayNumber: SPARE_NUMBER.displayPhoneNumber, phoneNumberId: SPARE_NUMBER.phoneNumberId, accessToken: SPARE_NUMBER.accessToken }),
      key,
      client(),
    );
    const [vendas] = await getDb().select().from(chips).where(eq(chips.phoneNumberId, demo.phoneNumberId));
    const tierOf = async (orgId: string) =>
      (await getDb().select().from(organizations).where(eq(organizations.id, orgId)))[0]!.messagingLimitTier;
    const upgraded = await startSimulator({ ...demoSimulatorConfig(), portfolioMessagingLimit: "TIER_100K" });
    try {
      const c = createWhatsAppClient({ baseUrl: upgraded.url, version: "v23.0", timeoutMs: 2000 });
      const r = await testChipConnection(getDb(), otherActor.organizationId, spare.id, c, key);
      expect(r.message).toContain("limite do portfólio: 100 mil contatos/24 h");
      expect(await tierOf(other.id)).toBe("TIER_100K");
      // The other organization (another portfolio) is not touched.
      expect(await tierOf(actor.organizationId)).toBe("TIER_2K");
    } finally {
      await upgraded.stop();
    }
    const silent = await startSimulator({ ...demoSimulatorConfig(), portfolioMessagingLimit: null });
    try {
      const c = createWhatsAppClient({ baseUrl: silent.url, version: "v23.0", timeoutMs: 2000 });
      const r = await testChipConnection(getDb(), actor.organizationId, vendas!.id, c, key);
      expect(r.ok).toBe(true);
      expect(r.message).not.toContain("portfólio");
      expect(await tierOf(actor.organizationId)).toBe("TIER_2K");
    } finally {
      await silent.stop();
    }
    // A tier the app does not know is not stored (the estimate would read it as the smallest).
    const odd = await startSimulator({ ...demoSimulatorConfig(), portfolioMessagingLimit: "TIER_7K" });
    try {
      const c = createWhatsAppClient({ baseUrl: odd.url, version: "v23.0", timeoutMs: 2000 });
      expect((await testChipConnection(getDb(), other.id, spare.id, c, key)).ok).toBe(true);
      expect(await tierOf(other.id)).toBe("TIER_100K");
    } finally {
      await odd.stop();
    }
  });

  it("a wrong token is refused on save with an explanation in Portuguese; a blank one keeps the stored token", async () => {
    const [existing] = await getDb().select().from(chips).where(eq(chips.phoneNumberId, demo.phoneNumberId));
    await expect(saveChip(getDb(), actor, existing!.id, chipInput({ accessToken: "token-errado" }), key, client())).rejects.toMatchObject({
      code: "invalid",
      fieldErrors: { accessToken: [expect.stringMatching(/token/i)] },
    });
    const [kept] = await getDb().select().from(chips).where(eq(chips.id, existing!.id));
    expect(decryptSecret(kept!.accessTokenEncrypted, key)).toBe(demo.accessToken);
    await saveChip(getDb(), actor, existing!.id, chipInput({ accessToken: "", name: "Vendas SP" }), key, client());
    expect((await testChipConnection(getDb(), actor.organizationId, existing!.id, client(), key)).ok).toBe(true);
  });

  it("refuses a duplicate phone number id, a malformed number and a missing token, field by field", async () => {
    await expect(saveChip(getDb(), actor, null, chipInput(), key, client())).rejects.toMatchObject({
      code: "conflict",
      fieldErrors: { phoneNumberId: [expect.any(String)] },
    });
    expect(chipSchema.safeParse({ ...chipInput(), displayNumber: "12", messagesPerSecond: 80 }).success).toBe(false);
    await expect(
      saveChip(getDb(), actor, null, chipInput({ phoneNumberId: "100000000000009", accessToken: "" }), key, client()),
    ).rejects.toMatchObject({
      fieldErrors: { accessToken: [expect.stringMatching(/token/)] },
    });
  });

  it("syncs every template of the WABA through the API's paging, and disables the ones deleted at Meta", async () => {
    const { total } = await syncTemplates(getDb(), actor, client(), key);
    const expected = demoSimulatorConfig().templates[demo.wabaId]!;
    expect(total).toBe(expected.length);
    const rows = await getDb().select().from(templates).where(eq(templates.organizationId, actor.organizationId));
    expect(rows.map((r) => r.name).sort()).toEqual(expected.map((t) => t.name).sort());
    const promo = rows.find((r) => r.name === "promo_black_friday")!;
    expect(promo).toMatchObject({ status: "approved", category: "marketing", variableCount: 2 });

    // A template removed at Meta disappears from the next sync: kept for history, disabled.
    await sim.stop();
    const fewer = { ...demoSimulatorConfig() };
    fewer.templates = { [demo.wabaId]: expected.filter((t) => t.name !== "promo_black_friday") };
    sim = await startSimulator(fewer);
    await syncTemplates(getDb(), actor, client(), key);
    const [gone] = await getDb().select().from(templates).where(eq(templates.id, promo.id));
    expect(gone!.status).toBe("disabled");
  });

  it("a gestor marks an approved template as the opt-in request and unmarks it; audited; scoped by organization", async () => {
    const rows = await getDb().select().from(templates).where(eq(templates.organizationId, actor.organizationId));
    const optin = rows.find((r) => r.name === "boas_vindas_optin")!;
    const pending = rows.find((r) => r.name === "lancamento_colecao")!;
    expect(optin).toMatchObject({ status: "approved", isOptInRequest: false });

    await setTemplateOptInRequest(getDb(), actor, optin.id, true);
    const flag = async (id: number) => (await getDb().select().from(templates).where(eq(templates.id, id)))[0]!.isOptInRequest;
    expect(await flag(optin.id)).toBe(true);

    // Not an approved template: cannot be marked.
    await expect(setTemplateOptInRequest(getDb(), actor, pending.id, true)).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringMatching(/aprovado/),
    });
    expect(await flag(pending.id)).toBe(false);

    // Another organization's user neither sees nor changes it.
    const other = await createOrganization();
    const otherActor = { organizationId: other.id, userId: (await createUser(other.id, "gestor")).id };
    await expect(setTemplateOptInRequest(getDb(), otherActor, optin.id, false)).rejects.toMatchObject({ code: "not_found" });
    expect(await flag(optin.id)).toBe(true);

    const audits = await getDb().select().from(auditLog).where(eq(auditLog.entityType, "template"));
    expect(audits).toMatchObject([
      {
        organizationId: actor.organizationId,
        userId: actor.userId,
        action: "template.opt_in_request.mark",
        entityId: String(optin.id),
        data: { name: "boas_vindas_optin", isOptInRequest: true },
      },
    ]);
  });

  it("a template sync keeps the opt-in request mark, even when Meta changes the template", async () => {
    const [optin] = await getDb().select().from(templates).where(eq(templates.name, "boas_vindas_optin"));
    expect(optin!.isOptInRequest).toBe(true);
    await sim.stop();
    const config = demoSimulatorConfig();
    config.templates = {
      [demo.wabaId]: config.templates[demo.wabaId]!.map((t) =>
        t.name === "boas_vindas_optin" ? { ...t, status: "PAUSED" } : t,
      ),
    };
    sim = await startSimulator(config);
    await syncTemplates(getDb(), actor, client(), key);
    const [paused] = await getDb().select().from(templates).where(eq(templates.id, optin!.id));
    expect(paused).toMatchObject({ status: "paused", isOptInRequest: true });
    // Back to approved at Meta: still marked; and once unmarked, a sync does not mark it again.
    await sim.stop();
    sim = await startSimulator(demoSimulatorConfig());
    await syncTemplates(getDb(), actor, client(), key);
    expect((await getDb().select().from(templates).where(eq(templates.id, optin!.id)))[0]).toMatchObject({
      status: "approved",
      isOptInRequest: true,
    });
    await setTemplateOptInRequest(getDb(), actor, optin!.id, false);
    await syncTemplates(getDb(), actor, client(), key);
    expect((await getDb().select().from(templates).where(eq(templates.id, optin!.id)))[0]!.isOptInRequest).toBe(false);
    const actions = (await getDb().select().from(auditLog).where(eq(auditLog.entityType, "template")).orderBy(auditLog.id)).map((a) => a.action);
    expect(actions).toEqual(["template.opt_in_request.mark", "template.opt_in_request.unmark"]);
  });

  it("a chatbot flow keeps its bot secret encrypted and validates its fields", async () => {
    // bot.exemplo.com resolves (here, without a network) to a public address.
    const endpointPolicy = { ...STRICT_ENDPOINT_POLICY, lookup: async () => [{ address: "93.184.216.34", family: 4 }] };
    const { id } = await saveFlow(
      getDb(),
      { ...actor, role: "admin" },
      null,
      flowSchema.parse({ name: "Comercial", entryMessage: "Oi! Um atendente já vem.", endpointUrl: "https://bot.exemplo.com/x", endpointSecret: "s3gredo", active: "on" }),
      { encryptionKey: key, endpointPolicy },
    );
    const [row] = await getDb().select().from(chatbotFlows).where(eq(chatbotFlows.id, id));
    expect(row).toMatchObject({ active: true, endpointUrl: "https://bot.exemplo.com/x" });
    expect(decryptSecret(row!.endpointSecretEncrypted!, key)).toBe("s3gredo");
    const bad = flowSchema.safeParse({ name: "X", entryMessage: "", endpointUrl: "ftp://x" });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.message).join(" ")).toMatch(/mensagem que o contato recebe[\s\S]*URL completa|URL completa[\s\S]*mensagem/);
  });
});
