import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { chatbotFlows, chips, templates } from "@/db/schema";
import { DEMO_CHIPS } from "@/db/seed";
import { chipSchema, saveChip, syncTemplates, testChipConnection } from "@/lib/chips";
import { decryptSecret, generateKey } from "@/lib/crypto";
import { flowSchema, saveFlow } from "@/lib/flows";
import { createWhatsAppClient } from "@/lib/whatsapp/client";
import { demoSimulatorConfig } from "@/scripts/whatsapp-simulator/default-config";
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
  it("stores the token encrypted, tests the connection and refreshes quality and tier", async () => {
    const { id } = await saveChip(getDb(), actor, null, chipInput(), key);
    const [row] = await getDb().select().from(chips).where(eq(chips.id, id));
    expect(row!.accessTokenEncrypted).not.toContain(demo.accessToken);
    expect(decryptSecret(row!.accessTokenEncrypted, key)).toBe(demo.accessToken);
    expect(row!.displayNumber).toBe("+551140001000");

    const result = await testChipConnection(getDb(), actor.organizationId, id, client(), key);
    expect(result).toMatchObject({ ok: true, message: expect.stringContaining("Conexão OK") });
    const [after] = await getDb().select().from(chips).where(eq(chips.id, id));
    expect(after).toMatchObject({ qualityRating: "green", messagingLimitTier: "TIER_10K" });
  });

  it("a wrong token fails the test with an explanation in Portuguese, and keeps the old token when left blank", async () => {
    const [existing] = await getDb().select().from(chips).where(eq(chips.phoneNumberId, demo.phoneNumberId));
    await saveChip(getDb(), actor, existing!.id, chipInput({ accessToken: "token-errado" }), key);
    const bad = await testChipConnection(getDb(), actor.organizationId, existing!.id, client(), key);
    expect(bad.ok).toBe(false);
    expect(bad.message).toMatch(/token/i);
    await saveChip(getDb(), actor, existing!.id, chipInput({ accessToken: demo.accessToken }), key);
    await saveChip(getDb(), actor, existing!.id, chipInput({ accessToken: "", name: "Vendas SP" }), key);
    expect((await testChipConnection(getDb(), actor.organizationId, existing!.id, client(), key)).ok).toBe(true);
  });

  it("refuses a duplicate phone number id, a malformed number and a missing token, field by field", async () => {
    await expect(saveChip(getDb(), actor, null, chipInput(), key)).rejects.toMatchObject({
      code: "conflict",
      fieldErrors: { phoneNumberId: [expect.any(String)] },
    });
    expect(chipSchema.safeParse({ ...chipInput(), displayNumber: "12", messagesPerSecond: 80 }).success).toBe(false);
    await expect(saveChip(getDb(), actor, null, chipInput({ phoneNumberId: "100000000000009", accessToken: "" }), key)).rejects.toMatchObject({
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

  it("a chatbot flow keeps its bot secret encrypted and validates its fields", async () => {
    const { id } = await saveFlow(
      getDb(),
      actor,
      null,
      flowSchema.parse({ name: "Comercial", entryMessage: "Oi! Um atendente já vem.", endpointUrl: "https://bot.exemplo.com/x", endpointSecret: "s3gredo", active: "on" }),
      key,
    );
    const [row] = await getDb().select().from(chatbotFlows).where(eq(chatbotFlows.id, id));
    expect(row).toMatchObject({ active: true, endpointUrl: "https://bot.exemplo.com/x" });
    expect(decryptSecret(row!.endpointSecretEncrypted!, key)).toBe("s3gredo");
    const bad = flowSchema.safeParse({ name: "X", entryMessage: "", endpointUrl: "ftp://x" });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.message).join(" ")).toMatch(/mensagem que o contato recebe[\s\S]*URL completa|URL completa[\s\S]*mensagem/);
  });
});
