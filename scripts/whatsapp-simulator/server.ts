// WhatsApp Cloud API simulator: same paths, request validation, answers and signed webhooks as Meta's Graph
// API, on node:http, self-contained (no imports from lib/: it is an independent peer of the app, so a bug in
// the app's client or signature code cannot hide behind a shared helper). See README.md for the rules.
import { createHash, createHmac, randomBytes } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";

export type SimPhoneNumber = {
  phoneNumberId: string;
  wabaId: string;
  /** As Meta shows it, e.g. "+55 11 4000-1000" (webhook metadata carries the digits only). */
  displayPhoneNumber: string;
  verifiedName: string;
  accessToken: string;
  /** Throughput: messages per second accepted before error 130429. */
  mps: number;
  qualityRating?: string;
  /** Deprecated per-number field messaging_limit_tier (default TIER_1K). */
  messagingLimitTier?: string;
};

export type SimTemplate = {
  id?: string;
  name: string;
  language: string;
  /** MARKETING | UTILITY | AUTHENTICATION (any case). */
  category: string;
  /** APPROVED | PENDING | REJECTED | PAUSED | DISABLED (any case). */
  status: string;
  /** Meta's shape: [{ type: "HEADER", format, text?, example? }, { type: "BODY", text, example? }, …] */
  components: unknown[];
};

export type SimWebhookSettings = {
  sentDelayMs: number;
  deliveredDelayMs: number;
  readDelayMs: number;
  /** Share (0–1) of delivered messages that are also read. */
  readShare: number;
  /** Share (0–1) of delivered messages that get an inbound reply. */
  replyShare: number;
  /** Delay of the reply after the delivered status. */
  replyDelayMs: number;
  /** Share (0–1) of the replies that are "SAIR". */
  optOutShare: number;
  /** Share (0–1) of the other replies sent as a quick-reply button tap (when the template has quick replies). */
  buttonReplyShare: number;
  /** Delays before each retry of a webhook POST that failed (non-2xx or connection error). */
  retryDelaysMs: number[];
  /** Webhook POSTs in flight at once. */
  concurrency: number;
  timeoutMs: number;
};

export type SimulatorOptions = {
  /** 0 (default) = a free port. */
  port?: number;
  host?: string;
  phoneNumbers: SimPhoneNumber[];
  /** Templates per WABA id. */
  templates: Record<string, SimTemplate[]>;
  /** Where to POST webhooks; null/undefined = no webhooks. */
  webhookUrl?: string | null;
  /** Required when webhookUrl is set: the HMAC key of X-Hub-Signature-256. */
  appSecret?: string;
  webhooks?: Partial<SimWebhookSettings>;
  /** How long a send to a number ending in 0004 waits before answering (it is accepted at once). */
  hangMs?: number;
  /** Largest page of GET message_templates (Meta's `limit` is capped to it). */
  maxTemplatePageSize?: number;
  /** Share (0–1) of Brazilian mobiles whose wa_id omits the ninth digit (chosen per number, deterministically). */
  waIdWithoutNinthDigitShare?: number;
  /**
   * Users who adopted a WhatsApp username, by phone digits ("5511987654321" → "@maria"): their messages arrive
   * without a phone number (no `from`, no `contacts[].wa_id`), named only by BSUID and username, as Meta sends
   * them since 2026; delivered/read statuses of messages to them carry the username.
   */
  usernames?: Record<string, string>;
  /** Free-form text messages need an inbound message from the contact in the last 24 h (else a 131047 failed status). */
  enforceServiceWindow?: boolean;
  /** Seed of the deterministic draws (read/reply/opt-out shares). */
  seed?: number;
  /**
   * whatsapp_business_manager_messaging_limit answered by GET /{phone_number_id}: the business portfolio's messaging
   * limit, shared by every number (Meta, since October 2025). Default "TIER_2K"; null leaves the field out.
   */
  portfolioMessagingLimit?: string | null;
  /** Accepted messages kept for /_sim/messages (counts are always kept). */
  maxStoredMessages?: number;
  log?: (line: string) => void;
};

export type SimMessage = {
  wamid: string;
  phoneNumberId: string;
  /** `to` as sent, digits only. */
  to: string;
  waId: string;
  type: "template" | "text";
  template?: { name: string; language: string; components: unknown[] };
  text?: string;
  bizOpaqueCallbackData?: string;
  acceptedAt: string;
};

export type SimStats = {
  accepted: number;
  rejected: number;
  rejectedByCode: Record<string, number>;
  /** Accepted messages per destination (`to` digits as sent): the proof nothing was sent twice. */
  acceptedByDestination: Record<string, number>;
  webhooks: { delivered: number; failed: number; retried: number; pending: number };
};

export type SimInbound = {
  phoneNumberId?: string;
  /** wa_id of the contact (digits): who writes (its BSUID is derived from it). */
  from: string;
  /** The contact has this WhatsApp username: the message goes without the phone number (as for `usernames`). */
  username?: string;
  profileName?: string;
  text?: string;
  button?: { text: string; payload?: string };
  interactive?: { type: "button_reply" | "list_reply"; id: string; title: string };
  /** The wamid this message replies to (context.id). */
  contextWamid?: string;
};

export type RunningSimulator = {
  url: string;
  port: number;
  stop: () => Promise<void>;
  stats: () => SimStats;
  messages: (to?: string) => SimMessage[];
  reset: () => void;
  /** Makes a contact send a message (webhook); returns its wamid. */
  inbound: (message: SimInbound) => string;
  /** Resolves when no webhook is scheduled, queued or in flight. */
  idle: (timeoutMs?: number) => Promise<void>;
};

const DEFAULT_WEBHOOKS: SimWebhookSettings = {
  sentDelayMs: 200,
  deliveredDelayMs: 800,
  readDelayMs: 3000,
  readShare: 0.6,
  replyShare: 0.1,
  replyDelayMs: 5000,
  optOutShare: 0.2,
  buttonReplyShare: 0.5,
  retryDelaysMs: [1000, 5000, 15000, 60000],
  concurrency: 16,
  timeoutMs: 10_000,
};

const MAX_BODY = 1024 * 1024;
const ERROR_HREF = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/";
const DAY_MS = 24 * 3600 * 1000;

type TemplateInfo = {
  raw: SimTemplate;
  status: string;
  category: string;
  headerFormat: string | null;
  headerParams: number;
  bodyParams: number;
  quickReplies: string[];
};

type PhoneState = SimPhoneNumber & { tokens: number; refilledAt: number; displayDigits: string };

type GraphErrorSpec = { status: number; code: number; message: string; details?: string; subcode?: number; type?: string };

type StatusSpec = { status: "sent" | "delivered" | "read" | "failed"; error?: { code: number; title: string; details: string } };

const FAILURES: Record<string, { code: number; title: string; details: string }> = {
  "0001": {
    code: 131026,
    title: "Message undeliverable",
    details: "Message Undeliverable.",
  },
  "0002": {
    code: 131050,
    title: "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business",
    details: "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.",
  },
  "0005": {
    code: 131049,
    title: "This message was not delivered to maintain healthy ecosystem engagement.",
    details: "In order to maintain a healthy ecosystem engagement, the message failed to be delivered.",
  },
};
const REENGAGEMENT = {
  code: 131047,
  title: "Re-engagement message",
  details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
};

const REPLY_TEXTS = [
  "Quero saber mais!",
  "Tem no tamanho M?",
  "Qual o prazo de entrega para o meu CEP?",
  "Obrigado! Vou dar uma olhada.",
  "Como uso o cupom?",
  "Vocês parcelam no cartão?",
];
const PROFILE_NAMES = ["Maria Silva", "João Santos", "Ana Oliveira", "Pedro Souza", "Juliana Lima", "Carlos Pereira"];
const OPT_OUT_BUTTON = /parar|sair|stop|cancelar|não,|nao,/i;

const digitsOf = (s: string) => s.replace(/\D/g, "");

/** Brazilian mobile written without the ninth digit → with it, so window/ninth-digit comparisons agree. */
const canonical = (digits: string) =>
  /^55[1-9][1-9][6-9]\d{7}$/.test(digits) ? `${digits.slice(0, 4)}9${digits.slice(4)}` : digits;

/**
 * The business-scoped user id (BSUID) the simulator gives the user of these wa_id digits: one per user for the
 * whole simulator (one business portfolio), country code, a dot, digits; stable across runs, the same with or
 * without the ninth digit.
 */
export const simulatorBsuid = (digits: string) => {
  const d = canonical(digitsOf(digits));
  const n = BigInt(`0x${createHash("sha1").update(`bsuid:${d}`).digest("hex").slice(0, 15)}`);
  return `${d.startsWith("55") ? "BR" : "US"}.${n}`;
};
const PLACEHOLDER = /\{\{\s*(\d+)\s*\}\}/g;
const countPlaceholders = (text: unknown) =>
  typeof text === "string" ? new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1])).size : 0;

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

const templateInfo = (t: SimTemplate): TemplateInfo => {
  const components = Array.isArray(t.components) ? t.components.filter(isObject) : [];
  const find = (type: string) => components.find((c) => String(c.type).toUpperCase() === type);
  const header = find("HEADER");
  const body = find("BODY");
  const buttons = find("BUTTONS");
  const headerFormat = header ? String(header.format ?? "TEXT").toUpperCase() : null;
  return {
    raw: t,
    status: t.status.toUpperCase(),
    category: t.category.toUpperCase(),
    headerFormat,
    headerParams: headerFormat === "TEXT" ? countPlaceholders(header?.text) : 0,
    bodyParams: countPlaceholders(body?.text),
    quickReplies: (Array.isArray(buttons?.buttons) ? buttons.buttons : [])
      .filter(isObject)
      .filter((b) => String(b.type).toUpperCase() === "QUICK_REPLY")
      .map((b) => String(b.text ?? "")),
  };
};

const validateOptions = (o: SimulatorOptions) => {
  if (!Array.isArray(o.phoneNumbers) || o.phoneNumbers.length === 0)
    throw new Error("Simulador: configure ao menos um número (phoneNumbers).");
  for (const p of o.phoneNumbers) {
    for (const key of ["phoneNumberId", "wabaId", "displayPhoneNumber", "verifiedName", "accessToken"] as const)
      if (typeof p[key] !== "string" || !p[key]) throw new Error(`Simulador: número sem ${key}: ${JSON.stringify(p.phoneNumberId)}`);
    if (!(typeof p.mps === "number" && p.mps > 0)) throw new Error(`Simulador: mps inválido para ${p.phoneNumberId}`);
  }
  if (o.webhookUrl && !o.appSecret) throw new Error("Simulador: webhookUrl exige appSecret (para assinar os webhooks).");
};

export const startSimulator = async (options: SimulatorOptions): Promise<RunningSimulator> => {
  validateOptions(options);
  const hook: SimWebhookSettings = { ...DEFAULT_WEBHOOKS, ...options.webhooks };
  const webhookUrl = options.webhookUrl || null;
  const appSecret = options.appSecret ?? "";
  const hangMs = options.hangMs ?? 30_000;
  const maxPage = Math.max(1, options.maxTemplatePageSize ?? 100);
  const noNinthShare = options.waIdWithoutNinthDigitShare ?? 0;
  const enforceWindow = options.enforceServiceWindow ?? true;
  const seed = options.seed ?? 1;
  const maxStored = options.maxStoredMessages ?? 200_000;
  const portfolioLimit = options.portfolioMessagingLimit === undefined ? "TIER_2K" : options.portfolioMessagingLimit;
  const log = options.log ?? (() => {});

  // ---- configuration indexes ----
  const numbers = new Map<string, PhoneState>();
  const tokenOwners = new Map<string, PhoneState[]>();
  for (const p of options.phoneNumbers) {
    const state: PhoneState = { ...p, tokens: p.mps, refilledAt: performance.now(), displayDigits: digitsOf(p.displayPhoneNumber) };
    numbers.set(p.phoneNumberId, state);
    tokenOwners.set(p.accessToken, [...(tokenOwners.get(p.accessToken) ?? []), state]);
  }
  const wabaTemplates = new Map<string, TemplateInfo[]>();
  const templateIndex = new Map<string, TemplateInfo>();
  for (const [wabaId, list] of Object.entries(options.templates ?? {})) {
    const infos = list.map((t, i) => templateInfo({ ...t, id: t.id ?? String(900000000000001 + i) }));
    wabaTemplates.set(wabaId, infos);
    for (const info of infos) templateIndex.set(`${wabaId}\u0000${info.raw.name}\u0000${info.raw.language}`, info);
  }
  for (const p of numbers.values()) if (!wabaTemplates.has(p.wabaId)) wabaTemplates.set(p.wabaId, []);

  // ---- mutable state ----
  let accepted = 0;
  let rejected = 0;
  let rejectedByCode = new Map<number, number>();
  let byDestination = new Map<string, number>();
  let stored = new Map<string, SimMessage>();
  let serverErrorsByDestination = new Map<string, number>();
  let lastInbound = new Map<string, number>();
  const webhookStats = { delivered: 0, failed: 0, retried: 0 };
  const timers = new Set<NodeJS.Timeout>(); // webhooks to come
  const hangTimers = new Set<NodeJS.Timeout>(); // late answers (rule 0004)
  const hookQueue: { body: string; attempt: number }[] = [];
  let hooksInFlight = 0;
  let stopped = false;
  const aborter = new AbortController();

  const idPrefix = randomBytes(3).toString("hex").toUpperCase();
  let idCounter = 0;
  const tracePrefix = randomBytes(6).toString("base64url");

  const schedule = (ms: number, fn: () => void, set = timers) => {
    const t = setTimeout(() => {
      set.delete(t);
      if (!stopped) fn();
    }, ms);
    set.add(t);
  };

  const newWamid = (digits: string) => {
    const id = `${idPrefix}${(++idCounter).toString(16).toUpperCase().padStart(12, "0")}`;
    const phone = Buffer.from(digits);
    return `wamid.${Buffer.concat([
      Buffer.from([0x1c, 0x18, phone.length]),
      phone,
      Buffer.from([0x15, 0x02, 0x00, 0x11, 0x18, 0x12]),
      Buffer.from(id),
      Buffer.from([0x00]),
    ]).toString("base64")}`;
  };

  const draw = (key: string) => createHash("sha1").update(`${seed}:${key}`).digest().readUInt32BE(0) / 2 ** 32;

  const usernames = new Map(Object.entries(options.usernames ?? {}).map(([digits, name]) => [canonical(digitsOf(digits)), name]));
  const usernameOf = (digits: string) => usernames.get(canonical(digits));

  const waIdFor = (digits: string) =>
    noNinthShare > 0 && /^55[1-9][1-9]9\d{8}$/.test(digits) && draw(`waid:${digits}`) < noNinthShare
      ? `${digits.slice(0, 4)}${digits.slice(5)}`
      : digits;

  // ---- HTTP helpers ----
  const sendJson = (res: http.ServerResponse, status: number, body: unknown) => {
    if (res.writableEnded || res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json; charset=UTF-8", "content-length": Buffer.byteLength(text) });
    res.end(text);
  };

  const graphError = (res: http.ServerResponse, e: GraphErrorSpec, countAsRejectedSend = false) => {
    if (countAsRejectedSend) {
      rejected++;
      rejectedByCode.set(e.code, (rejectedByCode.get(e.code) ?? 0) + 1);
    }
    const error: Record<string, unknown> = { message: e.message, type: e.type ?? "OAuthException", code: e.code };
    if (e.subcode !== undefined) error.error_subcode = e.subcode;
    if (e.details !== undefined) error.error_data = { messaging_product: "whatsapp", details: e.details };
    error.fbtrace_id = `A${tracePrefix}${(++idCounter).toString(36)}`;
    sendJson(res, e.status, { error });
  };

  const invalid = (details: string, message = "(#100) Invalid parameter"): GraphErrorSpec => ({
    status: 400,
    code: 100,
    message,
    details,
  });
  const required = (param: string): GraphErrorSpec => ({
    status: 400,
    code: 100,
    message: `(#100) The parameter ${param} is required.`,
  });
  const badToken = (missing: boolean): GraphErrorSpec => ({
    status: 401,
    code: 190,
    message: missing
      ? "An active access token must be used to query information about the current user."
      : "Invalid OAuth access token - Cannot parse access token",
  });
  const unknownObject = (id: string, method: "get" | "post"): GraphErrorSpec => ({
    status: 400,
    code: 100,
    subcode: 33,
    type: "GraphMethodException",
    message:
      `Unsupported ${method} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, ` +
      "or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
  });

  const bearer = (req: http.IncomingMessage) => {
    const h = req.headers.authorization;
    if (!h) return null;
    const m = /^Bearer\s+(.+)$/i.exec(h);
    return m ? m[1].trim() : "";
  };

  /** Token check for an object: null when allowed, else the error to answer. */
  const authorize = (token: string | null, owners: (p: PhoneState) => boolean, id: string, method: "get" | "post") => {
    if (!token) return badToken(token === null);
    const list = tokenOwners.get(token);
    if (!list) return badToken(false);
    if (!list.some(owners)) return unknownObject(id, method);
    return null;
  };

  // ---- webhooks ----
  const pumpWebhooks = () => {
    while (!stopped && webhookUrl && hooksInFlight < hook.concurrency && hookQueue.length) {
      const item = hookQueue.shift()!;
      hooksInFlight++;
      void deliver(item).finally(() => {
        hooksInFlight--;
        pumpWebhooks();
      });
    }
  };

  // Webhook POSTs over keep-alive node:http (fetch cost ~7x the CPU per request, and on a 2-core machine the
  // simulator's own sending then limited what the app could be measured absorbing: bench:dispatch).
  const hookAgent = webhookUrl ? new (webhookUrl.startsWith("https:") ? https : http).Agent({ keepAlive: true, maxSockets: 256 }) : undefined;
  const postWebhook = (body: string, signature: string) =>
    new Promise<number>((resolve, reject) => {
      const req = (webhookUrl!.startsWith("https:") ? https : http).request(
        webhookUrl!,
        {
          method: "POST",
          agent: hookAgent,
          headers: {
            "content-type": "application/json",
            "content-length": String(Buffer.byteLength(body)),
            "x-hub-signature-256": signature,
            "user-agent": "facebookexternalua",
          },
          timeout: hook.timeoutMs,
          signal: aborter.signal,
        },
        (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
      req.on("error", reject);
      req.end(body);
    });

  const deliver = async (item: { body: string; attempt: number }) => {
    let ok = false;
    let reason = "";
    try {
      const signature = `sha256=${createHmac("sha256", appSecret).update(item.body).digest("hex")}`;
      const status = await postWebhook(item.body, signature);
      ok = status >= 200 && status < 300;
      reason = `HTTP ${status}`;
    } catch (err) {
      reason = (err as { code?: string }).code ?? (err as Error).name ?? "erro";
    }
    if (stopped) return;
    if (ok) {
      webhookStats.delivered++;
      return;
    }
    const delay = hook.retryDelaysMs[item.attempt];
    if (delay === undefined) {
      webhookStats.failed++;
      log(`webhook descartado após ${item.attempt + 1} tentativas (${reason})`);
      return;
    }
    webhookStats.retried++;
    schedule(delay, () => enqueue(item.body, item.attempt + 1));
  };

  const enqueue = (body: string, attempt = 0) => {
    hookQueue.push({ body, attempt });
    pumpWebhooks();
  };

  const envelope = (p: PhoneState, value: Record<string, unknown>) =>
    JSON.stringify({
      object: "whatsapp_business_account",
      entry: [
        {
          id: p.wabaId,
          changes: [
            {
              value: {
                messaging_product: "whatsapp",
                metadata: { display_phone_number: p.displayDigits, phone_number_id: p.phoneNumberId },
                ...value,
              },
              field: "messages",
            },
          ],
        },
      ],
    });

  const nowSeconds = () => String(Math.floor(Date.now() / 1000));

  const conversationId = (p: PhoneState, msg: SimMessage, category: string) =>
    createHash("sha1")
      .update(`${p.phoneNumberId}:${msg.waId}:${category}:${Math.floor(Date.parse(msg.acceptedAt) / DAY_MS)}`)
      .digest("hex")
      .slice(0, 32);

  const statusBody = (p: PhoneState, msg: SimMessage, spec: StatusSpec) => {
    const category = msg.template
      ? (templateIndex.get(`${p.wabaId}\u0000${msg.template.name}\u0000${msg.template.language}`)?.category ?? "MARKETING").toLowerCase()
      : "service";
    // Sent to the phone number: recipient_id is the wa_id; recipient_user_id (the BSUID) on every status but a
    // failed one, which also carries no contacts array (Meta, business-scoped user ids, 2026).
    const status: Record<string, unknown> = {
      id: msg.wamid,
      status: spec.status,
      timestamp: nowSeconds(),
      recipient_id: msg.waId,
    };
    if (spec.status !== "failed") status.recipient_user_id = simulatorBsuid(msg.waId);
    if (msg.bizOpaqueCallbackData !== undefined) status.biz_opaque_callback_data = msg.bizOpaqueCallbackData;
    if (spec.status === "sent" || spec.status === "delivered") {
      // Meta sends conversation and pricing on sent and delivered; read and failed statuses carry neither.
      status.conversation = {
        id: conversationId(p, msg, category),
        ...(spec.status === "sent" ? { expiration_timestamp: String(Math.floor(Date.now() / 1000) + 86400) } : {}),
        origin: { type: category },
      };
      status.pricing =
        category === "service"
          ? { billable: false, pricing_model: "PMP", category: "service", type: "free_customer_service" }
          : { billable: true, pricing_model: "PMP", category, type: "regular" };
    }
    if (spec.error)
      status.errors = [
        {
          code: spec.error.code,
          title: spec.error.title,
          message: spec.error.title,
          error_data: { details: spec.error.details },
          href: ERROR_HREF,
        },
      ];
    if (spec.status === "failed") return envelope(p, { statuses: [status] });
    const username = spec.status === "sent" ? undefined : usernameOf(msg.waId);
    const contact = { ...(username ? { profile: { username } } : {}), wa_id: msg.waId, user_id: simulatorBsuid(msg.waId) };
    return envelope(p, { contacts: [contact], statuses: [status] });
  };

  const inboundBody = (p: PhoneState, m: SimInbound, wamid: string) => {
    // A user with a username comes without a phone number: from_user_id and contacts[].user_id name them.
    const bsuid = simulatorBsuid(m.from);
    const username = m.username ?? usernameOf(m.from);
    const message: Record<string, unknown> = username
      ? { from_user_id: bsuid, id: wamid, timestamp: nowSeconds() }
      : { from: m.from, from_user_id: bsuid, id: wamid, timestamp: nowSeconds() };
    if (m.contextWamid) message.context = { from: p.displayDigits, id: m.contextWamid };
    if (m.button) {
      message.type = "button";
      message.button = { payload: m.button.payload ?? m.button.text, text: m.button.text };
    } else if (m.interactive) {
      message.type = "interactive";
      message.interactive = { type: m.interactive.type, [m.interactive.type]: { id: m.interactive.id, title: m.interactive.title } };
    } else {
      message.type = "text";
      message.text = { body: m.text ?? "" };
    }
    const name = m.profileName ?? PROFILE_NAMES[Math.floor(draw(`name:${m.from}`) * PROFILE_NAMES.length)];
    const contact = username ? { profile: { name, username }, user_id: bsuid } : { profile: { name }, wa_id: m.from, user_id: bsuid };
    return envelope(p, { contacts: [contact], messages: [message] });
  };

  const inbound = (m: SimInbound): string => {
    const p = m.phoneNumberId ? numbers.get(m.phoneNumberId) : numbers.values().next().value;
    if (!p) throw new Error(`Simulador: número desconhecido ${m.phoneNumberId}`);
    const from = digitsOf(String(m.from ?? ""));
    if (!from) throw new Error("Simulador: informe from (wa_id do contato)");
    lastInbound.set(`${p.phoneNumberId}:${canonical(from)}`, Date.now());
    const wamid = newWamid(from);
    if (webhookUrl) enqueue(inboundBody(p, { ...m, from }, wamid));
    return wamid;
  };

  /** The webhooks that follow an accepted message, as Meta would send them. */
  const planWebhooks = (p: PhoneState, msg: SimMessage, nth: number, buttonPayloads: Map<number, string>) => {
    if (!webhookUrl) return;
    const failure =
      msg.type === "text" && enforceWindow && !((Date.now() - (lastInbound.get(`${p.phoneNumberId}:${canonical(msg.to)}`) ?? -Infinity)) < DAY_MS)
        ? REENGAGEMENT
        : FAILURES[msg.to.slice(-4)];
    if (failure) {
      schedule(hook.sentDelayMs, () => enqueue(statusBody(p, msg, { status: "failed", error: failure })));
      return;
    }
    schedule(hook.sentDelayMs, () => enqueue(statusBody(p, msg, { status: "sent" })));
    schedule(hook.deliveredDelayMs, () => enqueue(statusBody(p, msg, { status: "delivered" })));
    const key = `${p.phoneNumberId}:${msg.to}:${nth}`;
    if (draw(`read:${key}`) < hook.readShare)
      schedule(hook.readDelayMs, () => enqueue(statusBody(p, msg, { status: "read" })));
    if (msg.type !== "template" || draw(`reply:${key}`) >= hook.replyShare) return;
    const info = templateIndex.get(`${p.wabaId}\u0000${msg.template!.name}\u0000${msg.template!.language}`);
    const buttons = (info?.quickReplies ?? []).map((text, index) => ({ text, index })).filter((b) => !OPT_OUT_BUTTON.test(b.text));
    let reply: SimInbound;
    if (draw(`optout:${key}`) < hook.optOutShare) reply = { from: msg.waId, text: "SAIR" };
    else if (buttons.length && draw(`button:${key}`) < hook.buttonReplyShare) {
      const b = buttons[Math.floor(draw(`which:${key}`) * buttons.length)];
      reply = { from: msg.waId, button: { text: b.text, payload: buttonPayloads.get(b.index) ?? b.text } };
    } else reply = { from: msg.waId, text: REPLY_TEXTS[Math.floor(draw(`text:${key}`) * REPLY_TEXTS.length)] };
    schedule(hook.deliveredDelayMs + hook.replyDelayMs, () =>
      inbound({ ...reply, phoneNumberId: p.phoneNumberId, contextWamid: msg.wamid }),
    );
  };

  // ---- POST /{v}/{phone_number_id}/messages ----
  type Parsed = { ok: true; msg: Omit<SimMessage, "wamid" | "waId" | "acceptedAt">; buttonPayloads: Map<number, string>; info?: TemplateInfo };

  const validateParameters = (
    where: "header" | "body" | "button",
    params: unknown,
  ): GraphErrorSpec | { count: number; types: string[] } => {
    if (!Array.isArray(params)) return invalid(`Param components[${where}]['parameters'] must be an array.`);
    const types: string[] = [];
    for (const param of params) {
      if (!isObject(param) || typeof param.type !== "string")
        return invalid(`Param components[${where}]['parameters'][${types.length}]['type'] is required.`);
      const type = param.type.toLowerCase();
      types.push(type);
      if (type === "text") {
        if (typeof param.text !== "string" || !param.text.trim())
          return { status: 400, code: 131008, message: "(#131008) Required parameter is missing", details: "Parameter of type text is missing text value" };
        if (/[\n\t]|\s{5,}/.test(param.text))
          return {
            status: 400,
            code: 132018,
            message: "(#132018) There was an issue with the parameters in your template.",
            details: "Param text cannot have new-line/tab characters or more than 4 consecutive spaces",
          };
      } else if (type === "image" || type === "video" || type === "document") {
        const media = param[type];
        if (!isObject(media) || (typeof media.link !== "string" && typeof media.id !== "string"))
          return { status: 400, code: 131008, message: "(#131008) Required parameter is missing", details: `Parameter of type ${type} is missing link or id` };
        if (typeof media.link === "string" && !/^https?:\/\/\S+$/.test(media.link))
          return { status: 400, code: 131009, message: "(#131009) Parameter value is not valid", details: `${type} link is not a valid URL` };
      } else if (type === "payload") {
        if (typeof param.payload !== "string")
          return { status: 400, code: 131008, message: "(#131008) Required parameter is missing", details: "Parameter of type payload is missing payload value" };
      } else if (!["currency", "date_time", "location", "coupon_code", "action"].includes(type))
        return invalid(`Param components[${where}]['parameters'][${types.length - 1}]['type'] must be one of {TEXT, CURRENCY, DATE_TIME, IMAGE, DOCUMENT, VIDEO, LOCATION, PAYLOAD}.`);
    }
    return { count: params.length, types };
  };

  const parseSend = (p: PhoneState, body: unknown): Parsed | GraphErrorSpec => {
    if (!isObject(body)) return invalid("Request body must be a JSON object.");
    if (body.messaging_product === undefined) return required("messaging_product");
    if (body.messaging_product !== "whatsapp")
      return invalid(`Param messaging_product must be one of {WHATSAPP} - got "${String(body.messaging_product)}".`);
    if (body.recipient_type !== undefined && body.recipient_type !== "individual")
      return invalid(`Param recipient_type must be one of {INDIVIDUAL} - got "${String(body.recipient_type)}".`);
    if (body.to === undefined) return required("to");
    if (typeof body.to !== "string" || !/^\+?\d{8,15}$/.test(body.to))
      return invalid("Param to must be a phone number: digits only (country code first), optionally with a leading +.");
    const cb = body.biz_opaque_callback_data;
    if (cb !== undefined && (typeof cb !== "string" || cb.length > 512))
      return invalid("Param biz_opaque_callback_data must be a string of at most 512 characters.");
    const to = digitsOf(body.to);
    const type = body.type ?? "text";
    const buttonPayloads = new Map<number, string>();

    if (type === "text") {
      const text = body.text;
      if (!isObject(text) || text.body === undefined) return required("text['body']");
      if (typeof text.body !== "string" || !text.body.trim()) return invalid("Param text['body'] must be a non-empty string.");
      if (text.body.length > 4096) return invalid("Param text['body'] must be at most 4096 characters long.");
      return { ok: true, msg: { phoneNumberId: p.phoneNumberId, to, type: "text", text: text.body, bizOpaqueCallbackData: cb as string | undefined }, buttonPayloads };
    }
    if (type !== "template")
      return invalid(`Param type must be one of {TEMPLATE, TEXT} in the simulator - got "${String(type)}".`);

    const t = body.template;
    if (!isObject(t)) return required("template");
    if (typeof t.name !== "string" || !t.name) return required("template['name']");
    if (!isObject(t.language) || typeof t.language.code !== "string" || !t.language.code) return required("template['language']['code']");
    if (t.components !== undefined && !Array.isArray(t.components)) return invalid("Param template['components'] must be an array.");
    const components = (t.components ?? []) as unknown[];

    const info = templateIndex.get(`${p.wabaId}\u0000${t.name}\u0000${t.language.code}`);
    if (!info || (info.status !== "APPROVED" && info.status !== "PAUSED" && info.status !== "DISABLED"))
      return {
        status: 404,
        code: 132001,
        message: "(#132001) Template name does not exist in the translation",
        details: `template name (${t.name}) does not exist in ${t.language.code}`,
      };
    if (info.status === "PAUSED")
      return { status: 400, code: 132015, message: "(#132015) Template is Paused", details: `Template ${t.name} is paused due to low quality so it cannot be sent in a template message` };
    if (info.status === "DISABLED")
      return { status: 400, code: 132016, message: "(#132016) Template is disabled", details: `Template ${t.name} has been disabled due to low quality so it cannot be sent` };

    let header: { count: number; types: string[] } = { count: 0, types: [] };
    let bodyParams = 0;
    for (const c of components) {
      if (!isObject(c) || typeof c.type !== "string") return invalid("Param template['components'][i]['type'] is required.");
      const ctype = c.type.toLowerCase();
      if (ctype === "header" || ctype === "body") {
        const r = validateParameters(ctype, c.parameters);
        if ("code" in r) return r;
        if (ctype === "header") header = r;
        else bodyParams = r.count;
      } else if (ctype === "button") {
        const r = validateParameters("button", c.parameters);
        if ("code" in r) return r;
        const index = Number(c.index);
        if (!Number.isInteger(index) || index < 0) return invalid("Param template['components'][i]['index'] is required for buttons.");
        const first = (c.parameters as Record<string, unknown>[])[0];
        if (c.sub_type === "quick_reply" && typeof first?.payload === "string") buttonPayloads.set(index, first.payload);
      } else return invalid(`Param template['components'][i]['type'] must be one of {HEADER, BODY, BUTTON} - got "${c.type}".`);
    }

    const mismatch = (where: string, got: number, expected: number): GraphErrorSpec => ({
      status: 400,
      code: 132000,
      message: "(#132000) Number of parameters does not match the expected number of params",
      details: `${where}: number of localizable_params (${got}) does not match the expected number of params (${expected})`,
    });
    const mediaFormat = info.headerFormat && ["IMAGE", "VIDEO", "DOCUMENT"].includes(info.headerFormat) ? info.headerFormat : null;
    if (mediaFormat) {
      const got = header.types[0]?.toUpperCase() ?? "UNKNOWN";
      if (header.count !== 1 || got !== mediaFormat)
        return {
          status: 400,
          code: 132012,
          message: "(#132012) Parameter format does not match format in the created template",
          details: `header: Format mismatch, expected ${mediaFormat}, received ${got}`,
        };
    } else if (header.count !== info.headerParams) return mismatch("header", header.count, info.headerParams);
    if (bodyParams !== info.bodyParams) return mismatch("body", bodyParams, info.bodyParams);

    return {
      ok: true,
      msg: {
        phoneNumberId: p.phoneNumberId,
        to,
        type: "template",
        template: { name: t.name, language: t.language.code, components },
        bizOpaqueCallbackData: cb as string | undefined,
      },
      buttonPayloads,
      info,
    };
  };

  const takeToken = (p: PhoneState) => {
    const now = performance.now();
    p.tokens = Math.min(p.mps, p.tokens + ((now - p.refilledAt) / 1000) * p.mps);
    p.refilledAt = now;
    if (p.tokens < 1) return false;
    p.tokens -= 1;
    return true;
  };

  const handleSend = (req: http.IncomingMessage, res: http.ServerResponse, phoneNumberId: string, raw: Buffer) => {
    const p = numbers.get(phoneNumberId);
    const token = bearer(req);
    const denied = authorize(token, (o) => o === p, phoneNumberId, "post");
    if (denied || !p) return graphError(res, denied ?? unknownObject(phoneNumberId, "post"), true);

    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      return graphError(res, invalid("Request body is not valid JSON."), true);
    }
    const parsed = parseSend(p, body);
    if (!("ok" in parsed)) return graphError(res, parsed, true);
    const { msg: base, buttonPayloads } = parsed;
    const to = base.to;
    const rule = to.slice(-4);

    // Meta answers throughput overruns with HTTP 400 and error code 130429 (not HTTP 429).
    if (!takeToken(p))
      return graphError(
        res,
        { status: 400, code: 130429, message: "(#130429) Rate limit hit", details: "Cloud API message throughput has been reached." },
        true,
      );
    if (rule === "0003") {
      const n = serverErrorsByDestination.get(to) ?? 0;
      if (n < 2) {
        serverErrorsByDestination.set(to, n + 1);
        return graphError(res, { status: 500, code: 131000, message: "(#131000) Something went wrong", details: "Something went wrong" }, true);
      }
    }
    if (rule === "0006")
      return graphError(
        res,
        {
          status: 400,
          code: 131048,
          message: "(#131048) Spam rate limit hit",
          details:
            "Message failed to send because there are restrictions on how many messages can be sent from this phone number. " +
            "This may be because too many previous messages were blocked or flagged as spam.",
        },
        true,
      );
    if (rule === "0007")
      return graphError(
        res,
        {
          status: 400,
          code: 131056,
          message: "(#131056) (Business Account, Consumer Account) pair rate limit hit",
          details:
            "Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time.",
        },
        true,
      );

    // Accepted.
    const waId = waIdFor(to);
    const msg: SimMessage = { ...base, wamid: newWamid(waId), waId, acceptedAt: new Date().toISOString() };
    if (msg.bizOpaqueCallbackData === undefined) delete msg.bizOpaqueCallbackData;
    accepted++;
    const nth = (byDestination.get(to) ?? 0) + 1;
    byDestination.set(to, nth);
    stored.set(msg.wamid, msg);
    if (stored.size > maxStored) stored.delete(stored.keys().next().value!);
    planWebhooks(p, msg, nth, buttonPayloads);

    const answer = {
      messaging_product: "whatsapp",
      contacts: [{ input: (body as { to: string }).to, wa_id: waId }],
      messages: [{ id: msg.wamid, message_status: "accepted" }],
    };
    if (rule === "0004") return schedule(hangMs, () => sendJson(res, 200, answer), hangTimers);
    if (rule === "0009") {
      // Accepted, then the connection drops before any answer ("socket hang up" on the client).
      req.socket.destroy();
      return;
    }
    sendJson(res, 200, answer);
  };

  // ---- GET /{v}/{waba_id}/message_templates ----
  const cursor = (i: number) => Buffer.from(`idx:${i}`).toString("base64url");
  const uncursor = (c: string) => {
    const m = /^idx:(\d+)$/.exec(Buffer.from(c, "base64url").toString());
    return m ? Number(m[1]) : null;
  };
  const pickFields = (obj: Record<string, unknown>, fields: string | null) => {
    if (!fields) return obj;
    const wanted = new Set(fields.split(",").map((f) => f.trim()).filter(Boolean));
    wanted.add("id");
    return Object.fromEntries(Object.entries(obj).filter(([k]) => wanted.has(k)));
  };

  /**
   * One page of `list` as Graph answers it: `limit` (default 25, at most maxPage), `after` cursors, `paging` with
   * `cursors` and, when there is more, `next` (the same path and parameters without the token).
   */
  const sendPage = <T,>(req: http.IncomingMessage, res: http.ServerResponse, list: T[], query: URLSearchParams, render: (item: T) => Record<string, unknown>) => {
    const limitParam = query.get("limit");
    const limit = limitParam === null ? 25 : Number(limitParam);
    if (!Number.isInteger(limit) || limit < 1) return graphError(res, invalid("Param limit must be a positive integer."));
    let start = 0;
    const after = query.get("after");
    if (after) {
      const i = uncursor(after);
      if (i === null) return graphError(res, invalid("Invalid cursor in param after."));
      start = i + 1;
    }
    const page = list.slice(start, start + Math.min(limit, maxPage));
    const result: Record<string, unknown> = { data: page.map(render) };
    if (page.length) {
      const last = start + page.length - 1;
      const paging: Record<string, unknown> = { cursors: { before: cursor(start), after: cursor(last) } };
      if (last + 1 < list.length) {
        const next = new URLSearchParams(query);
        next.set("after", cursor(last));
        next.delete("access_token");
        paging.next = `http://${req.headers.host ?? "127.0.0.1"}${req.url?.split("?")[0] ?? ""}?${next}`;
      }
      result.paging = paging;
    }
    sendJson(res, 200, result);
  };

  const handleTemplates = (req: http.IncomingMessage, res: http.ServerResponse, wabaId: string, query: URLSearchParams) => {
    const list = wabaTemplates.get(wabaId);
    const denied = authorize(bearer(req), (o) => o.wabaId === wabaId, wabaId, "get");
    if (denied || !list) return graphError(res, denied ?? unknownObject(wabaId, "get"));
    sendPage(req, res, list, query, (info) =>
      pickFields(
        {
          name: info.raw.name,
          parameter_format: "POSITIONAL",
          components: info.raw.components,
          language: info.raw.language,
          status: info.status,
          category: info.category,
          id: info.raw.id,
        },
        query.get("fields"),
      ),
    );
  };

  // ---- GET /{v}/{phone_number_id} ----
  const handlePhoneNumber = (req: http.IncomingMessage, res: http.ServerResponse, id: string, query: URLSearchParams) => {
    const p = numbers.get(id);
    const denied = authorize(bearer(req), (o) => o === p, id, "get");
    if (denied || !p) return graphError(res, denied ?? unknownObject(id, "get"));
    const full: Record<string, unknown> = {
      verified_name: p.verifiedName,
      code_verification_status: "VERIFIED",
      display_phone_number: p.displayPhoneNumber,
      quality_rating: (p.qualityRating ?? "GREEN").toUpperCase(),
      messaging_limit_tier: p.messagingLimitTier ?? "TIER_1K",
      ...(portfolioLimit !== null ? { whatsapp_business_manager_messaging_limit: portfolioLimit } : {}),
      status: "CONNECTED",
      name_status: "APPROVED",
      platform_type: "CLOUD_API",
      throughput: { level: p.mps > 80 ? "HIGH" : "STANDARD" },
      id: p.phoneNumberId,
    };
    sendJson(res, 200, pickFields(full, query.get("fields") ?? "verified_name,code_verification_status,display_phone_number,quality_rating,platform_type,throughput"));
  };

  // ---- GET /{v}/{waba_id}/phone_numbers ----
  // The WABA's numbers, for any token that owns one of them (a system user's token sees its whole WABA); Meta's
  // default fields, the `fields` parameter, and cursor paging like message_templates.
  const handleWabaPhoneNumbers = (req: http.IncomingMessage, res: http.ServerResponse, wabaId: string, query: URLSearchParams) => {
    const list = [...numbers.values()].filter((p) => p.wabaId === wabaId);
    const denied = authorize(bearer(req), (o) => o.wabaId === wabaId, wabaId, "get");
    if (denied || list.length === 0) return graphError(res, denied ?? unknownObject(wabaId, "get"));
    sendPage(req, res, list, query, (p) =>
      pickFields(
        {
          verified_name: p.verifiedName,
          code_verification_status: "VERIFIED",
          display_phone_number: p.displayPhoneNumber,
          quality_rating: (p.qualityRating ?? "GREEN").toUpperCase(),
          id: p.phoneNumberId,
        },
        query.get("fields"),
      ),
    );
  };

  // ---- control endpoints (not part of Meta's API) ----
  const stats = (): SimStats => ({
    accepted,
    rejected,
    rejectedByCode: Object.fromEntries([...rejectedByCode].map(([k, v]) => [String(k), v])),
    acceptedByDestination: Object.fromEntries(byDestination),
    webhooks: { ...webhookStats, pending: timers.size + hookQueue.length + hooksInFlight },
  });
  const messages = (to?: string) => {
    const d = to ? digitsOf(to) : "";
    return [...stored.values()].filter((m) => !d || m.to === d);
  };
  const reset = () => {
    accepted = 0;
    rejected = 0;
    rejectedByCode = new Map();
    byDestination = new Map();
    stored = new Map();
    serverErrorsByDestination = new Map();
    lastInbound = new Map();
    webhookStats.delivered = webhookStats.failed = webhookStats.retried = 0;
    for (const p of numbers.values()) {
      p.tokens = p.mps;
      p.refilledAt = performance.now();
    }
  };

  const handleControl = (req: http.IncomingMessage, res: http.ServerResponse, path: string, query: URLSearchParams, raw: Buffer) => {
    const route = `${req.method} ${path}`;
    if (route === "GET /_sim/health") return sendJson(res, 200, { ok: true });
    if (route === "GET /_sim/stats") return sendJson(res, 200, stats());
    if (route === "GET /_sim/messages") return sendJson(res, 200, { data: messages(query.get("to") ?? undefined) });
    if (route === "POST /_sim/reset") {
      reset();
      return sendJson(res, 200, { ok: true });
    }
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = raw.length ? JSON.parse(raw.toString("utf8")) : {};
      if (!isObject(parsed)) throw new Error();
      body = parsed;
    } catch {
      return sendJson(res, 400, { error: "corpo JSON inválido" });
    }
    if (route === "POST /_sim/inbound") {
      if (!webhookUrl) return sendJson(res, 409, { error: "webhookUrl não configurado" });
      try {
        return sendJson(res, 200, { wamid: inbound(body as unknown as SimInbound) });
      } catch (err) {
        return sendJson(res, 400, { error: (err as Error).message });
      }
    }
    if (route === "POST /_sim/status") {
      const msg = typeof body.wamid === "string" ? stored.get(body.wamid) : undefined;
      const status = body.status;
      if (!msg) return sendJson(res, 404, { error: "wamid desconhecido" });
      if (status !== "sent" && status !== "delivered" && status !== "read" && status !== "failed")
        return sendJson(res, 400, { error: "status deve ser sent, delivered, read ou failed" });
      if (!webhookUrl) return sendJson(res, 409, { error: "webhookUrl não configurado" });
      const code = typeof body.errorCode === "number" ? body.errorCode : 131026;
      const error = status === "failed" ? { code, title: String(body.errorTitle ?? `Error ${code}`), details: String(body.errorTitle ?? `Error ${code}`) } : undefined;
      enqueue(statusBody(numbers.get(msg.phoneNumberId)!, msg, { status, error }));
      return sendJson(res, 200, { ok: true });
    }
    sendJson(res, 404, { error: `rota de controle desconhecida: ${route}` });
  };

  // ---- routing ----
  const VERSIONED = /^\/(v\d+\.\d+)\/([^/]+)(\/[^/]+)?\/?$/;
  const route = (req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer) => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    if (path.startsWith("/_sim/")) return handleControl(req, res, path, new URLSearchParams(q < 0 ? "" : url.slice(q + 1)), raw);
    const m = VERSIONED.exec(path);
    const edge = m?.[3];
    if (m && req.method === "POST" && edge === "/messages") return handleSend(req, res, decodeURIComponent(m[2]), raw);
    const query = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
    if (m && req.method === "GET" && edge === "/message_templates")
      return handleTemplates(req, res, decodeURIComponent(m[2]), query);
    if (m && req.method === "GET" && edge === "/phone_numbers") return handleWabaPhoneNumbers(req, res, decodeURIComponent(m[2]), query);
    if (m && req.method === "GET" && !edge) return handlePhoneNumber(req, res, decodeURIComponent(m[2]), query);
    graphError(res, { status: 400, code: 2500, message: `Unknown path components: ${path}` });
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > MAX_BODY) return graphError(res, invalid("Request body too large."));
      try {
        route(req, res, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      } catch (err) {
        log(`erro interno: ${(err as Error).stack ?? err}`);
        graphError(res, { status: 500, code: 1, message: "An unknown error occurred" });
      }
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host && options.host !== "0.0.0.0" && options.host !== "::" ? options.host : "127.0.0.1";

  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    stats,
    messages,
    reset,
    inbound,
    idle: async (timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (timers.size + hookQueue.length + hooksInFlight > 0) {
        if (Date.now() > deadline) throw new Error("Simulador: webhooks ainda pendentes após o tempo limite");
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      for (const t of [...timers, ...hangTimers]) clearTimeout(t);
      timers.clear();
      hangTimers.clear();
      hookQueue.length = 0;
      aborter.abort();
      hookAgent?.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
};
