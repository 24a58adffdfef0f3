import { describe, expect, it } from "vitest";
import { STEP_BUDGET, watchInterval } from "@/inngest/functions/campaign";
import {
  chunkEvents,
  effectiveRate,
  FANOUT_PAGE_IDS,
  groupIds,
  groupSizeFor,
  LATER_CODES,
  MAX_BYTES_PER_SEND,
  MAX_EVENTS_PER_SEND,
  RECIPIENTS_PER_RUN,
  runsPerSecond,
  tierFor,
  TIERS,
  type WatchState,
} from "@/lib/campaigns/dispatch-inngest";

// The Inngest engine's arithmetic (decision 0005), without Inngest or a database.

describe("throughput tiers", () => {
  it("runs per second per chip = the tier's messages per second ÷ recipients per run", () => {
    expect(RECIPIENTS_PER_RUN).toBe(10);
    expect(TIERS.map((t) => [t.mps, runsPerSecond(t)])).toEqual([
      [20, 2],
      [80, 8],
      [1000, 100],
    ]);
  });

  it("a chip takes the fastest tier at or under its limit, and never sends faster than it", () => {
    expect([1, 5, 19, 20, 50, 79, 80, 500, 999, 1000].map((mps) => [mps, tierFor(mps).mps, groupSizeFor(mps), effectiveRate(mps)])).toEqual([
      [1, 20, 1, 2], // below every tier: one recipient a run, two runs a second (the only case above the chip's limit)
      [5, 20, 2, 4],
      [19, 20, 9, 18],
      [20, 20, 10, 20],
      [50, 20, 10, 20],
      [79, 20, 10, 20],
      [80, 80, 10, 80],
      [500, 80, 10, 80],
      [999, 80, 10, 80],
      [1000, 1000, 10, 1000],
    ]);
  });

  it("the later codes come back at the row's next attempt", () => {
    for (const code of [131056, 131049, 130429, 4, 131057]) expect(LATER_CODES.has(code)).toBe(true);
    for (const code of [131000, 131026, 132001, 190]) expect(LATER_CODES.has(code)).toBe(false);
  });
});

describe("fan-out", () => {
  // As the campaign function builds them: the run id (a ULID), the fan-out number and the first recipient id.
  const event = (ids: number[]) => ({ id: `01JDXR5M2Q8ZK3V6N9P4T7W1YA.0.${ids[0]}`, name: "campaign/send.80", data: { campaignId: 1234, chipId: 12, recipientIds: ids } });

  it("12,345 single-id events go in sends of 5,000, 5,000 and 2,345", () => {
    const events = Array.from({ length: 12_345 }, (_, i) => ({ name: "campaign/send.80", data: { r: [i + 1] } }));
    const chunks = chunkEvents(events, MAX_EVENTS_PER_SEND, Number.MAX_SAFE_INTEGER);
    expect(chunks.map((c) => c.length)).toEqual([5000, 5000, 2345]);
    expect(chunks.flat()).toEqual(events);
  });

  it("a full page (50,000 ids, 5,000 events of 10) splits by bytes: every send ≤ 5,000 events and ≤ 248 KiB, in order", () => {
    expect(FANOUT_PAGE_IDS).toBe(50_000);
    const ids = Array.from({ length: FANOUT_PAGE_IDS }, (_, i) => 10_000_000 + i);
    const events = groupIds(ids, RECIPIENTS_PER_RUN).map(event);
    expect(events).toHaveLength(5000);
    const chunks = chunkEvents(events);
    for (const c of chunks) {
      expect(c.length).toBeLessThanOrEqual(MAX_EVENTS_PER_SEND);
      expect(Buffer.byteLength(JSON.stringify(c))).toBeLessThanOrEqual(MAX_BYTES_PER_SEND);
    }
    expect(chunks.length).toBe(5); // ~219 bytes an event: ≤ 1,159 events a send
    expect(Math.max(...chunks.map((c) => c.length))).toBe(1159);
    expect(chunks.flat().flatMap((e) => e.data.recipientIds)).toEqual(ids);
  });

  it("a 1,000,000-recipient campaign fans out in 20 pages of well under a run's step budget", () => {
    const pages = Math.ceil(1_000_000 / FANOUT_PAGE_IDS);
    const perPage = 1 + chunkEvents(groupIds(Array.from({ length: FANOUT_PAGE_IDS }, (_, i) => 10_000_000 + i), RECIPIENTS_PER_RUN).map(event)).length;
    expect(pages * perPage).toBeLessThan(STEP_BUDGET / 5);
  });
});

describe("watch loop", () => {
  const state = (s: Partial<WatchState>): WatchState => ({
    at: "2026-01-01T12:00:00.000Z",
    status: "sending",
    finished: false,
    total: 0,
    pending: 0,
    duePending: 0,
    sending: 0,
    settled: 0,
    nextAttemptAt: null,
    windowOpensAt: null,
    messagingLimitReached: false,
    chipId: 1,
    messagesPerSecond: 80,
    ...s,
  });

  it("sleeps half the due work's time at the chip's rate, between 5 s and 5 min; until the next retry when only retries wait", () => {
    expect(watchInterval(state({ duePending: 100 }))).toBe("5s");
    expect(watchInterval(state({ duePending: 8000 }))).toBe("50s");
    expect(watchInterval(state({ duePending: 1_000_000 }))).toBe("300s");
    expect(watchInterval(state({ pending: 1, nextAttemptAt: "2026-01-01T12:01:00.000Z" }))).toBe("61s");
    expect(watchInterval(state({ pending: 1, nextAttemptAt: "2026-01-02T12:00:00.000Z" }))).toBe("1800s");
  });

  it("a 1,000,000-recipient campaign at 20 msg/s is watched within one run's budget", () => {
    // 50,000 s of sending at ≤ 300 s a look: ~170 looks of two steps each, plus the fan-out's ~100 steps.
    const looks = Math.ceil(1_000_000 / 20 / 300) + 20;
    expect(2 * looks + 100).toBeLessThan(STEP_BUDGET);
  });
});
