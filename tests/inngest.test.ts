import { InngestTestEngine, mockCtx } from "@inngest/test";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db/client";
import { campaignRecipients, campaigns, chips, contactChips, contacts, organizations, tags } from "@/db/schema";
import { createCampaignFunction, STALL_MS } from "@/inngest/functions/campaign";
import { createSendFunctions } from "@/inngest/functions/send";
import type { DispatchDeps } from "@/inngest/deps";
import { saveAudience } from "@/lib/audiences";
import { cancelCampaign, confirmCampaign, rescheduleCampaign, saveCampaign } from "@/lib/campaigns/campaigns";
import { pauseCampaign, resumeCampaign, startCampaign } from "@/lib/campaigns/dispatch";
import { forgetMessagingRoom, MAX_BYTES_PER_SEND, MAX_EVENTS_PER_SEND, QUALITY_RED_REASON, RECIPIENTS_PER_RUN, TIERS } from "@/lib/campaigns/dispatch-inngest";
import { dateToZonedLocal, zonedLocalToDate } from "@/lib/campaigns/time";
import { generateKey } from "@/lib/crypto";
import { createWhatsAppClient } from "@/lib/whatsapp/client";
import { demoSimulatorConfig } from "@/scripts/whatsapp-simulator/default-config";
import { startSimulator, type RunningSimulator } from "@/scripts/whatsapp-simulator/server";
import { sendingOrganization } from "./support/sending";

// The Inngest engine with @inngest/test against a real PostgreSQL and the Cloud API simulator (real HTTP).
// @inngest/test runs step.run for real; sleeps, waits and sendEvent are mocked by step id. The fan-out mocks
// capture each sendEvent's payload (through transformCtx) and, where a test needs it, run those events through
// the tier's send function — a whole campaign end to end with no Inngest server. @inngest/test does not model
// retries (a failing step ends the execution): a retry is the same event executed again, as Inngest would.

const SP = "America/Sao_Paulo";
const key = generateKey();
const db = () => getDb();
let sim: RunningSimulator;
let orgId: string;
let gestor: { organizationId: string; userId: string; role: "gestor" };
let chipId: number;
let templateId: number;
let seq = 0;
/** The app's clock as the functions see it (null: the real one). */
let clock: Date | null = null;

const deps = (timeoutMs = 3000): DispatchDeps => ({
  db: getDb,
  client: () => createWhatsAppClient({ baseUrl: sim.url, version: "v23.0", timeoutMs }),
  encryptionKey: () => key,
  now: () => clock ?? new Date(),
});

beforeAll(async () => {
  // Answers for the 0004 number come after 1.5 s: with a 0.5 s client budget that is a lost answer.
  sim = await startSimulator({ ...demoSimulatorConfig(), hangMs: 1500 });
  ({ orgId, gestor, chipId, templateId } = await sendingOrganization("Disparo Inngest Ltda", key, { packageBalance: 100, autoIncreaseSize: 1000 }));
});
afterAll(async () => {
  await sim?.stop();
});
beforeEach(() => {
  clock = null;
  forgetMessagingRoom();
  sim.reset();
});

/**
 * n contacts registered on the chip with opt-in and a confirmed campaign (scheduled when `scheduledAt` is given).
 * Phones: +55 11 9 <seq:2><i div 9000:2><last 4>; the last four digits are 1000–9999 (no simulator rule) or
 * `endings[i]` (0003, 0004, 0007: the simulator's rules).
 */
const confirmedCampaign = async (n: number, opts: { endings?: string[]; scheduledAt?: Date } = {}) => {
  const s = ++seq;
  const [tag] = await db().insert(tags).values({ organizationId: orgId, name: `inngest-${s}` }).returning();
  const phones = Array.from({ length: n }, (_, i) => {
    const tail = opts.endings?.[i] ?? String(1000 + (i % 9000));
    return `+55119${String(s).padStart(2, "0")}${String(Math.floor(i / 9000)).padStart(2, "0")}${tail}`;
  });
  for (let from = 0; from < n; from += 2000) {
    const rows = await db()
      .insert(contacts)
      .values(phones.slice(from, from + 2000).map((phone, i) => ({ organizationId: orgId, name: `Cliente ${s}-${from + i}`, phone, tagIds: [tag!.id], optInStatus: "opted_in" as const })))
      .returning({ id: contacts.id });
    await db().insert(contactChips).values(rows.map((r) => ({ organizationId: orgId, contactId: r.id, chipId })));
  }
  const list = await saveAudience(db(), gestor, null, { name: `Lista Inngest ${s}`, filter: { version: 1, tags: { any: [tag!.id] } } });
  const { id } = await saveCampaign(
    db(),
    gestor,
    {
      id: null,
      name: `Campanha Inngest ${s}`,
      chipId,
      audienceId: list.id,
      templateId,
      flowId: null,
      sendMode: opts.scheduledAt ? "scheduled" : "immediate",
      scheduledAt: opts.scheduledAt ? dateToZonedLocal(opts.scheduledAt, SP) : null,
      headerMediaUrl: null,
      packageConsent: true,
      variables: [{ component: "body", index: 1, source: "field", field: "first_name" }],
    },
    { intent: "submit", timeZone: SP },
  );
  await confirmCampaign(db(), gestor, { id, chipScope: "this_chip", optInConfirmed: false }, { timeZone: SP });
  return { id, phones };
};

/** A confirmed, started campaign (the snapshot taken) and its recipient rows in phone order. */
const startedCampaign = async (n: number, endings: string[] = []) => {
  const { id, phones } = await confirmedCampaign(n, { endings });
  await startCampaign(db(), id);
  const rows = await db().select().from(campaignRecipients).where(eq(campaignRecipients.campaignId, id));
  const byPhone = new Map(rows.map((r) => [r.phone, r]));
  return { id, rows: phones.map((p) => byPhone.get(p)!) };
};

const campaignRow = async (id: number) => (await db().select().from(campaigns).where(eq(campaigns.id, id)))[0]!;
const recipientRow = async (id: number) => (await db().select().from(campaignRecipients).where(eq(campaignRecipients.id, id)))[0]!;
const accepted = () => Object.values(sim.stats().acceptedByDestination).reduce((a, b) => a + b, 0);
const acceptedTwice = () => Object.entries(sim.stats().acceptedByDestination).filter(([, n]) => n > 1);
const confirmedEvent = (id: number, scheduledAt: Date | null = null) => ({
  name: "campaign/confirmed" as const,
  data: { campaignId: id, organizationId: orgId, chipId, scheduledAt: scheduledAt?.toISOString() ?? null },
});

/**
 * Until no row of the campaign is in flight. @inngest/test resolves a run while duplicate executions of its
 * parallel steps may still be finishing (see the 10-recipient test); real sends finish in milliseconds here.
 */
const settle = async (campaignId: number) => {
  for (let i = 0; i < 100; i++) {
    const [{ n }] = await db().execute<{ n: number }>(sql`select count(*)::int as n from campaign_recipients where campaign_id = ${campaignId} and status = 'sending'`);
    if (Number(n) === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("linhas presas em sending");
};

type SendEvent = { id?: string; name: string; data: { campaignId: number; chipId: number; recipientIds: number[] } };
type Failure = Error & { name: string };

/** Executes one send event through its tier's function, as one Inngest run (one attempt of each step). */
const runSend = (event: SendEvent, d: DispatchDeps = deps()) => {
  const fns = createSendFunctions(d);
  const fn = fns[TIERS.findIndex((t) => t.event === event.name)]!;
  return new InngestTestEngine({ function: fn }).execute({ events: [event] }) as Promise<{ result?: unknown; error?: Failure }>;
};
const sendEventFor = (campaignId: number, recipientIds: number[]): SendEvent => ({ name: "campaign/send.80", data: { campaignId, chipId, recipientIds } });

/**
 * A campaign-function test engine whose ctx records every sendEvent payload by step id, so the mocked
 * sendEvent steps (which @inngest/test requires) can see what they were given. `waits` answers
 * step.waitForEvent by step id in place of the SDK: a mocked waitForEvent step fails in @inngest/test 1.0 with
 * inngest 4.24 ("Event not found in triggers: undefined" — the SDK validates the mock's promise, not its value),
 * so the test swaps the tool itself (a spy, answered once per step id as a memoized step would be).
 */
const campaignEngine = (d: DispatchDeps = deps(), waits: Record<string, () => Promise<unknown>> = {}, fnOptions: { stepBudget?: number } = {}) => {
  const payloads = new Map<string, SendEvent[]>();
  const answered = new Map<string, Promise<unknown>>();
  const waitForEvent = vi.fn((id: string, _opts: unknown) => {
    if (!answered.has(id)) {
      const answer = waits[id];
      if (!answer) throw new Error(`waitForEvent "${id}" não tem resposta no teste`);
      answered.set(id, answer());
    }
    return answered.get(id)!;
  });
  const engine = new InngestTestEngine({
    function: createCampaignFunction(d, fnOptions),
    transformCtx: (ctx) => {
      const mocked = mockCtx(ctx);
      const original = mocked.step.sendEvent;
      const record = (id: string, payload: SendEvent | SendEvent[]) => {
        payloads.set(id, Array.isArray(payload) ? payload : [payload]);
        return original(id, payload as never);
      };
      return { ...mocked, step: { ...mocked.step, sendEvent: record as typeof original, waitForEvent: waitForEvent as unknown as typeof mocked.step.waitForEvent } };
    },
  });
  /** A mocked sendEvent step that runs the events it was given through the send functions. */
  const deliver = (stepId: string) => ({
    id: stepId,
    handler: async () => {
      const events = payloads.get(stepId) ?? [];
      for (const e of events) {
        const out = await runSend(e, d);
        if (out.error) throw out.error;
      }
      if (events[0]) await settle(events[0].data.campaignId);
      return { ids: events.map((e) => e.id ?? "") };
    },
  });
  return { engine, payloads, deliver, waitForEvent };
};

describe("campaign function", () => {
  it("a scheduled campaign sleeps until its moment (sleepUntil, mocked), then takes the snapshot, fans out, sends and completes", async () => {
    const when = new Date(Date.now() + 3 * 3600_000);
    when.setUTCSeconds(0, 0);
    const { id, phones } = await confirmedCampaign(3, { scheduledAt: when });
    expect((await campaignRow(id)).scheduledAt?.toISOString()).toBe(when.toISOString());
    const seenWhileAsleep: { status?: string; recipients?: number } = {};
    const { engine, payloads, deliver } = campaignEngine();
    const out = await engine.execute({
      events: [confirmedEvent(id, when)],
      steps: [
        {
          id: "wait-for-schedule-0",
          handler: async () => {
            seenWhileAsleep.status = (await campaignRow(id)).status;
            seenWhileAsleep.recipients = (await db().select().from(campaignRecipients).where(eq(campaignRecipients.campaignId, id))).length;
            clock = new Date(when.getTime() + 1000); // the moment has come
            return null;
          },
        },
        deliver("fan-out-0-0-0"),
        { id: "watch-wait-0", handler: () => null },
      ],
    });
    expect(out.error).toBeUndefined();
    expect(out.ctx.step.sleepUntil).toHaveBeenCalledWith("wait-for-schedule-0", when);
    // Nothing happened before the moment: still scheduled, no snapshot.
    expect(seenWhileAsleep).toEqual({ status: "scheduled", recipients: 0 });
    expect(payloads.get("fan-out-0-0-0")).toHaveLength(1);
    expect(out.result).toMatchObject({ campaignId: id, status: "completed", total: 3, settled: 3 });
    const c = await campaignRow(id);
    expect(c.status).toBe("completed");
    expect(c.startedAt?.toISOString()).toBe(clock!.toISOString());
    expect(sim.stats().acceptedByDestination).toEqual(Object.fromEntries(phones.map((p) => [p.slice(1), 1])));
  });

  it("a campaign rescheduled later while asleep sleeps again until the new moment", async () => {
    const when = new Date(Date.now() + 2 * 3600_000);
    when.setUTCSeconds(0, 0);
    const later = new Date(when.getTime() + 3600_000);
    const { id } = await confirmedCampaign(2, { scheduledAt: when });
    const { engine, deliver } = campaignEngine();
    const out = await engine.execute({
      events: [confirmedEvent(id, when)],
      steps: [
        {
          id: "wait-for-schedule-0",
          handler: async () => {
            await rescheduleCampaign(db(), gestor, { id, scheduledAt: dateToZonedLocal(later, SP) }, { timeZone: SP });
            clock = new Date(when.getTime() + 1000); // the old moment: not due any more
            return null;
          },
        },
        {
          id: "wait-for-schedule-1",
          handler: () => {
            clock = new Date(later.getTime() + 1000);
            return null;
          },
        },
        deliver("fan-out-0-0-0"),
        { id: "watch-wait-0", handler: () => null },
      ],
    });
    expect(out.error).toBeUndefined();
    expect((out.ctx.step.sleepUntil as unknown as { mock: { calls: unknown[][] } }).mock.calls).toEqual([
      ["wait-for-schedule-0", when],
      ["wait-for-schedule-1", later],
    ]);
    expect(out.result).toMatchObject({ status: "completed", total: 2 });
    expect((await campaignRow(id)).startedAt?.toISOString()).toBe(clock!.toISOString());
    expect(accepted()).toBe(2);
  });

  it("fans out 12,345 recipients as ids only: groups of 10, sendEvent chunks of ≤ 5,000 events (and ≤ 248 KiB), every id exactly once", async () => {
    const { id } = await confirmedCampaign(12_345);
    const { engine, payloads } = campaignEngine();
    const fanOutSteps = Array.from({ length: 10 }, (_, c) => ({ id: `fan-out-0-0-${c}`, handler: () => ({ ids: [] }) }));
    const out = await engine.execute({
      events: [confirmedEvent(id)],
      steps: [
        ...fanOutSteps,
        // Nothing was sent (the events went nowhere): end the watch by cancelling the campaign.
        { id: "watch-wait-0", handler: async () => (await cancelCampaign(db(), gestor, id), null) },
      ],
    });
    expect(out.error).toBeUndefined();
    expect(out.result).toMatchObject({ status: "cancelled", total: 12_345 });
    // 12,345 ids in groups of 10 = 1,235 events; at ~150 bytes each they fit one sendEvent of 248 KiB.
    expect([...payloads.keys()]).toEqual(["fan-out-0-0-0"]);
    const chunks = [...payloads.values()];
    const events = chunks.flat();
    expect(events).toHaveLength(1235);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(MAX_EVENTS_PER_SEND);
      expect(Buffer.byteLength(JSON.stringify(chunk))).toBeLessThanOrEqual(MAX_BYTES_PER_SEND);
    }
    for (const e of events) {
      expect(e.name).toBe("campaign/send.80"); // the chip sends 80 messages/s
      expect(Object.keys(e.data).sort()).toEqual(["campaignId", "chipId", "recipientIds"]); // ids only
      expect(e.data).toMatchObject({ campaignId: id, chipId });
      expect(e.data.recipientIds.length).toBeLessThanOrEqual(RECIPIENTS_PER_RUN);
    }
    expect(events.filter((e) => e.data.recipientIds.length === RECIPIENTS_PER_RUN)).toHaveLength(1234);
    const sentIds = events.flatMap((e) => e.data.recipientIds);
    const rows = await db().select({ id: campaignRecipients.id }).from(campaignRecipients).where(and(eq(campaignRecipients.campaignId, id), eq(campaignRecipients.status, "pending")));
    expect(rows).toHaveLength(12_345);
    expect(new Set(sentIds).size).toBe(sentIds.length);
    expect([...sentIds].sort((a, b) => a - b)).toEqual(rows.map((r) => r.id).sort((a, b) => a - b));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  });

  it("cancel: the run is cancelled by campaign/cancelled with the same campaignId; a cancelled campaign neither starts nor sends", async () => {
    const fn = createCampaignFunction(deps());
    expect(fn.opts.cancelOn).toEqual([{ event: "campaign/cancelled", match: "data.campaignId" }]);
    for (const send of createSendFunctions(deps())) expect(send.opts.cancelOn).toEqual([{ event: "campaign/cancelled", match: "data.campaignId" }]);

    const { id } = await confirmedCampaign(3);
    await cancelCampaign(db(), gestor, id);
    const { engine } = campaignEngine();
    const out = await engine.execute({ events: [confirmedEvent(id)] });
    expect(out.result).toEqual({ campaignId: id, status: "not_started", reason: "cancelled" });

    // Send runs still queued when it was cancelled mid-way find it cancelled and send nothing.
    const started = await startedCampaign(3);
    await cancelCampaign(db(), gestor, started.id);
    const sent = await runSend(sendEventFor(started.id, started.rows.map((r) => r.id)));
    expect(sent.result).toMatchObject({ results: started.rows.map((r) => ({ recipientId: r.id, result: "campaign_not_sending", campaignStatus: "cancelled" })) });
    expect(accepted()).toBe(0);
  });

  it("paused mid-way: the run waits for campaign/resumed, then dispatches the pending rows again and completes", async () => {
    const { id } = await confirmedCampaign(4);
    // @inngest/test may still be running duplicate executions of the send runs' parallel steps after a run
    // resolved; one started after the resume would send its row itself (legitimately: it is pending and the
    // campaign sending) and leave it out of the second fan-out. The resume waits until no send step has
    // started for 300 ms (sendStep is the only caller of deps.client()).
    let sendSteps = 0;
    const d = deps();
    const counted: DispatchDeps = { ...d, client: () => (sendSteps++, d.client()) };
    const quiet = async () => {
      for (let last = -1; last !== sendSteps; ) {
        last = sendSteps;
        await new Promise((r) => setTimeout(r, 300));
      }
    };
    const { engine, payloads, deliver, waitForEvent } = campaignEngine(counted, {
      "resume-0": async () => {
        await quiet();
        expect(sendSteps).toBeGreaterThanOrEqual(4);
        expect(accepted()).toBe(0);
        await resumeCampaign(db(), { id, organizationId: orgId }, gestor.userId);
        return { name: "campaign/resumed", data: { campaignId: id } };
      },
    });
    const first = deliver("fan-out-0-0-0");
    const out = await engine.execute({
      events: [confirmedEvent(id)],
      steps: [
        {
          id: "fan-out-0-0-0",
          handler: async () => {
            await pauseCampaign(db(), { id, organizationId: orgId }, "Pausada por um gestor.", gestor.userId);
            return first.handler(); // the send runs find it paused: nothing sent, rows stay pending
          },
        },
        deliver("fan-out-1-0-0"),
        { id: "watch-wait-1", handler: () => null },
      ],
    });
    expect(out.error).toBeUndefined();
    expect(waitForEvent).toHaveBeenCalledWith("resume-0", { event: "campaign/resumed", match: "data.campaignId", timeout: "1h" });
    expect(payloads.get("fan-out-1-0-0")!.flatMap((e) => e.data.recipientIds)).toHaveLength(4);
    expect(out.result).toMatchObject({ status: "completed", total: 4 });
    expect(accepted()).toBe(4);
    expect(acceptedTwice()).toEqual([]);
  });
  it("a campaign started by an earlier run (a lost step result, a duplicate event) is not fanned out twice: due rows nobody sends for STALL_MS are", async () => {
    const { id } = await confirmedCampaign(3);
    await startCampaign(db(), id);
    const t0 = Date.now();
    clock = new Date(t0);
    const { engine, payloads, deliver } = campaignEngine();
    const out = await engine.execute({
      events: [confirmedEvent(id)],
      steps: [
        { id: "watch-wait-0", handler: () => ((clock = new Date(t0 + 60_000)), null) }, // one minute: not yet stalled
        { id: "watch-wait-1", handler: () => ((clock = new Date(t0 + STALL_MS + 1000)), null) },
        deliver("fan-out-0-0-0"),
        { id: "watch-wait-2", handler: () => null },
      ],
    });
    expect(out.error).toBeUndefined();
    expect(out.result).toMatchObject({ status: "completed", total: 3 });
    expect([...payloads.keys()]).toEqual(["fan-out-0-0-0"]); // once, after the stall
    expect(accepted()).toBe(3);
  });

  it("near its step budget a run hands over to a new one (campaign/watch), which goes on with the fan-out from its cursor", async () => {
    const { id } = await confirmedCampaign(3);
    // Budget for the start, one fan-out page and one look: the second look hands over.
    const first = campaignEngine(deps(), {}, { stepBudget: 17 });
    const out = await first.engine.execute({
      events: [confirmedEvent(id)],
      steps: [
        { id: "fan-out-0-0-0", handler: () => ({ ids: [] }) }, // the events go nowhere
        { id: "watch-wait-0", handler: () => null },
        { id: "hand-over", handler: () => ({ ids: ["watch"] }) },
      ],
    });
    expect(out.error).toBeUndefined();
    expect(out.result).toEqual({ campaignId: id, status: "handed_over", generation: 1, fanOut: null });
    const [handOver] = first.payloads.get("hand-over")!;
    expect(handOver).toMatchObject({ name: "campaign/watch", data: { campaignId: id, organizationId: orgId, chipId, generation: 1, fanOut: null } });

    // The next run, as if the first had stopped mid fan-out: it sends from the cursor, then watches to the end.
    const next = campaignEngine();
    const out2 = await next.engine.execute({
      events: [{ name: "campaign/watch", data: { ...handOver!.data, fanOut: { cursor: 0, dueOnly: false } } as never }],
      steps: [next.deliver("fan-out-0-0-0"), { id: "watch-wait-0", handler: () => null }],
    });
    expect(out2.error).toBeUndefined();
    expect(out2.result).toMatchObject({ status: "completed", total: 3 });
    expect(accepted()).toBe(3);
  });
  it("outside the campaign's send window the send steps defer; the run sleeps until the window opens (sleepUntil), then dispatches again", async () => {
    // Next Sunday 03:00 on the organization's clock; the window is 08:00–20:00 Monday to Friday.
    let day = new Date(Date.now() + 86_400_000);
    while (new Date(`${dateToZonedLocal(day, SP).slice(0, 10)}T12:00:00Z`).getUTCDay() !== 0) day = new Date(day.getTime() + 86_400_000);
    const sunday = dateToZonedLocal(day, SP).slice(0, 10);
    const night = zonedLocalToDate(`${sunday}T03:00`, SP)!;
    const monday = zonedLocalToDate(`${new Date(new Date(`${sunday}T12:00:00Z`).getTime() + 86_400_000).toISOString().slice(0, 10)}T08:00`, SP)!;
    const { id } = await confirmedCampaign(3);
    await db().update(campaigns).set({ sendWindow: { start: "08:00", end: "20:00", days: [1, 2, 3, 4, 5] } }).where(eq(campaigns.id, id));
    clock = night;
    const deferred: unknown[] = [];
    const { engine, deliver } = campaignEngine();
    const first = deliver("fan-out-0-0-0");
    const out = await engine.execute({
      events: [confirmedEvent(id)],
      steps: [
        {
          id: "fan-out-0-0-0",
          handler: async () => {
            const events = await first.handler();
            deferred.push(accepted());
            return events;
          },
        },
        { id: "window-0", handler: () => ((clock = new Date(monday.getTime() + 1000)), null) },
        deliver("fan-out-1-0-0"),
        { id: "watch-wait-1", handler: () => null },
      ],
    });
    expect(out.error).toBeUndefined();
    expect(deferred).toEqual([0]); // on Sunday night nothing went out
    expect(out.ctx.step.sleepUntil).toHaveBeenCalledWith("window-0", monday);
    expect(out.result).toMatchObject({ status: "completed", total: 3 });
    expect(accepted()).toBe(3);
  });

  it("Meta's messaging limit used up: the send steps defer, the run looks again later and sends when there is room", async () => {
    const { id } = await confirmedCampaign(2);
    // 250 unique users reached in the last 24 h by another campaign, on the lowest tier.
    const other = await startedCampaign(1);
    await db().insert(campaignRecipients).values(
      Array.from({ length: 250 }, (_, i) => ({ organizationId: orgId, campaignId: other.id, chipId, phone: `+5521${String(i).padStart(9, "0")}`, status: "sent" as const, sentAt: new Date() })),
    );
    await db().update(organizations).set({ messagingLimitTier: "TIER_250" }).where(eq(organizations.id, orgId));
    try {
      const { engine, payloads, deliver } = campaignEngine();
      const out = await engine.execute({
        events: [confirmedEvent(id)],
        steps: [
          deliver("fan-out-0-0-0"),
          {
            id: "limit-wait-0",
            handler: async () => {
              expect(accepted()).toBe(0);
              await db().delete(campaignRecipients).where(and(eq(campaignRecipients.campaignId, other.id), sql`${campaignRecipients.contactId} is null`));
              forgetMessagingRoom();
              return null;
            },
          },
          deliver("fan-out-1-0-0"),
          { id: "watch-wait-1", handler: () => null },
        ],
      });
      expect(out.error).toBeUndefined();
      expect(out.ctx.step.sleep).toHaveBeenCalledWith("limit-wait-0", "5m");
      expect(payloads.get("fan-out-1-0-0")!.flatMap((e) => e.data.recipientIds)).toHaveLength(2);
      expect(out.result).toMatchObject({ status: "completed", total: 2 });
      expect(accepted()).toBe(2);
    } finally {
      await db().update(organizations).set({ messagingLimitTier: "TIER_2K" }).where(eq(organizations.id, orgId));
      await cancelCampaign(db(), gestor, other.id);
    }
  });
});

describe("send functions", () => {
  it("a run of 10 sends each recipient once in parallel steps, however often a step runs; the same run again sends nothing", async () => {
    const { id, rows } = await startedCampaign(10);
    const event = sendEventFor(id, rows.map((r) => r.id));
    let stepRuns = 0;
    const counting: DispatchDeps = { ...deps(), encryptionKey: () => (stepRuns++, key) }; // read once per step run
    const first = await runSend(event, counting);
    expect(first.error).toBeUndefined();
    // @inngest/test executes parallel steps more than once (each chain re-runs the steps not yet memoized): every
    // run past the first found its row no longer pending.
    expect(stepRuns).toBeGreaterThanOrEqual(10);
    const results = (first.result as { results: { recipientId: number; result: string; rowStatus?: string }[] }).results;
    expect(results.map((r) => r.recipientId)).toEqual(rows.map((r) => r.id));
    // A duplicate that ran while another execution had the row claimed saw it `sending`.
    for (const r of results) expect(r.result === "sent" || (r.result === "not_pending" && ["sent", "sending"].includes(r.rowStatus!))).toBe(true);
    await settle(id);
    expect(accepted()).toBe(10);
    // Replayed: the whole run again, and two at once — every step runs for real and finds its row sent.
    const again = await Promise.all([runSend(event), runSend(event)]);
    for (const r of again) expect(r.result).toMatchObject({ results: rows.map((row) => ({ recipientId: row.id, result: "not_pending", rowStatus: "sent" })) });
    await settle(id);
    expect(accepted()).toBe(10);
    expect(acceptedTwice()).toEqual([]);
    for (const r of rows) expect(await recipientRow(r.id)).toMatchObject({ status: "sent", attempts: 1 });
  });

  it("a replayed step (send-<id> run twice) does not send again", async () => {
    const { id, rows } = await startedCampaign(1);
    const event = sendEventFor(id, [rows[0]!.id]);
    const fn = createSendFunctions(deps())[1]!;
    const once = await new InngestTestEngine({ function: fn, events: [event] }).executeStep(`send-${rows[0]!.id}`);
    const twice = await new InngestTestEngine({ function: fn, events: [event] }).executeStep(`send-${rows[0]!.id}`);
    expect(once.result).toMatchObject({ result: "sent" });
    expect(twice.result).toEqual({ recipientId: rows[0]!.id, result: "not_pending", rowStatus: "sent" });
    expect(sim.stats().acceptedByDestination).toEqual({ [rows[0]!.phone!.slice(1)]: 1 });
  });

  it("0003 (two HTTP 500s): a plain error each time, so Inngest retries; a retry before the row's next attempt waits (RetryAfterError); the third attempt sends", async () => {
    const { id, rows } = await startedCampaign(1, ["0003"]);
    const row = rows[0]!;
    const event = sendEventFor(id, [row.id]);
    const makeDue = () => db().update(campaignRecipients).set({ nextAttemptAt: sql`now()` }).where(eq(campaignRecipients.id, row.id));

    const a1 = await runSend(event);
    expect(a1.error?.name).toBe("Error"); // retried by Inngest with its own backoff (15 s, 30 s, …)
    expect(a1.error?.message).toMatch(/131000/);
    const after1 = await recipientRow(row.id);
    expect(after1).toMatchObject({ status: "pending", attempts: 1, errorCode: 131000 });
    expect(after1.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());

    // Inngest came back before the row's next attempt: nothing claimed, nothing sent, come back then.
    const early = await runSend(event);
    expect(early.error?.name).toBe("RetryAfterError");
    expect(early.error?.message).toContain(after1.nextAttemptAt!.toISOString());
    expect(await recipientRow(row.id)).toMatchObject({ status: "pending", attempts: 1 });

    await makeDue();
    const a2 = await runSend(event);
    expect(a2.error?.name).toBe("Error");
    expect(await recipientRow(row.id)).toMatchObject({ status: "pending", attempts: 2 });

    await makeDue();
    const a3 = await runSend(event);
    expect(a3.error).toBeUndefined();
    expect(a3.result).toMatchObject({ results: [{ recipientId: row.id, result: "sent" }] });
    expect(await recipientRow(row.id)).toMatchObject({ status: "sent", attempts: 3 });
    expect(sim.stats().acceptedByDestination).toEqual({ [row.phone!.slice(1)]: 1 });
  });

  it("0007 (131056, pair rate): RetryAfterError at the row's next attempt; once the attempts are exhausted, NonRetriableError", async () => {
    const { id, rows } = await startedCampaign(1, ["0007"]);
    const row = rows[0]!;
    const event = sendEventFor(id, [row.id]);
    const before = Date.now();
    const a1 = await runSend(event);
    expect(a1.error?.name).toBe("RetryAfterError");
    const r1 = await recipientRow(row.id);
    expect(r1).toMatchObject({ status: "pending", attempts: 1, errorCode: 131056 });
    // The core's wait for a "later" error: at least its minute.
    expect(r1.nextAttemptAt!.getTime()).toBeGreaterThanOrEqual(before + 60_000);
    expect(a1.error?.message).toContain(r1.nextAttemptAt!.toISOString());

    // The fifth claim is the last (MAX_ATTEMPTS): the same answer is now final.
    await db().update(campaignRecipients).set({ attempts: 4, nextAttemptAt: sql`now()` }).where(eq(campaignRecipients.id, row.id));
    const a5 = await runSend(event);
    expect(a5.error?.name).toBe("NonRetriableError");
    expect(await recipientRow(row.id)).toMatchObject({ status: "failed", attempts: 5, errorCode: 131056 });
    expect(accepted()).toBe(0);
  });

  it("a permanent error for the recipient (a variable with a line break, 132018) is final: NonRetriableError, never sent", async () => {
    const { id, rows } = await startedCampaign(1);
    const row = rows[0]!;
    await db().update(campaignRecipients).set({ variables: { header: [], body: ["Ana\nSilva"] } }).where(eq(campaignRecipients.id, row.id));
    const out = await runSend(sendEventFor(id, [row.id]));
    expect(out.error?.name).toBe("NonRetriableError");
    expect(out.error?.message).toMatch(/132018/);
    expect(await recipientRow(row.id)).toMatchObject({ status: "failed", attempts: 1, errorCode: 132018 });
    const again = await runSend(sendEventFor(id, [row.id]));
    expect(again.result).toMatchObject({ results: [{ result: "not_pending", rowStatus: "failed" }] });
    expect(accepted()).toBe(0);
  });

  it("a lost answer (0004) is indeterminate: NonRetriableError, and never sent again", async () => {
    const { id, rows } = await startedCampaign(1, ["0004"]);
    const row = rows[0]!;
    const out = await runSend(sendEventFor(id, [row.id]), deps(500));
    expect(out.error?.name).toBe("NonRetriableError");
    expect(await recipientRow(row.id)).toMatchObject({ status: "indeterminate", attempts: 1 });
    const again = await runSend(sendEventFor(id, [row.id]), deps(500));
    expect(again.result).toMatchObject({ results: [{ result: "not_pending", rowStatus: "indeterminate" }] });
    expect(accepted()).toBe(1); // the API did accept it, once
  });

  it("an invalid template name (132001) pauses the campaign with the reason: the step ends, the row waits for the resume", async () => {
    const { id, rows } = await startedCampaign(2);
    const c = await campaignRow(id);
    await db()
      .update(campaigns)
      .set({ frozenTemplate: { ...(c.frozenTemplate as object), name: "template_que_nao_existe" } })
      .where(eq(campaigns.id, id));
    const out = await runSend(sendEventFor(id, [rows[0]!.id]));
    expect(out.error).toBeUndefined();
    expect(out.result).toMatchObject({ results: [{ recipientId: rows[0]!.id, result: "released", pausedReason: expect.stringMatching(/template/i) }] });
    expect(await campaignRow(id)).toMatchObject({ status: "paused", pausedReason: expect.stringMatching(/template/i) });
    expect(await recipientRow(rows[0]!.id)).toMatchObject({ status: "pending", attempts: 0 });
    // The rest of the campaign's runs find it paused.
    const next = await runSend(sendEventFor(id, [rows[1]!.id]));
    expect(next.result).toMatchObject({ results: [{ result: "campaign_not_sending", campaignStatus: "paused" }] });
    expect(accepted()).toBe(0);
  });

  it("a chip whose quality went red pauses the campaign at its next send, with the worker's reason; nothing is sent", async () => {
    const { id, rows } = await startedCampaign(2);
    await db().update(chips).set({ qualityRating: "red" }).where(eq(chips.id, chipId));
    try {
      const out = await runSend(sendEventFor(id, [rows[0]!.id]));
      expect(out.result).toMatchObject({ results: [{ result: "paused", pausedReason: QUALITY_RED_REASON }] });
      expect(await campaignRow(id)).toMatchObject({ status: "paused", pausedReason: QUALITY_RED_REASON });
      expect(await recipientRow(rows[0]!.id)).toMatchObject({ status: "pending", attempts: 0 });
      expect(accepted()).toBe(0);
    } finally {
      await db().update(chips).set({ qualityRating: "unknown" }).where(eq(chips.id, chipId));
    }
  });
});
