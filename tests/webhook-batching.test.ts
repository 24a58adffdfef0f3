import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq, inArray, sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { campaignRecipients, campaigns, chips, consentEvents, contacts, templates } from "@/db/schema";
import { DEMO_CHIPS } from "@/db/seed";
import { encryptSecret, generateKey } from "@/lib/crypto";
import { clearChipCache } from "@/lib/whatsapp/process-webhook";
import { signPayload } from "@/lib/whatsapp/signature";
import {
  applyStatusBatch,
  setStatusBatcher,
  StatusBatcher,
  statusBatcherFor,
  type StatusBatcherOptions,
  type StatusItem,
} from "@/lib/whatsapp/status-batcher";
import { handleWebhookPost } from "@/lib/whatsapp/webhook-handler";
import { isWebhookRequest, serveWebhook } from "@/lib/whatsapp/webhook-http";
import { createOrganization } from "./support/fixtures";

// Status webhooks are group-committed (lib/whatsapp/status-batcher.ts): the statuses of concurrent requests go to
// the database in one statement, and each request is answered only after that statement committed.

const SECRET = "app-secret-de-teste";
const PNID = DEMO_CHIPS[0].phoneNumberId;
let orgId: string;
let chipId: number;
let campaignId: number;
let campaign2Id: number;
let seq = 0;

const unix = (offsetS = 0) => String(Math.floor(Date.now() / 1000) + offsetS);
const envelope = (value: Record<string, unknown>) => ({
  object: "whatsapp_business_account",
  entry: [
    {
      id: "200000000000001",
      changes: [
        {
          field: "messages",
          value: { messaging_product: "whatsapp", metadata: { display_phone_number: "551140001000", phone_number_id: PNID }, ...value },
        },
      ],
    },
  ],
});
const statusBody = (wamid: string, status: string, extra: Record<string, unknown> = {}) =>
  envelope({ statuses: [{ id: wamid, status, timestamp: unix(), recipient_id: "5511987650000", ...extra }] });
const post = (body: unknown) => {
  const raw = Buffer.from(JSON.stringify(body));
  return handleWebhookPost(getDb(), raw, signPayload(raw, SECRET), SECRET);
};

const newContact = async () => {
  const phone = `+55119${String(++seq).padStart(8, "0")}`;
  return (await getDb().insert(contacts).values({ organizationId: orgId, name: `Contato ${seq}`, phone, optInStatus: "opted_in" }).returning())[0]!;
};
const newRecipient = async (opts: { wamid?: string | null; status?: "sending" | "sent" | "delivered" | "read" | "failed" | "skipped" | "pending" | "indeterminate"; contactId?: number; campaign?: number } = {}) => {
  const contactId = opts.contactId ?? (await newContact()).id;
  return (
    await getDb()
      .insert(campaignRecipients)
      .values({
        organizationId: orgId,
        campaignId: opts.campaign ?? campaignId,
        contactId,
        chipId,
        wamid: opts.wamid === undefined ? `wamid.batch.${++seq}` : opts.wamid,
        status: opts.status ?? "sending",
      })
      .returning()
  )[0]!;
};
const rows = async (ids: number[]) => {
  const found = await getDb().select().from(campaignRecipients).where(inArray(campaignRecipients.id, ids));
  return ids.map((id) => found.find((r) => r.id === id)!);
};

/** A batcher whose first event waits `lingerMs` for company: concurrent requests land in one statement. */
const useBatcher = (options: Partial<StatusBatcherOptions>) => {
  const db = getDb();
  const batcher = new StatusBatcher((items) => applyStatusBatch(db, items), options);
  setStatusBatcher(db, batcher);
  return batcher;
};

beforeAll(async () => {
  clearChipCache();
  orgId = (await createOrganization()).id;
  const db = getDb();
  [{ id: chipId }] = await db
    .insert(chips)
    .values({ organizationId: orgId, name: "Vendas", displayNumber: "+551140001000", phoneNumberId: PNID, wabaId: DEMO_CHIPS[0].wabaId, accessTokenEncrypted: encryptSecret(DEMO_CHIPS[0].accessToken, generateKey()) })
    .returning();
  const [tpl] = await db.insert(templates).values({ organizationId: orgId, wabaId: "w", name: "promo", category: "marketing", status: "approved" }).returning();
  [{ id: campaignId }] = await db.insert(campaigns).values({ organizationId: orgId, name: "Campanha 1", chipId, templateId: tpl!.id, status: "sending" }).returning();
  [{ id: campaign2Id }] = await db.insert(campaigns).values({ organizationId: orgId, name: "Campanha 2", chipId, templateId: tpl!.id, status: "sending" }).returning();
});

afterEach(() => {
  // Back to the process's default batcher.
  setStatusBatcher(getDb(), new StatusBatcher((items) => applyStatusBatch(getDb(), items)));
});

describe("group commit through the production fast path (node:http)", () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (isWebhookRequest(req)) void serveWebhook(req, res, { db: getDb, appSecret: () => SECRET, verifyToken: () => "tok" });
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/whatsapp`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("answers the handshake, refuses a bad signature (401) and a body over 1 MB (413), declared or streamed", async () => {
    const ok = await fetch(`${url}?hub.mode=subscribe&hub.verify_token=tok&hub.challenge=42`);
    expect([ok.status, await ok.text()]).toEqual([200, "42"]);
    expect((await fetch(`${url}?hub.mode=subscribe&hub.verify_token=outro&hub.challenge=42`)).status).toBe(403);
    const body = JSON.stringify(statusBody("wamid.x", "sent"));
    const forged = await fetch(url, { method: "POST", body, headers: { "x-hub-signature-256": signPayload(body, "outro") } });
    expect(forged.status).toBe(401);
    const big = Buffer.alloc(1024 * 1024 + 1, 32);
    const declared = await fetch(url, { method: "POST", body: big, headers: { "x-hub-signature-256": signPayload(big, SECRET) } });
    expect(declared.status).toBe(413);
    // No content-length: chunks of 300 KB until the server has had enough (it answers and closes the connection).
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = request(url, { method: "POST", headers: { "x-hub-signature-256": "sha256=00" } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on("error", (err) => setTimeout(() => reject(err), 1000)); // a reset after the answer is expected
      let n = 0;
      const next = () => (n++ < 5 ? req.write(Buffer.alloc(300 * 1024, 32), next) : req.end());
      next();
    });
    expect(streamed).toBe(413);
  });

  it("200 concurrent status POSTs are answered 200 only after their rows changed, in a handful of statements", async () => {
    const recipients = await Promise.all(Array.from({ length: 200 }, () => newRecipient()));
    const ids = recipients.map((r) => r.id);
    const before = statusBatcherFor(getDb()).stats().batches;

    // Another transaction holds the 200 rows: no status can be written until it ends.
    const locker = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    const reader = postgres(process.env.DATABASE_URL!, { max: 4, onnotice: () => {} });
    let release!: () => void;
    const locked = new Promise<void>((resolve) => {
      void locker.begin(async (tx) => {
        await tx`select id from campaign_recipients where id in ${tx(ids)} for update`;
        resolve();
        await new Promise<void>((r) => (release = r));
      });
    });
    await locked;

    let answered = 0;
    const seenAtAnswer: string[] = [];
    const requests = recipients.map(async (r) => {
      const body = JSON.stringify(statusBody(r.wamid!, "delivered"));
      const res = await fetch(url, { method: "POST", body, headers: { "content-type": "application/json", "x-hub-signature-256": signPayload(body, SECRET) } });
      answered++;
      // What the database holds the moment the answer arrives.
      const [row] = await reader`select status from campaign_recipients where id = ${r.id}`;
      seenAtAnswer.push(row!.status as string);
      return res.status;
    });

    await new Promise((r) => setTimeout(r, 400));
    expect(answered).toBe(0); // nobody is told 200 while the writes cannot commit
    release();
    const statuses = await Promise.all(requests);
    await locker.end();
    await reader.end();

    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(seenAtAnswer).toHaveLength(200);
    expect(seenAtAnswer.every((s) => s === "delivered")).toBe(true);
    expect((await rows(ids)).every((r) => r.status === "delivered" && r.deliveredAt && r.sentAt)).toBe(true);
    const statements = statusBatcherFor(getDb()).stats().batches - before;
    expect(statements).toBeGreaterThan(0);
    expect(statements).toBeLessThanOrEqual(10);
  });
});

describe("one batch", () => {
  it("out-of-order sent/delivered/read end as read with all three times; the same status twice; unknown wamids mixed in", async () => {
    const batcher = useBatcher({ lingerMs: 150 });
    const a = await newRecipient();
    const b = await newRecipient();
    const c = await newRecipient({ wamid: null }); // the send's answer has not arrived yet: found by callback data
    // One clock reading for the whole test: the assertions must not cross a second boundary the posts did not.
    const now = Number(unix());
    const at = (s: number) => String(now + s);
    const results = await Promise.all([
      post(statusBody(a.wamid!, "read", { timestamp: at(30) })),
      post(statusBody(b.wamid!, "delivered", { timestamp: at(5), pricing: { billable: true, pricing_model: "PMP", category: "marketing", type: "regular" } })),
      post(statusBody(a.wamid!, "sent", { timestamp: at(0) })),
      post(statusBody("wamid.desconhecido.1", "delivered")),
      post(statusBody(b.wamid!, "delivered", { timestamp: at(9) })),
      post(statusBody(a.wamid!, "delivered", { timestamp: at(10) })),
      post(statusBody("wamid.cb.batch", "sent", { biz_opaque_callback_data: String(c.id) })),
      post(statusBody("wamid.desconhecido.2", "read")),
    ]);
    expect(batcher.stats().batches).toBe(1);
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(results.map((r) => r.outcome?.statusesApplied)).toEqual([1, 1, 1, 0, 1, 1, 1, 0]);
    expect(results.map((r) => r.outcome?.statusesIgnored)).toEqual([0, 0, 0, 1, 0, 0, 0, 1]);

    const [ra, rb, rc] = await rows([a.id, b.id, c.id]);
    // Arrival order inside the batch decides the times, as one at a time would: the read came first.
    const t = (s: number) => new Date((now + s) * 1000);
    expect(ra).toMatchObject({ status: "read", sentAt: t(30), deliveredAt: t(30), readAt: t(30) });
    expect(rb).toMatchObject({ status: "delivered", sentAt: t(5), deliveredAt: t(5), readAt: null, billable: true });
    expect(rc).toMatchObject({ status: "sent", wamid: "wamid.cb.batch" });
    // Meta's pricing object is what the report bills: none came for a, a free one now comes for c.
    expect(ra!.billable).toBeNull();
    const free = await post(statusBody("wamid.cb.batch", "delivered", { pricing: { billable: false, pricing_model: "PMP", category: "service", type: "free_customer_service" } }));
    expect(free.outcome?.statusesApplied).toBe(1);
    expect((await rows([c.id]))[0]).toMatchObject({ status: "delivered", billable: false });
  });

  it("a failed 131050 opts the contact out once, with one consent event, even twice in the batch and for two campaigns", async () => {
    const batcher = useBatcher({ lingerMs: 150 });
    const person = await newContact();
    const r1 = await newRecipient({ contactId: person.id, status: "sent" });
    const r2 = await newRecipient({ contactId: person.id, status: "sent", campaign: campaign2Id });
    const fail = (wamid: string) =>
      statusBody(wamid, "failed", { errors: [{ code: 131050, title: "User stopped marketing messages", message: "parou" }] });
    const results = await Promise.all([post(fail(r1.wamid!)), post(fail(r2.wamid!)), post(fail(r1.wamid!))]);
    expect(batcher.stats().batches).toBe(1);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.reduce((n, r) => n + (r.outcome?.optOuts ?? 0), 0)).toBe(1);
    expect((await rows([r1.id, r2.id])).map((r) => [r.status, r.errorCode])).toEqual([
      ["failed", 131050],
      ["failed", 131050],
    ]);
    const [c] = await getDb().select().from(contacts).where(eq(contacts.id, person.id));
    expect(c).toMatchObject({ optInStatus: "opted_out", optInSource: "api_error" });
    const events = await getDb().select().from(consentEvents).where(eq(consentEvents.contactId, person.id));
    expect(events).toMatchObject([{ status: "opted_out", source: "api_error", chipId, campaignId }]);
  });

  it("a database error fails every request of the batch with 500 and writes none of it; Meta's re-delivery then succeeds", async () => {
    const batcher = useBatcher({ lingerMs: 150 });
    const good = await Promise.all(Array.from({ length: 9 }, () => newRecipient()));
    const bad = await newRecipient({ wamid: "wamid.boom" });
    const db = getDb();
    await db.execute(
      sql.raw(`create or replace function boom() returns trigger language plpgsql as $$ begin raise exception 'disco cheio (simulado)'; end $$`),
    );
    await db.execute(sql.raw(`create trigger boom before update on campaign_recipients for each row when (old.wamid = 'wamid.boom') execute function boom()`));
    const bodies = [...good, bad].map((r) => statusBody(r.wamid!, "delivered"));
    try {
      const results = await Promise.all(bodies.map((b) => post(b)));
      expect(batcher.stats()).toMatchObject({ batches: 1, failedBatches: 1 });
      expect(results.map((r) => r.status)).toEqual(Array(10).fill(500));
      expect((await rows(good.map((r) => r.id))).every((r) => r.status === "sending" && r.deliveredAt === null)).toBe(true);
    } finally {
      await db.execute(sql.raw(`drop trigger boom on campaign_recipients`));
    }
    const again = await Promise.all(bodies.map((b) => post(b)));
    expect(again.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect((await rows([...good, bad].map((r) => r.id))).every((r) => r.status === "delivered")).toBe(true);
  });

  it("an event that breaks a constraint fails only its own request: the batch is re-applied one event at a time", async () => {
    const batcher = useBatcher({ lingerMs: 150 });
    const orphans = await Promise.all([newRecipient({ wamid: null }), newRecipient({ wamid: null })]);
    const others = await Promise.all(Array.from({ length: 4 }, () => newRecipient()));
    // Two rows without a wamid yet, each named by its callback data, both claiming the same new wamid: together
    // they break the unique index. Alone, the first takes it; the second then names a wamid that is another
    // row's, and is ignored.
    const results = await Promise.all([
      ...others.map((r) => post(statusBody(r.wamid!, "sent"))),
      ...orphans.map((o) => post(statusBody("wamid.batch.twice", "sent", { biz_opaque_callback_data: String(o.id) }))),
    ]);
    expect(batcher.stats()).toMatchObject({ batches: 1, splits: 1, failedBatches: 0 });
    expect(results.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect(results.map((r) => r.outcome?.statusesApplied)).toEqual([1, 1, 1, 1, expect.any(Number), expect.any(Number)]);
    expect((await rows(others.map((r) => r.id))).every((r) => r.status === "sent")).toBe(true);
    const after = (await rows(orphans.map((o) => o.id))).map((r) => [r.status, r.wamid]);
    expect(after.sort()).toEqual([
      ["sending", null],
      ["sent", "wamid.batch.twice"],
    ]);
  });

  it("equals applying the events one at a time (random sequences against the rules of process-webhook)", async () => {
    type Status = "pending" | "sending" | "indeterminate" | "sent" | "delivered" | "read" | "failed" | "skipped";
    const initial: Status[] = ["pending", "sending", "indeterminate", "sent", "delivered", "read", "failed", "skipped"];
    const kinds = ["sent", "delivered", "read", "failed"] as const;
    let state = 12345;
    const rand = (n: number) => ((state = (state * 1103515245 + 12345) % 2147483648), state % n);
    const targets = await Promise.all(Array.from({ length: 60 }, (_, i) => newRecipient({ status: initial[i % initial.length] })));
    const base = Date.UTC(2026, 10, 1, 12);
    const items: StatusItem[] = [];
    for (let n = 0; n < 240; n++) {
      const r = targets[rand(targets.length)]!;
      const status = kinds[rand(4)]!;
      items.push({
        organizationId: orgId,
        chipId,
        recipientId: rand(2) ? r.id : null,
        wamid: r.wamid!,
        status,
        ts: new Date(base + rand(100_000) * 1000).toISOString(),
        errorCode: status === "failed" ? 131026 + rand(2) : null,
        errorMessage: status === "failed" ? `Erro ${n}` : null,
      });
    }
    // The rules, one event at a time (statusUpdate before batching).
    type Model = { status: Status; sentAt: string | null; deliveredAt: string | null; readAt: string | null; failedAt: string | null; errorCode: number | null; errorMessage: string | null };
    const model = new Map<number, Model>(
      targets.map((r) => [r.id, { status: r.status as Status, sentAt: null, deliveredAt: null, readAt: null, failedAt: null, errorCode: null, errorMessage: null }]),
    );
    const byWamid = new Map(targets.map((r) => [r.wamid!, r.id]));
    for (const it of items) {
      const m = model.get(it.recipientId ?? byWamid.get(it.wamid)!)!;
      // Nothing moves a failed row again, nor writes its times.
      if (m.status === "failed") continue;
      const from = (list: Status[]) => list.includes(m.status);
      if (it.status !== "failed") m.sentAt ??= it.ts;
      if (it.status === "delivered" || it.status === "read") m.deliveredAt ??= it.ts;
      if (it.status === "read") m.readAt ??= it.ts;
      if (it.status === "sent" && from(["pending", "sending", "indeterminate"])) m.status = "sent";
      if (it.status === "delivered" && from(["pending", "sending", "indeterminate", "sent"])) m.status = "delivered";
      if (it.status === "read" && from(["pending", "sending", "indeterminate", "sent", "delivered"])) m.status = "read";
      if (it.status === "failed" && from(["pending", "sending", "indeterminate", "sent"])) {
        m.failedAt ??= it.ts;
        m.errorCode = it.errorCode;
        m.errorMessage = it.errorMessage;
        m.status = "failed";
      }
    }
    const results = await applyStatusBatch(getDb(), items);
    expect(results.every((r) => r.matched)).toBe(true);
    const iso = (d: Date | null) => (d ? d.toISOString() : null);
    for (const r of await rows(targets.map((t) => t.id)))
      expect({ id: r.id, status: r.status, sentAt: iso(r.sentAt), deliveredAt: iso(r.deliveredAt), readAt: iso(r.readAt), failedAt: iso(r.failedAt), errorCode: r.errorCode, errorMessage: r.errorMessage }).toEqual({ id: r.id, ...model.get(r.id) });
  });
});
