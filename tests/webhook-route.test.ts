import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/webhooks/whatsapp/route";
import { getDb } from "@/db/client";
import { campaignRecipients, campaigns, chips, contacts, templates } from "@/db/schema";
import { DEMO_CHIPS } from "@/db/seed";
import { encryptSecret, generateKey } from "@/lib/crypto";
import { clearChipCache } from "@/lib/whatsapp/process-webhook";
import { signPayload } from "@/lib/whatsapp/signature";
import { isWebhookRequest } from "@/lib/whatsapp/webhook-http";
import { MAX_WEBHOOK_BYTES } from "@/lib/whatsapp/webhook-handler";
import { createOrganization } from "./support/fixtures";

// The App Router route: what `next dev` serves, and in production whatever the fast path's exact match misses
// (server.ts hands /api/webhooks/%77hatsapp to Next.js, which decodes it and routes it here). Same limits as the
// fast path: a body is capped while it is read, with or without Content-Length.

const SECRET = "app-secret-de-teste";
process.env.WHATSAPP_APP_SECRET = SECRET;
process.env.WHATSAPP_VERIFY_TOKEN ??= "token-de-verificacao";

const ENCODED = "http://localhost:3000/api/webhooks/%77hatsapp";
const CHUNK = 64 * 1024;

/** A chunked body (no Content-Length): `source` bytes, or that many spaces, produced only as the server reads. */
const streamed = (source: Buffer | number) => {
  const total = typeof source === "number" ? source : source.length;
  const pulled = { bytes: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const n = Math.min(CHUNK, total - pulled.bytes);
      if (n <= 0) return controller.close();
      const chunk = typeof source === "number" ? new Uint8Array(n).fill(32) : new Uint8Array(source.subarray(pulled.bytes, pulled.bytes + n));
      pulled.bytes += n;
      controller.enqueue(chunk);
    },
    cancel() {
      pulled.cancelled = true;
    },
  });
  return { stream, pulled };
};

const request = (url: string, body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}) =>
  new Request(url, { method: "POST", body, headers, duplex: "half" } as RequestInit & { duplex: "half" });

describe("webhook route (App Router): the fast path's limits", () => {
  it("the encoded path is not the fast path's: it reaches this route through Next.js", () => {
    const req = (url: string) => ({ method: "POST", url }) as Parameters<typeof isWebhookRequest>[0];
    expect(isWebhookRequest(req("/api/webhooks/whatsapp"))).toBe(true);
    expect(isWebhookRequest(req("/api/webhooks/%77hatsapp"))).toBe(false);
  });

  it("a chunked body past 1 MB is refused with 413 after reading just past the cap, on the encoded path", async () => {
    const { stream, pulled } = streamed(16 * 1024 * 1024);
    const res = await POST(request(ENCODED, stream, { "x-hub-signature-256": "sha256=00" }));
    expect(res.status).toBe(413);
    expect(pulled.bytes).toBeLessThanOrEqual(MAX_WEBHOOK_BYTES + 2 * CHUNK);
    expect(pulled.cancelled).toBe(true);
  });

  it("a declared Content-Length over 1 MB is refused before reading anything", async () => {
    const { stream, pulled } = streamed(16 * 1024 * 1024);
    const res = await POST(request(ENCODED, stream, { "content-length": String(MAX_WEBHOOK_BYTES + 1) }));
    expect(res.status).toBe(413);
    expect(pulled.bytes).toBeLessThanOrEqual(CHUNK);
  });

  describe("a signed webhook within the limit", () => {
    let wamid: string;
    let recipientId: number;
    beforeAll(async () => {
      clearChipCache();
      const db = getDb();
      const org = await createOrganization();
      const [chip] = await db
        .insert(chips)
        .values({ organizationId: org.id, name: "Vendas", displayNumber: "+551140001000", phoneNumberId: DEMO_CHIPS[0].phoneNumberId, wabaId: DEMO_CHIPS[0].wabaId, accessTokenEncrypted: encryptSecret(DEMO_CHIPS[0].accessToken, generateKey()) })
        .returning();
      const [tpl] = await db.insert(templates).values({ organizationId: org.id, wabaId: "w", name: "promo", category: "marketing", status: "approved" }).returning();
      const [campaign] = await db.insert(campaigns).values({ organizationId: org.id, name: "C", chipId: chip!.id, templateId: tpl!.id, status: "sending" }).returning();
      const [c] = await db.insert(contacts).values({ organizationId: org.id, name: "Ana", phone: "+5511987650101", optInStatus: "opted_in" }).returning();
      wamid = "wamid.route.1";
      const [r] = await db
        .insert(campaignRecipients)
        .values({ organizationId: org.id, campaignId: campaign!.id, contactId: c!.id, chipId: chip!.id, phone: c!.phone, wamid, status: "sent", sentAt: new Date() })
        .returning();
      recipientId = r!.id;
    });

    it("is read whole from a chunked body and applied", async () => {
      const body = Buffer.from(
        JSON.stringify({
          object: "whatsapp_business_account",
          entry: [
            {
              id: DEMO_CHIPS[0].wabaId,
              changes: [
                {
                  field: "messages",
                  value: {
                    messaging_product: "whatsapp",
                    metadata: { display_phone_number: "551140001000", phone_number_id: DEMO_CHIPS[0].phoneNumberId },
                    statuses: [{ id: wamid, status: "delivered", timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: "5511987650101" }],
                  },
                },
              ],
            },
          ],
        }),
      );
      const padded = Buffer.concat([body, Buffer.alloc(3 * CHUNK, 32)]); // JSON allows trailing spaces: several chunks
      const { stream } = streamed(padded);
      const res = await POST(request(ENCODED, stream, { "x-hub-signature-256": signPayload(padded, SECRET) }));
      expect([res.status, await res.text()]).toEqual([200, "ok"]);
      const [row] = await getDb().select().from(campaignRecipients).where(eq(campaignRecipients.id, recipientId));
      expect(row).toMatchObject({ status: "delivered" });
    });
  });
});
