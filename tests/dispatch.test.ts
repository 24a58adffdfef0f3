import { spawn } from "node:child_process";
import path from "node:path";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { campaignRecipients, campaigns, chips, contactChips, contacts, organizations, packageLedger, tags } from "@/db/schema";
import { DEMO_CHIPS } from "@/db/seed";
import { saveAudience } from "@/lib/audiences";
import { cancelCampaign, confirmCampaign, saveCampaign } from "@/lib/campaigns/campaigns";
import { campaignProgress, pauseCampaign, resendableCounts, resendFailures, resumeCampaign, sendRecipient, startCampaign } from "@/lib/campaigns/dispatch";
import { portfolioUsageLast24h } from "@/lib/campaigns/estimate";
import { startWorker } from "@/lib/campaigns/worker";
import { encryptSecret, generateKey } from "@/lib/crypto";
import { createWhatsAppClient } from "@/lib/whatsapp/client";
import { demoSimulatorConfig } from "@/scripts/whatsapp-simulator/default-config";
import { startSimulator, type RunningSimulator } from "@/scripts/whatsapp-simulator/server";
import { sendingOrganization } from "./support/sending";

// The dispatch core and the local worker against a real PostgreSQL and the Cloud API simulator (real HTTP). The
// simulator counts what it accepted per destination: the proof that nothing is sent twice.

const SP = "America/Sao_Paulo";
const key = generateKey();
const demo = DEMO_CHIPS[0];
const db = () => getDb();
let sim: RunningSimulator;
let orgId: string;
let gestor: { organizationId: string; userId: string; role: "gestor" };
let chipId: number;
let templateId: number;
let seq = 0;

// The worker's own transport (keep-alive node:http), as scripts/worker.ts builds it.
const client = (timeoutMs = 3000) => createWhatsAppClient({ baseUrl: sim.url, version: "v23.0", timeoutMs, transport: "node" });

beforeAll(async () => {
  // Answers for the 0004 number come after 1.5 s: with a 0.5 s client budget that is a lost answer.
  sim = await startSimulator({ ...demoSimulatorConfig(), hangMs: 1500 });
  ({ orgId, gestor, chipId, templateId } = await sendingOrganization("Disparo Ltda", key, { packageBalance: 50, autoIncreaseSize: 100 }));
});
afterAll(async () => {
  await sim?.stop();
});
beforeEach(() => sim.reset());

/** n contacts registered on the chip with opt-in (phones ending as given, others ordinary), a list, a confirmed campaign. */
const confirmedCampaign = async (n: number, endings: string[] = []) => {
  const s = ++seq;
  const [tag] = await db().insert(tags).values({ organizationId: orgId, name: `lote-${s}` }).returning();
  const phones = Array.from({ length: n }, (_, i) => {
    const tail = endings[i] ?? String(1000 + i).padStart(4, "0");
    // +55 DDD 9 ss ii tttt: the DDD steps (11, 21, 31…) every 100 contacts so every number stays a valid mobile.
    return `+55${11 + Math.floor(i / 100) * 10}9${String(s).padStart(2, "0")}${String(i % 100).padStart(2, "0")}${tail}`;
  });
  const rows = await db()
    .insert(contacts)
    .values(phones.map((phone, i) => ({ organizationId: orgId, name: `Cliente ${s}-${i}`, phone, tagIds: [tag!.id], optInStatus: "opted_in" as const })))
    .returning({ id: contacts.id });
  await db().insert(contactChips).values(rows.map((r) => ({ organizationId: orgId, contactId: r.id, chipId })));
  const list = await saveAudience(db(), gestor, null, { name: `Lista ${s}`, filter: { version: 1, tags: { any: [tag!.id] } } });
  const { id } = await saveCampaign(
    db(),
    gestor,
    { id: null, name: `Campanha ${s}`, chipId, audienceId: list.id, templateId, flowId: null, sendMode: "immediate", scheduledAt: null, headerMediaUrl: null, packageConsent: true, variables: [{ component: "body", index: 1, source: "field", field: "first_name" }] },
    { intent: "submit", timeZone: SP },
  );
  await confirmCampaign(db(), gestor, { id, chipScope: "this_chip", optInConfirmed: false }, { timeZone: SP });
  return { id, phones, contactIds: rows.map((r) => r.id) };
};

const statusOf = async (campaignId: number) => (await db().select({ status: campaigns.status, pausedReason: campaigns.pausedReason }).from(campaigns).where(eq(campaigns.id, campaignId)))[0]!;

const until = async (check: () => Promise<boolean>, timeoutMs = 30_000) => {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("tempo esgotado esperando a condição");
};

const acceptedTwice = () => Object.entries(sim.stats().acceptedByDestination).filter(([, n]) => n > 1);
/** Messages the API accepted (per destination, as the simulator keeps them). */
const accepted = () => Object.values(sim.stats().acceptedByDestination).reduce((a, b) => a + b, 0);

describe("dispatch core", () => {
  it("the snapshot is taken once, and running the send step twice sends once", async () => {
    const { id } = await confirmedCampaign(3);
    const [a, b] = await Promise.all([startCampaign(db(), id), startCampaign(db(), id)]);
    expect([a, b].filter((r) => r.started && !r.already)).toHaveLength(1);
    const rows = await db().select().from(campaignRecipients).where(eq(campaignRecipients.campaignId, id));
    expect(rows).toHaveLength(3);
    expect(rows[0]!.variables).toEqual({ header: [], body: [expect.stringMatching(/^Cliente$/)] });
    const first = await sendRecipient(db(), id, rows[0]!.id, client(), key);
    const again = await sendRecipient(db(), id, rows[0]!.id, client(), key);
    expect(first.sent).toBe(true);
    expect(again).toEqual({ sent: false, reason: "not_pending" });
    expect(accepted()).toBe(1);
    const [row] = await db().select().from(campaignRecipients).where(eq(campaignRecipients.id, rows[0]!.id));
    expect(row).toMatchObject({ status: "sent", attempts: 1, wamid: expect.stringMatching(/^wamid\./) });
    // Debited once from the package, even when the outcome is written again.
    const debits = await db().select().from(packageLedger).where(and(eq(packageLedger.recipientId, rows[0]!.id), eq(packageLedger.kind, "debit")));
    expect(debits).toHaveLength(1);
    await cancelCampaign(db(), gestor, id); // the other two stay unsent: no worker of the next tests takes them
  });

  it("the worker sends a campaign to the end: retries the 500s, never retries a lost answer, debits with automatic increases", async () => {
    const [{ packageBalance: before }] = await db().select({ packageBalance: organizations.packageBalance }).from(organizations).where(eq(organizations.id, orgId));
    const { id, phones } = await confirmedCampaign(60, ["0003", "0004", "0009"]);
    const worker = startWorker({ db: db(), client: client(500), encryptionKey: key, pollMs: 100 });
    try {
      await until(async () => (await statusOf(id)).status === "completed", 40_000);
    } finally {
      await worker.stop();
    }
    const p = await campaignProgress(db(), id);
    expect(p).toMatchObject({ total: 60, pending: 0, sending: 0, indeterminate: 2 });
    expect(p.sent + p.delivered + p.read).toBe(58);
    const byPhone = new Map((await db().select().from(campaignRecipients).where(eq(campaignRecipients.campaignId, id))).map((r) => [r.phone, r]));
    expect(byPhone.get(phones[0]!)).toMatchObject({ status: "sent", attempts: 3 }); // two 500s, then accepted
    expect(byPhone.get(phones[1]!)).toMatchObject({ status: "indeterminate", attempts: 1 }); // accepted, answer lost
    expect(byPhone.get(phones[2]!)).toMatchObject({ status: "indeterminate", attempts: 1 }); // accepted, connection dropped
    expect(acceptedTwice()).toEqual([]);
    expect(accepted()).toBe(60); // the lost answer was accepted by the API too
    // 58 debits; the balance (50 before this campaign and the first test's message) took automatic increases.
    const [{ packageBalance: after }] = await db().select({ packageBalance: organizations.packageBalance }).from(organizations).where(eq(organizations.id, orgId));
    const increases = await db().select().from(packageLedger).where(and(eq(packageLedger.campaignId, id), eq(packageLedger.kind, "auto_increase")));
    expect(after).toBe(before - 58 + increases.length * 100);
    expect(increases.length).toBeGreaterThanOrEqual(1);

    // Reenviar falhas: nothing retryable failed; the indeterminate one goes out again only when chosen, and a
    // row accepted once (with a wamid) never does.
    expect(await resendableCounts(db(), id)).toEqual({ failed: 0, indeterminate: 2 });
    expect(await resendFailures(db(), gestor, id, { includeIndeterminate: false })).toEqual({ ok: true, failed: 0, indeterminate: 0 });
    expect(await resendFailures(db(), gestor, id, { includeIndeterminate: true })).toEqual({ ok: true, failed: 0, indeterminate: 2 });
    expect((await statusOf(id)).status).toBe("sending");
    const again = startWorker({ db: db(), client: client(3000), encryptionKey: key, pollMs: 100 });
    try {
      await until(async () => (await statusOf(id)).status === "completed", 20_000);
    } finally {
      await again.stop();
    }
    // The gestor's explicit choice: both went out again (the 0009 number drops the connection again, so it stays
    // indeterminate); nothing else did.
    expect(sim.stats().acceptedByDestination[phones[1]!.slice(1)]).toBe(2);
    expect(acceptedTwice().map(([to]) => to).sort()).toEqual([phones[1]!.slice(1), phones[2]!.slice(1)].sort());
  });

  it("two workers at once send each recipient once", async () => {
    const { id } = await confirmedCampaign(80);
    const w1 = startWorker({ db: db(), client: client(), encryptionKey: key, pollMs: 50 });
    const w2 = startWorker({ db: db(), client: client(), encryptionKey: key, pollMs: 50 });
    try {
      await until(async () => (await statusOf(id)).status === "completed");
    } finally {
      await Promise.all([w1.stop(), w2.stop()]);
    }
    expect(accepted()).toBe(80);
    expect(acceptedTwice()).toEqual([]);
  });

  it("an opt-out after the snapshot stops the message to that contact", async () => {
    const { id, contactIds } = await confirmedCampaign(5);
    await startCampaign(db(), id);
    await db().update(contacts).set({ optInStatus: "opted_out" }).where(eq(contacts.id, contactIds[2]!));
    const worker = startWorker({ db: db(), client: client(), encryptionKey: key, pollMs: 50 });
    try {
      await until(async () => (await statusOf(id)).status === "completed");
    } finally {
      await worker.stop();
    }
    const [row] = await db().select().from(campaignRecipients).where(and(eq(campaignRecipients.campaignId, id), eq(campaignRecipients.contactId, contactIds[2]!)));
    expect(row).toMatchObject({ status: "skipped", skipReason: "opted_out", wamid: null });
    expect(accepted()).toBe(4);
  });

  it("a contact erased on request after the snapshot is never sent, and the campaign still finishes", async () => {
    const { id, contactIds } = await confirmedCampaign(4);
    await startCampaign(db(), id);
    await db().delete(contacts).where(eq(contacts.id, contactIds[1]!));
    const worker = startWorker({ db: db(), client: client(), encryptionKey: key, pollMs: 50 });
    try {
      await until(async () => (await statusOf(id)).status === "completed", 15_000);
    } finally {
      await worker.stop();
    }
    const erased = await db().select().from(campaignRecipients).where(and(eq(campaignRecipients.campaignId, id), sql`${campaignRecipients.contactId} is null`));
    expect(erased).toMatchObject([{ status: "skipped", skipReason: "erased", wamid: null }]);
    expect(accepted()).toBe(3);
  });

  it("pause stops sending, resume goes on, cancel stops for good", async () => {
    const { id } = await confirmedCampaign(120);
    await db().update(chips).set({ messagesPerSecond: 20 }).where(eq(chips.id, chipId));
    const worker = startWorker({ db: db(), client: client(), encryptionKey: key, pollMs: 50 });
    try {
      await until(async () => accepted() >= 10);
      await pauseCampaign(db(), { id, organizationId: orgId }, "Pausada por um gestor.", gestor.userId);
      await new Promise((r) => setTimeout(r, 1500));
      const paused = accepted();
      await new Promise((r) => setTimeout(r, 1000));
      expect(accepted()).toBe(paused);
      expect(paused).toBeLessThan(120);
      expect(await resumeCampaign(db(), { id, organizationId: orgId }, gestor.userId)).toBe(true);
      await until(async () => accepted() > paused + 5);
      await cancelCampaign(db(), gestor, id);
      await new Promise((r) => setTimeout(r, 1500));
      const cancelled = accepted();
      await new Promise((r) => setTimeout(r, 1000));
      expect(accepted()).toBe(cancelled);
      expect(cancelled).toBeLessThan(120);
    } finally {
      await worker.stop();
      await db().update(chips).set({ messagesPerSecond: 80 }).where(eq(chips.id, chipId));
    }
    expect((await statusOf(id)).status).toBe("cancelled");
    expect(acceptedTwice()).toEqual([]);
    const p = await campaignProgress(db(), id);
    expect(p.sending).toBe(0);
  });

  it("outside its send window a campaign waits, and goes on by itself when the window opens", async () => {
    const { id } = await confirmedCampaign(6);
    const today = new Date(new Date().toLocaleString("en-US", { timeZone: SP })).getDay();
    await db().update(campaigns).set({ sendWindow: { start: "00:00", end: "23:59", days: [(today + 3) % 7] } }).where(eq(campaigns.id, id));
    const worker = startWorker({ db: db(), client: client(), encryptionKey: key, pollMs: 50 });
    try {
      await new Promise((r) => setTimeout(r, 1500));
      expect(accepted()).toBe(0);
      expect((await statusOf(id)).status).toBe("sending");
      await db().update(campaigns).set({ sendWindow: { start: "00:00", end: "23:59", days: [0, 1, 2, 3, 4, 5, 6] } }).where(eq(campaigns.id, id));
      await until(async () => (await statusOf(id)).status === "completed", 15_000);
    } finally {
      await worker.stop();
    }
    expect(accepted()).toBe(6);
  });

  it("bursts of 130429 (the chip faster than the number allows) are retried until every message is sent once", async () => {
    const { id } = await confirmedCampaign(150);
    // The simulator's number takes 80 msg/s; the chip row says 400: most of each second's burst gets 130429.
    await db().update(chips).set({ messagesPerSecond: 400 }).where(eq(chips.id, chipId));
    const worker = startWorker({ db: db(), client: client(), encryptionKey: key, pollMs: 50 });
    try {
      await until(async () => (await statusOf(id)).status === "completed", 40_000);
    } finally {
      await worker.stop();
      await db().update(chips).set({ messagesPerSecond: 80 }).where(eq(chips.id, chipId));
    }
    expect(sim.stats().rejectedByCode["130429"]).toBeGreaterThan(0);
    expect(accepted()).toBe(150);
    expect(acceptedTwice()).toEqual([]);
    const p = await campaignProgress(db(), id);
    expect(p.sent + p.delivered + p.read).toBe(150);
  });

  it("pause and resume ten times quickly: nothing twice, nothing lost", async () => {
    const { id } = await confirmedCampaign(100);
    await db().update(chips).set({ messagesPerSecond: 40 }).where(eq(chips.id, chipId));
    const lines: string[] = [];
    const worker = startWorker({ db: db(), client: client(10_000), encryptionKey: key, pollMs: 20, log: (l) => lines.push(l) });
    try {
      await until(async () => accepted() > 0);
      for (let i = 0; i < 10; i++) {
        await pauseCampaign(db(), { id, organizationId: orgId }, "Pausa rápida.", gestor.userId);
        await new Promise((r) => setTimeout(r, 30));
        await resumeCampaign(db(), { id, organizationId: orgId }, gestor.userId);
        await new Promise((r) => setTimeout(r, 30));
      }
      await until(async () => (await statusOf(id)).status === "completed", 60_000).catch(async (err: unknown) => {
        console.log("estado ao esgotar o tempo:", JSON.stringify(await statusOf(id)), JSON.stringify(await campaignProgress(db(), id)), lines.join(" | "));
        throw err;
      });
    } finally {
      await worker.stop();
      await db().update(chips).set({ messagesPerSecond: 80 }).where(eq(chips.id, chipId));
    }
    expect(acceptedTwice()).toEqual([]);
    const p = await campaignProgress(db(), id);
    expect(p.pending + p.sending).toBe(0);
    // Every recipient was accepted once, or is indeterminate (an answer slower than the budget on a loaded machine).
    expect(accepted()).toBeGreaterThanOrEqual(p.sent + p.delivered + p.read);
    expect(p.sent + p.delivered + p.read + p.indeterminate).toBe(100);
  }, 90_000);

  it("a campaign where every message fails ends as falhou, with the reason", async () => {
    const { id } = await confirmedCampaign(3);
    await startCampaign(db(), id);
    // Numbers broken after the snapshot: the client refuses each for this recipient only, for good.
    await db().execute(sql`update campaign_recipients set phone = '+12' where campaign_id = ${id}`);
    const worker = startWorker({ db: db(), client: client(), encryptionKey: key, pollMs: 50 });
    try {
      await until(async () => (await statusOf(id)).status === "failed", 15_000);
    } finally {
      await worker.stop();
    }
    expect((await statusOf(id)).pausedReason).toMatch(/Nenhuma mensagem foi aceita: 3 falharam/);
    expect(accepted()).toBe(0);
  });

  it("a template Meta does not know pauses the campaign (it would fail for everyone), nobody burnt", async () => {
    const { id } = await confirmedCampaign(3);
    await db().execute(sql`update campaigns set frozen_template = jsonb_set(frozen_template, '{name}', '"nao_existe"') where id = ${id}`);
    const worker = startWorker({ db: db(), client: client(), encryptionKey: key, pollMs: 50 });
    try {
      await until(async () => (await statusOf(id)).status === "paused", 15_000);
    } finally {
      await worker.stop();
    }
    expect((await statusOf(id)).pausedReason).toMatch(/template/i);
    expect(await campaignProgress(db(), id)).toMatchObject({ pending: 3, failed: 0 });
    await cancelCampaign(db(), gestor, id);
  });

  it("a revoked token pauses the campaign with the reason, and nothing is lost", async () => {
    const { id } = await confirmedCampaign(10);
    await db().update(chips).set({ accessTokenEncrypted: encryptSecret("EAAG-revogado", key) }).where(eq(chips.id, chipId));
    const worker = startWorker({ db: db(), client: client(), encryptionKey: key, pollMs: 50 });
    try {
      await until(async () => (await statusOf(id)).status === "paused");
    } finally {
      await worker.stop();
      await db().update(chips).set({ accessTokenEncrypted: encryptSecret(demo.accessToken, key) }).where(eq(chips.id, chipId));
    }
    const { pausedReason } = await statusOf(id);
    expect(pausedReason).toMatch(/token/i);
    const p = await campaignProgress(db(), id);
    expect(p).toMatchObject({ pending: 10, sending: 0, failed: 0 });
    expect(accepted()).toBe(0);
  });

  it("never more unique users in 24 h than the portfolio's messaging limit; a chip gone red pauses", async () => {
    // A 1,000 portfolio that already messaged 995 people today (the tests above, and an earlier campaign) has 5 left.
    const earlier = await confirmedCampaign(1);
    await cancelCampaign(db(), gestor, earlier.id);
    await db().execute(sql`update campaigns set started_at = now() - interval '2 hours' where id = ${earlier.id}`);
    const missing = 995 - (await portfolioUsageLast24h(db(), orgId));
    await db().execute(sql`
      insert into contacts (organization_id, name, phone) select ${orgId}::uuid, 'Hoje ' || i, '+5521' || (980000000 + i)::text from generate_series(1, ${missing}) i`);
    await db().execute(sql`
      insert into campaign_recipients (organization_id, campaign_id, contact_id, chip_id, phone, status, sent_at)
      select ${orgId}::uuid, ${earlier.id}, id, ${chipId}, phone, 'sent', now() - interval '1 hour' from contacts where name like 'Hoje %'`);
    await db().update(organizations).set({ messagingLimitTier: "TIER_1K" }).where(eq(organizations.id, orgId));
    const { id } = await confirmedCampaign(12);
    const worker = startWorker({ db: db(), client: client(), encryptionKey: key, pollMs: 50 });
    try {
      await until(async () => accepted() >= 5);
      await new Promise((r) => setTimeout(r, 2000));
      expect(accepted()).toBe(5);
      expect((await statusOf(id)).status).toBe("sending");
      // Quality red: the campaign pauses with the reason.
      await db().update(organizations).set({ messagingLimitTier: "TIER_UNLIMITED" }).where(eq(organizations.id, orgId));
      await db().update(chips).set({ qualityRating: "red" }).where(eq(chips.id, chipId));
      await until(async () => (await statusOf(id)).status === "paused", 15_000);
      expect((await statusOf(id)).pausedReason).toMatch(/qualidade do chip/);
    } finally {
      await worker.stop();
      await db().update(chips).set({ qualityRating: "green" }).where(eq(chips.id, chipId));
      await db().update(organizations).set({ messagingLimitTier: "TIER_UNLIMITED" }).where(eq(organizations.id, orgId));
      await cancelCampaign(db(), gestor, id);
    }
  });

  it("a worker killed with SIGKILL mid-campaign, then restarted: every recipient final, nothing sent twice", async () => {
    const { id } = await confirmedCampaign(150);
    await db().update(chips).set({ messagesPerSecond: 40 }).where(eq(chips.id, chipId));
    const root = path.resolve(import.meta.dirname, "..");
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
      cwd: root,
      env: { ...process.env, DISPATCH_ENGINE: "local", ENCRYPTION_KEY: key, WHATSAPP_API_BASE_URL: sim.url, WORKER_POLL_MS: "50", NODE_ENV: "test" },
      stdio: "ignore",
    });
    try {
      await until(async () => accepted() >= 40, 30_000);
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
      const atKill = accepted();
      expect(atKill).toBeLessThan(150);
      // The rows the dead worker had claimed wait in `sending`; a new worker gives them up as indeterminate.
      const worker = startWorker({ db: db(), client: client(), encryptionKey: key, pollMs: 50, staleMs: 0 });
      try {
        await until(async () => (await statusOf(id)).status === "completed", 30_000);
      } finally {
        await worker.stop();
      }
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await db().update(chips).set({ messagesPerSecond: 80 }).where(eq(chips.id, chipId));
    }
    const p = await campaignProgress(db(), id);
    expect(p.pending + p.sending).toBe(0);
    expect(p.total).toBe(150);
    expect(acceptedTwice()).toEqual([]);
    // Every acceptance is a row that says so (or an indeterminate one, which the webhook would resolve).
    expect(accepted()).toBeGreaterThanOrEqual(p.sent + p.delivered + p.read);
    expect(accepted()).toBeLessThanOrEqual(p.sent + p.delivered + p.read + p.indeterminate);
    const [{ n }] = await db().execute<{ n: number }>(sql`select count(*)::int as n from campaign_recipients where campaign_id = ${id} and status = 'sending'`);
    expect(n).toBe(0);
  });
});
