import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWhatsAppClient, portfolioTierFrom, type WhatsAppLogEntry } from "@/lib/whatsapp/client";
import { verifySignature } from "@/lib/whatsapp/signature";
import { parseWebhook, type MessageEvent, type StatusEvent } from "@/lib/whatsapp/webhook-payload";
import { demoSimulatorConfig } from "@/scripts/whatsapp-simulator/default-config";
import { startSimulator, type RunningSimulator, type SimulatorOptions } from "@/scripts/whatsapp-simulator/server";

// Contract tests: the real client against the simulator over HTTP (same paths and shapes as the Cloud API).

const demo = demoSimulatorConfig();
const [VENDAS, POS_VENDA] = demo.phoneNumbers;
const TOKENS = demo.phoneNumbers.map((p) => p.accessToken);
const WRONG_TOKEN = "EAAGwrongTokenThatMustNeverBeLogged000000000000000000";
const config = (overrides: Partial<SimulatorOptions> = {}): SimulatorOptions => ({
  ...demo,
  // Vendas fast enough never to hit the limit by accident; Pós-venda slow, for the rate-limit test.
  phoneNumbers: [
    { ...VENDAS, mps: 1000 },
    { ...POS_VENDA, mps: 5 },
  ],
  hangMs: 1500,
  ...overrides,
});

// Everything the client produced in this file: results and log entries. None may contain a token.
const produced: unknown[] = [];
const logs: WhatsAppLogEntry[] = [];
const record = <T>(r: T): T => {
  produced.push(r);
  return r;
};

let sim: RunningSimulator;
let client: ReturnType<typeof createWhatsAppClient>;

const promo = (to: string, callback: string, token = VENDAS.accessToken) =>
  client.sendTemplate({
    phoneNumberId: VENDAS.phoneNumberId,
    accessToken: token,
    to,
    template: {
      name: "promo_black_friday",
      language: "pt_BR",
      headerParameters: [{ type: "image", link: "https://lojaexemplo.com.br/midia/black-friday-2026.jpg" }],
      bodyParameters: ["Maria", "BLACK20"],
    },
    bizOpaqueCallbackData: callback,
  });
const carrinho = (to: string, callback: string, phone = VENDAS) =>
  client.sendTemplate({
    phoneNumberId: phone.phoneNumberId,
    accessToken: phone.accessToken,
    to,
    template: { name: "lembrete_carrinho", language: "pt_BR", bodyParameters: ["João"] },
    bizOpaqueCallbackData: callback,
  });

beforeAll(async () => {
  sim = await startSimulator(config());
  client = createWhatsAppClient({ baseUrl: sim.url, version: "v23.0", log: (e) => logs.push(e) });
});
afterAll(async () => {
  await sim?.stop();
});

describe("sendTemplate against the simulator", () => {
  it("sends a template and gets a wamid; the simulator records the callback data", async () => {
    const r = record(await carrinho("+55 (11) 98765-4321", "recipient-1"));
    expect(r).toMatchObject({ ok: true, httpStatus: 200, waId: "5511987654321", messageStatus: "accepted" });
    if (!r.ok) return;
    expect(r.wamid).toMatch(/^wamid\.[A-Za-z0-9+/=]+$/);
    const [msg] = sim.messages("5511987654321");
    expect(msg).toMatchObject({ wamid: r.wamid, to: "5511987654321", bizOpaqueCallbackData: "recipient-1", type: "template" });
    expect(msg.template?.components).toEqual([{ type: "body", parameters: [{ type: "text", text: "João" }] }]);
  });

  it("sends an image header and body parameters in Meta's shape", async () => {
    const r = record(await promo("5511987650100", "recipient-2"));
    expect(r.ok).toBe(true);
    expect(sim.messages("5511987650100")[0].template).toEqual({
      name: "promo_black_friday",
      language: "pt_BR",
      components: [
        { type: "header", parameters: [{ type: "image", image: { link: "https://lojaexemplo.com.br/midia/black-friday-2026.jpg" } }] },
        { type: "body", parameters: [{ type: "text", text: "Maria" }, { type: "text", text: "BLACK20" }] },
      ],
    });
  });

  it("refuses a media template sent without its header (132012, permanent)", async () => {
    const r = record(
      await client.sendTemplate({
        phoneNumberId: VENDAS.phoneNumberId,
        accessToken: VENDAS.accessToken,
        to: "5511987650101",
        template: { name: "promo_black_friday", language: "pt_BR", bodyParameters: ["Maria", "BLACK20"] },
        bizOpaqueCallbackData: "x",
      }),
    );
    expect(r).toMatchObject({ ok: false, kind: "permanent", code: 132012, httpStatus: 400 });
  });

  it("wrong token → account (190, HTTP 401), with Meta's fbtrace_id", async () => {
    const r = record(await promo("5511987650102", "recipient-3", WRONG_TOKEN));
    expect(r).toMatchObject({ ok: false, kind: "account", retry: "never", code: 190, httpStatus: 401 });
    if (!r.ok) {
      expect(r.fbtraceId).toBeTruthy();
      expect(r.explanation).toMatch(/token/i);
      expect(r.nextStep).toMatch(/Configurações › Chips/);
    }
  });

  it("unknown phone_number_id → account (100 / subcode 33)", async () => {
    const r = record(
      await client.sendTemplate({
        phoneNumberId: "100000000009999",
        accessToken: VENDAS.accessToken,
        to: "5511987650103",
        template: { name: "lembrete_carrinho", language: "pt_BR", bodyParameters: ["João"] },
        bizOpaqueCallbackData: "x",
      }),
    );
    expect(r).toMatchObject({ ok: false, kind: "account", code: 100, subcode: 33 });
  });

  it("unknown template → permanent 132001 (HTTP 404); a pending template does not exist either", async () => {
    for (const name of ["nao_existe", "lancamento_colecao"]) {
      const r = record(
        await client.sendTemplate({
          phoneNumberId: VENDAS.phoneNumberId,
          accessToken: VENDAS.accessToken,
          to: "5511987650104",
          template: { name, language: "pt_BR", bodyParameters: ["a", "b"] },
          bizOpaqueCallbackData: "x",
        }),
      );
      expect(r).toMatchObject({ ok: false, kind: "permanent", code: 132001, httpStatus: 404, scope: "campaign" });
      if (!r.ok) expect(r.message).toContain(name);
    }
    expect(sim.messages("5511987650104")).toHaveLength(0);
  });

  it("wrong parameter count → permanent 132000", async () => {
    const r = record(
      await client.sendTemplate({
        phoneNumberId: VENDAS.phoneNumberId,
        accessToken: VENDAS.accessToken,
        to: "5511987650105",
        template: { name: "aviso_entrega", language: "pt_BR", bodyParameters: ["Carlos", "#48213"] },
        bizOpaqueCallbackData: "x",
      }),
    );
    expect(r).toMatchObject({ ok: false, kind: "permanent", retry: "never", code: 132000, httpStatus: 400 });
    if (!r.ok) expect(r.message).toContain("(2) does not match the expected number of params (3)");
  });

  it("a variable with a line break → permanent 132018", async () => {
    const r = record(await carrinho("5511987650106", "x").then(() =>
      client.sendTemplate({
        phoneNumberId: VENDAS.phoneNumberId,
        accessToken: VENDAS.accessToken,
        to: "5511987650106",
        template: { name: "lembrete_carrinho", language: "pt_BR", bodyParameters: ["João\nSilva"] },
        bizOpaqueCallbackData: "x",
      }),
    ));
    expect(r).toMatchObject({ ok: false, kind: "permanent", code: 132018 });
  });

  it("a burst above the number's mps → transient 130429 (HTTP 400, as Meta answers)", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => carrinho(`55119876502${String(i).padStart(2, "0")}`, `burst-${i}`, POS_VENDA)),
    );
    results.forEach(record);
    const limited = results.filter((r) => !r.ok);
    expect(limited.length).toBeGreaterThan(0);
    for (const r of limited) expect(r).toMatchObject({ kind: "transient", retry: "backoff", code: 130429, httpStatus: 400 });
    const accepted = results.filter((r) => r.ok).length;
    expect(accepted).toBeGreaterThanOrEqual(5);
    const counted = Object.entries(sim.stats().acceptedByDestination).filter(([to]) => to.startsWith("55119876502"));
    expect(counted.reduce((n, [, c]) => n + c, 0)).toBe(accepted);
  });

  it("undeliverable (…0001) is accepted at send time: the failure comes later by webhook", async () => {
    const r = record(await carrinho("5511987650001", "recipient-undeliverable"));
    expect(r.ok).toBe(true);
  });

  it("…0003: two transient 131000 (HTTP 500), then success — accepted exactly once", async () => {
    const to = "5511987650003";
    const first = record(await carrinho(to, "r"));
    const second = record(await carrinho(to, "r"));
    const third = record(await carrinho(to, "r"));
    expect(first).toMatchObject({ ok: false, kind: "transient", retry: "backoff", code: 131000, httpStatus: 500 });
    expect(second).toMatchObject({ ok: false, kind: "transient", code: 131000 });
    expect(third.ok).toBe(true);
    expect(sim.stats().acceptedByDestination[to]).toBe(1);
  });

  it("…0004 hangs past the client timeout → ambiguous, never retried; Meta did accept it", async () => {
    const impatient = createWhatsAppClient({ baseUrl: sim.url, version: "v23.0", timeoutMs: 300, log: (e) => logs.push(e) });
    const started = Date.now();
    const r = record(
      await impatient.sendTemplate({
        phoneNumberId: VENDAS.phoneNumberId,
        accessToken: VENDAS.accessToken,
        to: "5511987650004",
        template: { name: "lembrete_carrinho", language: "pt_BR", bodyParameters: ["João"] },
        bizOpaqueCallbackData: "recipient-hang",
      }),
    );
    expect(Date.now() - started).toBeLessThan(1200);
    expect(r).toMatchObject({ ok: false, kind: "ambiguous", retry: "never", networkCode: "TIMEOUT" });
    // The reason it must not be retried: the simulator (like Meta) accepted the message.
    expect(sim.messages("5511987650004").map((m) => m.bizOpaqueCallbackData)).toEqual(["recipient-hang"]);
  });

  it("…0009 drops the connection after accepting → ambiguous", async () => {
    const r = record(await carrinho("5511987650009", "recipient-dropped"));
    expect(r).toMatchObject({ ok: false, kind: "ambiguous", retry: "never" });
    expect(sim.stats().acceptedByDestination["5511987650009"]).toBe(1);
  });

  it("…0006 → account 131048 (spam limit), …0007 → later 131056 (pair rate limit)", async () => {
    expect(record(await carrinho("5511987650006", "x"))).toMatchObject({ ok: false, kind: "account", code: 131048 });
    const pair = record(await carrinho("5511987650007", "x"));
    expect(pair).toMatchObject({ ok: false, kind: "later", retry: "later", code: 131056 });
    if (!pair.ok) expect(pair.retryAfterMs).toBeGreaterThan(0);
  });

  it("connection refused (nothing listening) → transient, no throw", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((r) => closed.close(() => r()));
    const nowhere = createWhatsAppClient({ baseUrl: `http://127.0.0.1:${port}`, version: "v23.0", log: (e) => logs.push(e) });
    const r = record(
      await nowhere.sendTemplate({
        phoneNumberId: VENDAS.phoneNumberId,
        accessToken: VENDAS.accessToken,
        to: "5511987650110",
        template: { name: "lembrete_carrinho", language: "pt_BR", bodyParameters: ["João"] },
        bizOpaqueCallbackData: "x",
      }),
    );
    expect(r).toMatchObject({ ok: false, kind: "transient", retry: "backoff", networkCode: "ECONNREFUSED" });
    const list = record(await nowhere.listTemplates({ wabaId: VENDAS.wabaId, accessToken: VENDAS.accessToken }));
    expect(list).toMatchObject({ ok: false, kind: "transient" });
  });

  it("a port fetch refuses by itself (bad port) is a configuration problem, not an ambiguous send", async () => {
    const bad = createWhatsAppClient({ baseUrl: "http://127.0.0.1:9", version: "v23.0", log: (e) => logs.push(e) });
    const r = record(await bad.sendText({ phoneNumberId: VENDAS.phoneNumberId, accessToken: VENDAS.accessToken, to: "5511987650111", body: "x" }));
    expect(r).toMatchObject({ ok: false, kind: "account", networkCode: "REQUEST_INVALID" });
  });

  it("an invalid destination is refused locally, without a request", async () => {
    const before = logs.length;
    const r = record(await carrinho("12", "x"));
    expect(r).toMatchObject({ ok: false, kind: "permanent" });
    expect(logs.length).toBe(before);
  });

  it("sendText posts a free-form text without link preview", async () => {
    const r = record(
      await client.sendText({
        phoneNumberId: VENDAS.phoneNumberId,
        accessToken: VENDAS.accessToken,
        to: "+5511987650120",
        body: "Oi! Um consultor vai falar com você.",
        bizOpaqueCallbackData: "flow-1",
      }),
    );
    expect(r.ok).toBe(true);
    expect(sim.messages("5511987650120")[0]).toMatchObject({ type: "text", text: "Oi! Um consultor vai falar com você.", bizOpaqueCallbackData: "flow-1" });
  });
});

describe("listTemplates and getPhoneNumber", () => {
  it("follows the paging cursors and normalises the templates", async () => {
    const before = logs.filter((l) => l.op === "listTemplates").length;
    const r = record(await client.listTemplates({ wabaId: VENDAS.wabaId, accessToken: VENDAS.accessToken, pageSize: 2 }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.pages).toBe(4);
    expect(logs.filter((l) => l.op === "listTemplates").length - before).toBe(4);
    expect(r.templates.map((t) => t.name)).toEqual(demo.templates[VENDAS.wabaId].map((t) => t.name));
    const byName = Object.fromEntries(r.templates.map((t) => [t.name, t]));
    expect(byName.promo_black_friday).toMatchObject({
      metaId: "900000000000001",
      language: "pt_BR",
      category: "marketing",
      status: "approved",
      headerFormat: "image",
      variables: [
        { index: 1, component: "body", example: "Maria" },
        { index: 2, component: "body", example: "BLACK20" },
      ],
      variableCount: 2,
    });
    expect(byName.aviso_entrega).toMatchObject({ category: "utility", headerFormat: "text", variableCount: 3 });
    expect(byName.lancamento_colecao.status).toBe("pending");
    expect(byName.oferta_relampago.status).toBe("rejected");
    expect(byName.boas_vindas_optin.headerFormat).toBeNull();
  });

  it("counts header text placeholders with their examples", async () => {
    const local = await startSimulator(
      config({
        templates: {
          [VENDAS.wabaId]: [
            {
              name: "pedido",
              language: "pt_BR",
              category: "UTILITY",
              status: "APPROVED",
              components: [
                { type: "HEADER", format: "TEXT", text: "Pedido {{1}}", example: { header_text: ["#123"] } },
                { type: "BODY", text: "Oi {{1}}, seu pedido chega {{2}}.", example: { body_text: [["Ana", "amanhã"]] } },
              ],
            },
          ],
        },
      }),
    );
    try {
      const c = createWhatsAppClient({ baseUrl: local.url, version: "v23.0" });
      const r = record(await c.listTemplates({ wabaId: VENDAS.wabaId, accessToken: VENDAS.accessToken }));
      expect(r.ok && r.templates[0]).toMatchObject({
        variables: [
          { index: 1, component: "header", example: "#123" },
          { index: 1, component: "body", example: "Ana" },
          { index: 2, component: "body", example: "amanhã" },
        ],
        variableCount: 3,
      });
      const sent = record(
        await c.sendTemplate({
          phoneNumberId: VENDAS.phoneNumberId,
          accessToken: VENDAS.accessToken,
          to: "5511987650130",
          template: { name: "pedido", language: "pt_BR", headerParameters: [{ type: "text", text: "#9" }], bodyParameters: ["Ana", "hoje"] },
          bizOpaqueCallbackData: "x",
        }),
      );
      expect(sent.ok).toBe(true);
    } finally {
      await local.stop();
    }
  });

  it("listing with a wrong token → account 190", async () => {
    expect(record(await client.listTemplates({ wabaId: VENDAS.wabaId, accessToken: WRONG_TOKEN }))).toMatchObject({
      ok: false,
      kind: "account",
      code: 190,
    });
  });

  it("reads the phone number for “Testar conexão”", async () => {
    const r = record(await client.getPhoneNumber({ phoneNumberId: VENDAS.phoneNumberId, accessToken: VENDAS.accessToken }));
    expect(r).toEqual({
      ok: true,
      id: VENDAS.phoneNumberId,
      displayPhoneNumber: "+55 11 4000-1000",
      verifiedName: "Loja Exemplo",
      qualityRating: "green",
      messagingLimitTier: "TIER_10K",
      portfolioMessagingLimit: "TIER_2K",
      status: "CONNECTED",
    });
    const other = record(await client.getPhoneNumber({ phoneNumberId: POS_VENDA.phoneNumberId, accessToken: POS_VENDA.accessToken }));
    // The portfolio's limit is shared: the same for every number, whatever the old per-number tier says.
    expect(other).toMatchObject({ ok: true, qualityRating: "yellow", messagingLimitTier: "TIER_1K", portfolioMessagingLimit: "TIER_2K" });
    expect(record(await client.getPhoneNumber({ phoneNumberId: VENDAS.phoneNumberId, accessToken: POS_VENDA.accessToken }))).toMatchObject({
      ok: false,
      kind: "account",
    });
  });
});

describe("the business portfolio's messaging limit (whatsapp_business_manager_messaging_limit)", () => {
  it("is requested along with the deprecated per-number field, and follows the simulator's configuration", async () => {
    const urls: string[] = [];
    const local = await startSimulator(config({ portfolioMessagingLimit: "TIER_100K" }));
    try {
      const spy: typeof fetch = (input, init) => {
        urls.push(String(input));
        return fetch(input, init);
      };
      const c = createWhatsAppClient({ baseUrl: local.url, version: "v23.0", fetchImpl: spy });
      const r = record(await c.getPhoneNumber({ phoneNumberId: VENDAS.phoneNumberId, accessToken: VENDAS.accessToken }));
      expect(r).toMatchObject({ ok: true, portfolioMessagingLimit: "TIER_100K", messagingLimitTier: "TIER_10K" });
      const fields = new URL(urls[0]!).searchParams.get("fields")!.split(",");
      expect(fields).toEqual(expect.arrayContaining(["whatsapp_business_manager_messaging_limit", "messaging_limit_tier"]));
    } finally {
      await local.stop();
    }
    const silent = await startSimulator(config({ portfolioMessagingLimit: null }));
    try {
      const c = createWhatsAppClient({ baseUrl: silent.url, version: "v23.0" });
      expect(record(await c.getPhoneNumber({ phoneNumberId: VENDAS.phoneNumberId, accessToken: VENDAS.accessToken }))).toMatchObject({
        ok: true,
        portfolioMessagingLimit: null,
      });
    } finally {
      await silent.stop();
    }
  });

  it("reads a string tier, a count or an object shape defensively", async () => {
    const answer = (limit: unknown): typeof fetch => async () =>
      new Response(JSON.stringify({ id: "1", display_phone_number: "+55 11 4000-1000", whatsapp_business_manager_messaging_limit: limit }), {
        status: 200,
      });
    const read = async (limit: unknown) => {
      const c = createWhatsAppClient({ baseUrl: "http://127.0.0.1:9", version: "v23.0", fetchImpl: answer(limit) });
      const r = await c.getPhoneNumber({ phoneNumberId: "1", accessToken: "EAAGx000" });
      return r.ok ? r.portfolioMessagingLimit : `falhou: ${r.message}`;
    };
    expect(await read("TIER_2K")).toBe("TIER_2K");
    expect(await read(" tier_unlimited ")).toBe("TIER_UNLIMITED");
    expect(await read({ current_limit: "TIER_10K" })).toBe("TIER_10K");
    expect(await read({ tier: "TIER_250" })).toBe("TIER_250");
    expect(await read({ max_daily_conversations_per_business: 2000 })).toBe("TIER_2K");
    expect(await read(100000)).toBe("TIER_100K");
    expect(await read(-1)).toBe("TIER_UNLIMITED");
    expect(await read("UNLIMITED")).toBe("TIER_UNLIMITED");
    expect(await read("2K")).toBe("TIER_2K");
    for (const junk of [undefined, null, "", "qualquer coisa", 1234, true, [], { outra: "coisa" }, { current_limit: { current_limit: { current_limit: "TIER_2K" } } }])
      expect(await read(junk), JSON.stringify(junk)).toBeNull();
    expect(portfolioTierFrom("TIER_10K")).toBe("TIER_10K");
  });
});

describe("webhooks from the simulator", () => {
  const APP_SECRET = "segredo-do-app-de-teste";
  type Received = { raw: Buffer; signature: string | null };

  const receiver = async (failFirst = 0) => {
    const received: Received[] = [];
    let failures = failFirst;
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        if (failures > 0) {
          failures--;
          res.writeHead(500).end();
          return;
        }
        received.push({ raw: Buffer.concat(chunks), signature: (req.headers["x-hub-signature-256"] as string) ?? null });
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/whatsapp`;
    const events = () =>
      received.flatMap((r) => {
        expect(verifySignature(r.raw, r.signature, APP_SECRET)).toBe(true);
        const parsed = parseWebhook(JSON.parse(r.raw.toString("utf8")));
        expect(parsed.ok).toBe(true);
        return parsed.ok ? parsed.events : [];
      });
    return { url, received, events, close: () => new Promise<void>((r) => server.close(() => r())) };
  };

  // Gaps wide enough that a busy machine does not reorder the POSTs (Meta itself does not promise an order).
  const fast = { sentDelayMs: 10, deliveredDelayMs: 80, readDelayMs: 160, readShare: 1, replyDelayMs: 160, retryDelaysMs: [30, 60] };

  it("sends sent → delivered → read, signed, one status per POST, carrying the callback data; then a quick reply", async () => {
    const hooks = await receiver();
    const local = await startSimulator(
      config({ webhookUrl: hooks.url, appSecret: APP_SECRET, webhooks: { ...fast, replyShare: 1, optOutShare: 0, buttonReplyShare: 1 } }),
    );
    try {
      const c = createWhatsAppClient({ baseUrl: local.url, version: "v23.0" });
      const r = record(
        await c.sendTemplate({
          phoneNumberId: VENDAS.phoneNumberId,
          accessToken: VENDAS.accessToken,
          to: "5511987654321",
          template: { name: "lembrete_carrinho", language: "pt_BR", bodyParameters: ["João"] },
          bizOpaqueCallbackData: "recipient-77",
        }),
      );
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      await local.idle(5000);
      const events = hooks.events();
      expect(hooks.received).toHaveLength(4);
      const statuses = events.filter((e): e is StatusEvent => e.type === "status");
      expect(statuses.map((s) => s.status)).toEqual(["sent", "delivered", "read"]);
      for (const s of statuses)
        expect(s).toMatchObject({ wamid: r.wamid, callbackData: "recipient-77", phoneNumberId: VENDAS.phoneNumberId, recipientWaId: "5511987654321" });
      const sentBody = JSON.parse(hooks.received[0].raw.toString("utf8"));
      expect(sentBody.entry[0].changes[0].value.statuses[0]).toMatchObject({
        conversation: { origin: { type: "marketing" } },
        pricing: { billable: true, pricing_model: "PMP", category: "marketing" },
      });
      expect(sentBody.entry[0].changes[0].value.metadata).toEqual({ display_phone_number: "551140001000", phone_number_id: VENDAS.phoneNumberId });
      const reply = events.find((e): e is MessageEvent => e.type === "message");
      expect(reply).toMatchObject({ kind: "button", text: "Quero saber mais", payload: "Quero saber mais", contextWamid: r.wamid, fromWaId: "5511987654321" });
      expect(local.stats().webhooks).toMatchObject({ delivered: 4, failed: 0, pending: 0 });
    } finally {
      await local.stop();
      await hooks.close();
    }
  });

  it("reports failures by webhook (131026, 131050, 131047), retries a refused POST, and opens the window on inbound", async () => {
    const hooks = await receiver(1);
    const local = await startSimulator(
      config({
        webhookUrl: hooks.url,
        appSecret: APP_SECRET,
        waIdWithoutNinthDigitShare: 1,
        webhooks: { ...fast, readShare: 0, replyShare: 0 },
      }),
    );
    try {
      const c = createWhatsAppClient({ baseUrl: local.url, version: "v23.0" });
      const phone = { phoneNumberId: VENDAS.phoneNumberId, accessToken: VENDAS.accessToken };
      const send = (to: string, cb: string) =>
        c.sendTemplate({ ...phone, to, template: { name: "lembrete_carrinho", language: "pt_BR", bodyParameters: ["J"] }, bizOpaqueCallbackData: cb });
      const undeliverable = record(await send("5511987650001", "r-0001"));
      const stopped = record(await send("5511987650002", "r-0002"));
      expect(undeliverable).toMatchObject({ ok: true, waId: "551187650001" });
      expect(stopped.ok).toBe(true);
      // No inbound yet: free-form text is outside the 24-hour window.
      const early = record(await c.sendText({ ...phone, to: "5511987650140", body: "Oi", bizOpaqueCallbackData: "t-early" }));
      expect(early.ok).toBe(true);
      await local.idle(5000);

      const inboundWamid = local.inbound({ phoneNumberId: VENDAS.phoneNumberId, from: "551187650140", text: "Quero falar com alguém" });
      await local.idle(5000);
      const late = record(await c.sendText({ ...phone, to: "5511987650140", body: "Oi de novo", bizOpaqueCallbackData: "t-late" }));
      expect(late.ok).toBe(true);
      await local.idle(5000);

      const events = hooks.events();
      const failed = events.filter((e): e is StatusEvent => e.type === "status" && e.status === "failed");
      expect(failed.map((f) => [f.callbackData, f.error?.code])).toEqual(
        expect.arrayContaining([
          ["r-0001", 131026],
          ["r-0002", 131050],
          ["t-early", 131047],
        ]),
      );
      expect(failed.find((f) => f.callbackData === "r-0001")?.recipientWaId).toBe("551187650001");
      const inbound = events.find((e): e is MessageEvent => e.type === "message");
      expect(inbound).toMatchObject({ wamid: inboundWamid, fromWaId: "551187650140", kind: "text", text: "Quero falar com alguém" });
      const lateStatuses = events.filter((e): e is StatusEvent => e.type === "status" && e.callbackData === "t-late");
      expect(lateStatuses.map((s) => s.status)).toEqual(["sent", "delivered"]);
      expect(local.stats().webhooks.retried).toBe(1);
      expect(local.stats().webhooks.failed).toBe(0);
    } finally {
      await local.stop();
      await hooks.close();
    }
  });

  it("offers the control endpoints over HTTP (inbound, status, stats, messages, reset)", async () => {
    const hooks = await receiver();
    const local = await startSimulator(config({ webhookUrl: hooks.url, appSecret: APP_SECRET, webhooks: { ...fast, readShare: 0 } }));
    try {
      const c = createWhatsAppClient({ baseUrl: local.url, version: "v23.0" });
      const sent = record(await c.sendText({ phoneNumberId: VENDAS.phoneNumberId, accessToken: VENDAS.accessToken, to: "5511987650150", body: "x" }));
      expect(sent.ok).toBe(true);
      const inbound = await fetch(`${local.url}/_sim/inbound`, {
        method: "POST",
        body: JSON.stringify({ phoneNumberId: VENDAS.phoneNumberId, from: "5511987650150", button: { text: "Parar promoções" }, contextWamid: sent.ok ? sent.wamid : "" }),
      });
      expect(inbound.status).toBe(200);
      await local.idle(5000);
      const message = hooks.events().find((e): e is MessageEvent => e.type === "message");
      expect(message).toMatchObject({ kind: "button", text: "Parar promoções", contextWamid: sent.ok ? sent.wamid : "" });

      const forced = await fetch(`${local.url}/_sim/status`, {
        method: "POST",
        body: JSON.stringify({ wamid: sent.ok ? sent.wamid : "", status: "failed", errorCode: 131026 }),
      });
      expect(forced.status).toBe(200);
      await local.idle(5000);
      // The text went out with no inbound before it (131047 by itself), then the forced 131026.
      const failedCodes = hooks.events().flatMap((e) => (e.type === "status" && e.status === "failed" ? [e.error?.code] : []));
      expect(failedCodes).toEqual([131047, 131026]);

      const stats = await (await fetch(`${local.url}/_sim/stats`)).json();
      expect(stats.acceptedByDestination).toEqual({ "5511987650150": 1 });
      const listed = await (await fetch(`${local.url}/_sim/messages?to=%2B5511987650150`)).json();
      expect(listed.data).toHaveLength(1);
      expect((await fetch(`${local.url}/_sim/reset`, { method: "POST" })).status).toBe(200);
      expect(local.stats().accepted).toBe(0);
    } finally {
      await local.stop();
      await hooks.close();
    }
  });
});

describe("secrets", () => {
  it("never puts a token in a result or a log entry", () => {
    expect(produced.length).toBeGreaterThan(30);
    expect(logs.length).toBeGreaterThan(30);
    const everything = JSON.stringify([produced, logs]);
    for (const token of [...TOKENS, WRONG_TOKEN]) expect(everything).not.toContain(token);
    expect(everything).not.toMatch(/Bearer/i);
  });

  it("scrubs a token even when the server echoes it back", async () => {
    const token = "EAAGechoedSecretToken0000000000000000000000000000000001";
    const echo: typeof fetch = async () =>
      new Response(JSON.stringify({ error: { message: `Invalid token ${token}`, type: "OAuthException", code: 190 } }), { status: 401 });
    const c = createWhatsAppClient({ baseUrl: "http://127.0.0.1:9", version: "v23.0", fetchImpl: echo });
    const r = await c.getPhoneNumber({ phoneNumberId: "1", accessToken: token });
    expect(r).toMatchObject({ ok: false, kind: "account" });
    expect(JSON.stringify(r)).not.toContain(token);
  });

  it("classifies a token with a line break (request cannot be built) as a configuration problem, not a network one", async () => {
    const token = "EAAGbroken\nToken0000000000000000000000000000000000000001";
    const r = await client.getPhoneNumber({ phoneNumberId: VENDAS.phoneNumberId, accessToken: token });
    expect(r).toMatchObject({ ok: false, kind: "account", networkCode: "REQUEST_INVALID" });
    expect(JSON.stringify(r)).not.toContain("EAAGbroken");
  });
});
