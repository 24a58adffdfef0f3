import { beforeAll, describe, expect, it } from "vitest";
import { SEND_RETRIES } from "@/inngest/functions/send";

// /api/inngest, the route handler itself, with the SDK in dev mode (INNGEST_DEV=1: no signing key, no signature
// check). GET answers the introspection (mode, function count); the function list with each function's config is
// what the SDK registers — a PUT asking for an in-band sync answers it in the body, with no Inngest server.

type FunctionConfig = {
  id: string;
  name: string;
  triggers: { event?: string }[];
  throttle?: { key?: string; limit: number; period: string; burst?: number };
  cancel?: { event: string; if?: string; timeout?: string }[];
  singleton?: { key?: string; mode: string };
  steps: Record<string, { retries?: { attempts?: number } }>;
};

let route: typeof import("@/app/api/inngest/route");

beforeAll(async () => {
  process.env.INNGEST_DEV = "1";
  delete process.env.INNGEST_SIGNING_KEY;
  route = await import("@/app/api/inngest/route");
});

const call = (method: "GET" | "PUT", init: RequestInit = {}) =>
  (route[method] as unknown as (r: Request, c: unknown) => Promise<Response>)(
    new Request("http://localhost:3000/api/inngest", { method, ...init }),
    { params: Promise.resolve({}) },
  );

describe("/api/inngest", () => {
  it("GET answers in dev mode with the four functions", async () => {
    const res = await call("GET");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ mode: "dev", function_count: 4, has_signing_key: false });
  });

  it("lists the campaign function and the three tier send functions with their triggers, throttles and cancelOn", async () => {
    const res = await call("PUT", {
      headers: { "content-type": "application/json", "x-inngest-sync-kind": "in_band" },
      body: JSON.stringify({ url: "http://localhost:3000/api/inngest" }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { app_id: string; functions: FunctionConfig[] };
    expect(body.app_id).toBe("disparo");
    const byId = new Map(body.functions.map((f) => [f.id, f]));
    expect([...byId.keys()].sort()).toEqual(["disparo-campaign-dispatch", "disparo-campaign-send-1000", "disparo-campaign-send-20", "disparo-campaign-send-80"]);

    const campaign = byId.get("disparo-campaign-dispatch")!;
    expect(campaign.triggers).toEqual([{ event: "campaign/confirmed" }, { event: "campaign/watch" }]);
    expect(campaign.cancel).toEqual([{ event: "campaign/cancelled", if: "event.data.campaignId == async.data.campaignId" }]);
    expect(campaign.singleton).toEqual({ key: "event.data.campaignId", mode: "cancel" });
    expect(campaign.throttle).toBeUndefined();

    for (const [mps, limit] of [[20, 2], [80, 8], [1000, 100]] as const) {
      const send = byId.get(`disparo-campaign-send-${mps}`)!;
      expect(send.triggers).toEqual([{ event: `campaign/send.${mps}` }]);
      // Runs (of 10 recipients) started per second per chip: the tier's messages per second ÷ 10.
      expect(send.throttle).toEqual({ key: "event.data.chipId", limit, period: "1s" });
      expect(send.cancel).toEqual([{ event: "campaign/cancelled", if: "event.data.campaignId == async.data.campaignId" }]);
      expect(Object.values(send.steps)[0]?.retries?.attempts).toBe(SEND_RETRIES);
    }
  });
});
