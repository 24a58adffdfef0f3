import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/db/client";
import { runMigrations } from "@/db/migrate";
import { campaigns, chips, contactChips, contacts, tags } from "@/db/schema";
import { saveAudience } from "@/lib/audiences";
import { confirmCampaign, saveCampaign } from "@/lib/campaigns/campaigns";
import { campaignProgress } from "@/lib/campaigns/dispatch";
import { startWorker } from "@/lib/campaigns/worker";
import { generateKey } from "@/lib/crypto";
import { createWhatsAppClient } from "@/lib/whatsapp/client";
import { demoSimulatorConfig } from "@/scripts/whatsapp-simulator/default-config";
import { startSimulator, type RunningSimulator } from "@/scripts/whatsapp-simulator/server";
import { startEmbeddedPostgres, type RunningPostgres } from "@/scripts/lib/embedded-postgres";
import { sendingOrganization } from "./support/sending";

// The database restarted in the middle of a campaign: the worker loses its connections, retries, and the
// campaign ends with every recipient in a final state and nothing sent twice. A PostgreSQL of its own (the
// suite's is shared by every test file), stopped and started again on the same port and data directory.

const key = generateKey();
const dir = mkdtempSync(path.join(os.tmpdir(), "disparo-restart-pg-"));
chmodSync(dir, 0o755);
const dataDir = path.join(dir, "data");
let pg: RunningPostgres;
let sim: RunningSimulator;
const suiteUrl = process.env.DATABASE_URL;

beforeAll(async () => {
  pg = await startEmbeddedPostgres({ dataDir, settings: { fsync: "off", synchronous_commit: "off" } });
  await pg.createDatabase("restart");
  await runMigrations(pg.url("restart"));
  process.env.DATABASE_URL = pg.url("restart");
  sim = await startSimulator({ ...demoSimulatorConfig() });
});
afterAll(async () => {
  await closeDb();
  process.env.DATABASE_URL = suiteUrl;
  await sim?.stop();
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const until = async (check: () => Promise<boolean>, timeoutMs: number) => {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("tempo esgotado esperando a condição");
};

describe("database restart mid-campaign", () => {
  it("ends with every recipient final and nothing sent twice", async () => {
    const db = getDb();
    const { orgId, gestor, chipId, templateId } = await sendingOrganization("Reinício Ltda", key, { packageBalance: 1000, autoIncreaseSize: 1000 });
    await db.update(chips).set({ messagesPerSecond: 40 }).where(eq(chips.id, chipId));
    const [tag] = await db.insert(tags).values({ organizationId: orgId, name: "reinicio" }).returning();
    const rows = await db
      .insert(contacts)
      .values(Array.from({ length: 200 }, (_, i) => ({ organizationId: orgId, name: `Cliente ${i}`, phone: `+55${11 + Math.floor(i / 100) * 10}9777${String(i % 100).padStart(2, "0")}12`, tagIds: [tag!.id], optInStatus: "opted_in" as const })))
      .returning({ id: contacts.id });
    await db.insert(contactChips).values(rows.map((r) => ({ organizationId: orgId, contactId: r.id, chipId })));
    const list = await saveAudience(db, gestor, null, { name: "Reinício", filter: { version: 1, tags: { any: [tag!.id] } } });
    const { id } = await saveCampaign(
      db,
      gestor,
      { id: null, name: "Reinício", chipId, audienceId: list.id, templateId, flowId: null, sendMode: "immediate", scheduledAt: null, headerMediaUrl: null, packageConsent: true, variables: [{ component: "body", index: 1, source: "field", field: "first_name" }] },
      { intent: "submit", timeZone: "America/Sao_Paulo" },
    );
    await confirmCampaign(db, gestor, { id, chipScope: "this_chip", optInConfirmed: false }, { timeZone: "America/Sao_Paulo" });
    const accepted = () => Object.values(sim.stats().acceptedByDestination).reduce((a, b) => a + b, 0);
    const lines: string[] = [];
    const worker = startWorker({ db, client: createWhatsAppClient({ baseUrl: sim.url, version: "v23.0", timeoutMs: 2000, transport: "node" }), encryptionKey: key, pollMs: 100, staleMs: 3000, log: (l) => lines.push(l) });
    try {
      await until(async () => accepted() >= 40, 30_000);
      const before = accepted();
      await pg.stop();
      await new Promise((r) => setTimeout(r, 1500));
      expect(before).toBeLessThan(200); // stopped in the middle
      pg = await startEmbeddedPostgres({ dataDir, port: pg.port, settings: { fsync: "off", synchronous_commit: "off" } });
      await until(async () => (await db.select({ status: campaigns.status }).from(campaigns).where(eq(campaigns.id, id)))[0]?.status === "completed", 60_000);
    } finally {
      await worker.stop();
    }
    // The worker saw the database go away (and went on once it came back).
    expect(lines.some((l) => /erro|falha/i.test(l))).toBe(true);
    const p = await campaignProgress(db, id);
    expect(p.total).toBe(200);
    expect(p.pending + p.sending).toBe(0);
    expect(Object.entries(sim.stats().acceptedByDestination).filter(([, n]) => n > 1)).toEqual([]);
    // What the API accepted is what the rows say was sent, give or take the ones whose answer was lost in the
    // outage (indeterminate: never resent).
    expect(accepted()).toBeGreaterThanOrEqual(p.sent + p.delivered + p.read);
    expect(accepted()).toBeLessThanOrEqual(p.sent + p.delivered + p.read + p.indeterminate);
  });
});
