import { timingSafeEqual } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { handleWebhookVerification, MAX_WEBHOOK_BYTES, readCappedBody } from "./webhook-handler";

// The comparison itself is what must not leak: a spy on the real timingSafeEqual.
vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:crypto")>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const handshake = (token: string) =>
  new URLSearchParams({ "hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "1158201444" });

describe("webhook verification handshake", () => {
  it("compares the verify token in constant time, over equal-length buffers, whatever the length sent", () => {
    const configured = "token-de-verificacao";
    const cases: [string, number][] = [
      [configured, 200],
      ["token-de-verificacaX", 403], // same length, last character differs
      ["t", 403],
      ["x".repeat(4096), 403],
      ["", 403],
    ];
    for (const [sent, status] of cases) {
      vi.mocked(timingSafeEqual).mockClear();
      expect(handleWebhookVerification(handshake(sent), configured).status, JSON.stringify(sent.slice(0, 20))).toBe(status);
      expect(timingSafeEqual).toHaveBeenCalledTimes(1);
      const [a, b] = vi.mocked(timingSafeEqual).mock.calls[0]!;
      expect(a.byteLength).toBe(b.byteLength);
    }
  });

  it("echoes the challenge only for subscribe with the right token, and refuses without a configured token", () => {
    expect(handleWebhookVerification(handshake("tok"), "tok")).toEqual({ status: 200, body: "1158201444" });
    const wrongMode = new URLSearchParams({ "hub.mode": "unsubscribe", "hub.verify_token": "tok", "hub.challenge": "1" });
    expect(handleWebhookVerification(wrongMode, "tok").status).toBe(403);
    expect(handleWebhookVerification(handshake("tok"), undefined).status).toBe(403);
    expect(handleWebhookVerification(new URLSearchParams({ "hub.mode": "subscribe" }), "tok").status).toBe(403);
  });
});

describe("readCappedBody", () => {
  /** A body of `total` bytes in 64 KB chunks, produced only as they are read; counts what was produced. */
  const body = (total: number) => {
    const pulled = { bytes: 0, cancelled: false };
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const n = Math.min(64 * 1024, total - pulled.bytes);
        if (n <= 0) return controller.close();
        pulled.bytes += n;
        controller.enqueue(new Uint8Array(n).fill(32));
      },
      cancel() {
        pulled.cancelled = true;
      },
    });
    return { stream, pulled };
  };

  it("stops reading just past the cap and cancels the rest", async () => {
    const { stream, pulled } = body(64 * 1024 * 1024);
    expect(await readCappedBody(stream)).toBeNull();
    expect(pulled.bytes).toBeLessThanOrEqual(MAX_WEBHOOK_BYTES + 2 * 64 * 1024);
    expect(pulled.cancelled).toBe(true);
  });

  it("returns a body up to the cap whole, and an absent body as empty", async () => {
    const { stream } = body(MAX_WEBHOOK_BYTES);
    expect((await readCappedBody(stream))?.length).toBe(MAX_WEBHOOK_BYTES);
    expect((await readCappedBody(null))?.length).toBe(0);
  });
});
