import {
  classifyApiError,
  classifyNetworkError,
  failedBeforeSending,
  networkErrorCode,
  REQUEST_INVALID,
  type ErrorKind,
  type ErrorScope,
  type RetryPolicy,
} from "./errors";
import { createNodeTransport, type TransportResponse } from "./node-transport";

// The WhatsApp Cloud API client. Every call resolves to a typed result and never throws for API or network
// failures. Nothing secret leaves this module: the token travels only in the Authorization header, is never
// put in a URL, a result or a log entry, and is scrubbed from any text that comes back from the server.
//
// "Written but unanswered" (→ ambiguous): fetch does not tell whether the request body reached the server.
// The only failures we can place *before* the request was written are the ones that prevent the connection
// from existing at all — ECONNREFUSED, ENOTFOUND, EAI_AGAIN, unreachable host, connect timeout, TLS handshake
// errors (on err.cause.code) — and an error HTTP answer (the API saw the request and refused it). Anything else
// on a POST — our own timeout (AbortSignal.timeout), ECONNRESET / "other side closed" on an established or
// reused keep-alive connection, a 2xx whose body is lost or unreadable — may come after Meta accepted the
// message, and the Cloud API has no idempotency key: those are `ambiguous` and must not be retried
// automatically ("never twice" outranks "always"). A timeout that in fact fired while still connecting is
// counted as ambiguous too: we cannot tell, and the safe side is not sending twice. GETs are idempotent, so
// every GET network failure is plainly transient.

export type HeaderParameter =
  | { type: "text"; text: string }
  | { type: "image" | "video"; link: string }
  | { type: "document"; link: string; filename?: string };

export type ButtonParameter =
  | { subType: "quick_reply"; index: number; payload: string }
  | { subType: "url"; index: number; text: string };

export type TemplateMessage = {
  name: string;
  /** Meta's language code, e.g. "pt_BR". */
  language: string;
  headerParameters?: readonly HeaderParameter[];
  /** Values for {{1}}, {{2}}, … of the body, in order. */
  bodyParameters?: readonly string[];
  buttons?: readonly ButtonParameter[];
};

export type ApiFailure = {
  ok: false;
  kind: ErrorKind;
  retry: RetryPolicy;
  scope: ErrorScope;
  retryAfterMs?: number;
  /** Meta's error code (error.code), when the API answered with one. */
  code?: number;
  subcode?: number;
  httpStatus?: number;
  /** Node/undici error code for network failures (ECONNREFUSED, TIMEOUT, UND_ERR_SOCKET…). */
  networkCode?: string;
  /** Technical message (Meta's message and details, or the network error), for logs and the report. */
  message: string;
  fbtraceId?: string;
  /** pt-BR: what happened. */
  explanation: string;
  /** pt-BR: what the user should do. */
  nextStep: string;
};

export type SendResult =
  | { ok: true; wamid: string; /** wa_id Meta resolved for the recipient (may lack the BR ninth digit). */ waId?: string; messageStatus?: string; httpStatus: number }
  | ApiFailure;

export type TemplateCategory = "marketing" | "utility" | "authentication";
export type TemplateStatus = "approved" | "pending" | "rejected" | "paused" | "disabled";
export type TemplateVariable = { index: number; component: "header" | "body"; example?: string };

export type NormalizedTemplate = {
  metaId: string;
  name: string;
  language: string;
  category: TemplateCategory;
  status: TemplateStatus;
  /** Meta's raw status ("APPROVED", "IN_APPEAL", "LIMIT_EXCEEDED"…), for display. */
  metaStatus: string;
  components: unknown[];
  /** "text" when the header has text (possibly with {{1}}); a media format needs a link at send time. */
  headerFormat: "text" | "image" | "video" | "document" | "location" | null;
  variables: TemplateVariable[];
  variableCount: number;
};

export type ListTemplatesResult = { ok: true; templates: NormalizedTemplate[]; pages: number } | ApiFailure;

export type PhoneNumberInfo = {
  id: string;
  displayPhoneNumber: string;
  verifiedName: string;
  qualityRating: "green" | "yellow" | "red" | "unknown";
  /** Deprecated by Meta (per number, before October 2025); kept while the API still sends it. */
  messagingLimitTier: string | null;
  /**
   * whatsapp_business_manager_messaging_limit: the business portfolio's messaging limit, shared by all its numbers,
   * as a tier ("TIER_250", "TIER_2K", "TIER_10K", "TIER_100K", "TIER_UNLIMITED"); null when the answer lacks it.
   */
  portfolioMessagingLimit: string | null;
  status: string | null;
};

export type PhoneNumberResult = ({ ok: true } & PhoneNumberInfo) | ApiFailure;

/** Who a number is, as Meta answers it: the id exactly as returned (null when the answer lacks it). */
export type PhoneNumberIdentity = { id: string | null; displayPhoneNumber: string; verifiedName: string };
export type PhoneNumberIdentityResult = ({ ok: true } & PhoneNumberIdentity) | ApiFailure;
/** The numbers of a WhatsApp Business Account (GET /{waba_id}/phone_numbers, every page). */
export type WabaPhoneNumbersResult = { ok: true; phoneNumbers: (PhoneNumberIdentity & { id: string })[]; pages: number } | ApiFailure;

export type WhatsAppLogEntry = {
  op: "sendTemplate" | "sendText" | "listTemplates" | "getPhoneNumber" | "lookupPhoneNumber" | "listWabaPhoneNumbers";
  method: "GET" | "POST";
  /** Path without the base URL and without secrets, e.g. "/v23.0/100000000000001/messages". */
  path: string;
  ms: number;
  ok: boolean;
  httpStatus?: number;
  kind?: ErrorKind;
  code?: number;
  networkCode?: string;
  fbtraceId?: string;
};

export type WhatsAppClientOptions = {
  /** e.g. https://graph.facebook.com (or the simulator's URL). */
  baseUrl: string;
  /** e.g. v23.0 */
  version: string;
  /** Whole request budget: connect, send, answer and body. */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  /** "node": keep-alive node:http(s) (node-transport.ts), for the dispatch worker's volume. Default fetch. */
  transport?: "fetch" | "node";
  /** Called once per HTTP request with secret-free metadata. */
  log?: (entry: WhatsAppLogEntry) => void;
};

export type SendTemplateInput = {
  phoneNumberId: string;
  accessToken: string;
  /** E.164 ("+5511987654321") or digits. */
  to: string;
  template: TemplateMessage;
  /** Echoed by Meta in every status webhook of this message: the recipient row id. Max 512 characters. */
  bizOpaqueCallbackData: string;
};

export type SendTextInput = {
  phoneNumberId: string;
  accessToken: string;
  to: string;
  body: string;
  bizOpaqueCallbackData?: string;
};

export type WhatsAppClient = {
  sendTemplate(input: SendTemplateInput): Promise<SendResult>;
  sendText(input: SendTextInput): Promise<SendResult>;
  listTemplates(input: { wabaId: string; accessToken: string; pageSize?: number }): Promise<ListTemplatesResult>;
  getPhoneNumber(input: { phoneNumberId: string; accessToken: string }): Promise<PhoneNumberResult>;
  /** The number as Meta knows it with this token (GET /{phone_number_id}?fields=id,…): for proving a chip is ours. */
  lookupPhoneNumber(input: { phoneNumberId: string; accessToken: string }): Promise<PhoneNumberIdentityResult>;
  /** Every number of the WABA this token sees (GET /{waba_id}/phone_numbers, cursor by cursor). */
  listWabaPhoneNumbers(input: { wabaId: string; accessToken: string }): Promise<WabaPhoneNumbersResult>;
};

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => !!v && typeof v === "object" && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined;

const MAX_TEMPLATE_PAGES = 200;
/** A WABA holds a handful of numbers (a few dozen for the largest); 20 pages of 100 is far past that. */
const MAX_PHONE_NUMBER_PAGES = 20;

const redact = (text: string, secret: string) => (secret.length >= 4 ? text.split(secret).join("[token]") : text);

const localFailure = (message: string, entry: Omit<ApiFailure, "ok" | "message">): ApiFailure => ({
  ok: false,
  ...entry,
  message,
});

/** "+55 (11) 98765-4321" → "5511987654321"; null when it cannot be a phone number. */
const recipientDigits = (to: string): string | null => {
  const digits = String(to ?? "").replace(/\D/g, "");
  return digits.length >= 8 && digits.length <= 15 ? digits : null;
};

const invalidRecipient = (to: string): ApiFailure =>
  localFailure(`Número de destino inválido: ${JSON.stringify(String(to).slice(0, 40))}`, {
    kind: "permanent",
    retry: "never",
    scope: "recipient",
    explanation: "O telefone do contato não é um número válido para o WhatsApp.",
    nextStep: "Corrija o telefone do contato (DDD + número) e envie de novo.",
  });

const templateComponents = (t: TemplateMessage) => {
  const components: JsonObject[] = [];
  const header = (t.headerParameters ?? []).map((p) => {
    if (p.type === "text") return { type: "text", text: p.text };
    if (p.type === "document")
      return { type: "document", document: p.filename ? { link: p.link, filename: p.filename } : { link: p.link } };
    return { type: p.type, [p.type]: { link: p.link } };
  });
  if (header.length) components.push({ type: "header", parameters: header });
  const body = (t.bodyParameters ?? []).map((text) => ({ type: "text", text }));
  if (body.length) components.push({ type: "body", parameters: body });
  for (const b of t.buttons ?? [])
    components.push({
      type: "button",
      sub_type: b.subType,
      index: String(b.index),
      parameters: [b.subType === "quick_reply" ? { type: "payload", payload: b.payload } : { type: "text", text: b.text }],
    });
  return components;
};

const PLACEHOLDER = /\{\{\s*(\d+)\s*\}\}/g;
const placeholders = (text: unknown): number[] => {
  if (typeof text !== "string") return [];
  const seen = new Set<number>();
  for (const m of text.matchAll(PLACEHOLDER)) seen.add(Number(m[1]));
  return [...seen].sort((a, b) => a - b);
};

const CATEGORY: Record<string, TemplateCategory> = {
  MARKETING: "marketing",
  UTILITY: "utility",
  AUTHENTICATION: "authentication",
  OTP: "authentication",
  TRANSACTIONAL: "utility",
};
const STATUS: Record<string, TemplateStatus> = {
  APPROVED: "approved",
  PENDING: "pending",
  IN_APPEAL: "pending",
  REJECTED: "rejected",
  PAUSED: "paused",
  DISABLED: "disabled",
  LIMIT_EXCEEDED: "disabled",
  ARCHIVED: "disabled",
  DELETED: "disabled",
  PENDING_DELETION: "disabled",
};
const HEADER_FORMATS = new Set(["text", "image", "video", "document", "location"]);

/** Meta's template object (GET /{waba_id}/message_templates) → our normalised shape. */
export const normalizeTemplate = (raw: unknown): NormalizedTemplate | null => {
  if (!isObject(raw)) return null;
  const name = str(raw.name);
  const language = str(raw.language);
  if (!name || !language) return null;
  const components = Array.isArray(raw.components) ? raw.components : [];
  const variables: TemplateVariable[] = [];
  let headerFormat: NormalizedTemplate["headerFormat"] = null;
  for (const part of ["HEADER", "BODY"] as const) {
    const c = components.find((x): x is JsonObject => isObject(x) && String(x.type).toUpperCase() === part);
    if (!c) continue;
    const example = isObject(c.example) ? c.example : {};
    if (part === "HEADER") {
      const format = String(c.format ?? "TEXT").toLowerCase();
      headerFormat = HEADER_FORMATS.has(format) ? (format as NormalizedTemplate["headerFormat"]) : null;
      const examples = Array.isArray(example.header_text) ? example.header_text : [];
      for (const index of placeholders(c.text))
        variables.push({ index, component: "header", ...(typeof examples[index - 1] === "string" ? { example: examples[index - 1] } : {}) });
    } else {
      const rows = Array.isArray(example.body_text) ? example.body_text : [];
      const examples = Array.isArray(rows[0]) ? rows[0] : [];
      for (const index of placeholders(c.text))
        variables.push({ index, component: "body", ...(typeof examples[index - 1] === "string" ? { example: examples[index - 1] } : {}) });
    }
  }
  const metaStatus = String(raw.status ?? "").toUpperCase();
  return {
    metaId: String(raw.id ?? ""),
    name,
    language,
    category: CATEGORY[String(raw.category ?? "").toUpperCase()] ?? "utility",
    status: STATUS[metaStatus] ?? "pending",
    metaStatus,
    components,
    headerFormat,
    variables,
    variableCount: variables.length,
  };
};

const QUALITY: Record<string, PhoneNumberInfo["qualityRating"]> = { GREEN: "green", YELLOW: "yellow", RED: "red" };

// Limits Meta also writes as a count of contacts (business_capability_update says 2000, -1 for unlimited).
const TIER_BY_COUNT: Record<string, string> = {
  "-1": "TIER_UNLIMITED",
  "250": "TIER_250",
  "1000": "TIER_1K",
  "2000": "TIER_2K",
  "10000": "TIER_10K",
  "100000": "TIER_100K",
};

/**
 * whatsapp_business_manager_messaging_limit → "TIER_2K"-style tier. Documented as a string; read defensively: a
 * count (2000, "2000", -1), "UNLIMITED"/"2K" without the prefix, or an object carrying one of those under a
 * usual key ({ current_limit }, { tier }, { messaging_limit_tier }, { value }, { limit }).
 */
export const portfolioTierFrom = (raw: unknown, depth = 0): string | null => {
  if (typeof raw === "number") return Number.isFinite(raw) ? (TIER_BY_COUNT[String(raw)] ?? null) : null;
  if (typeof raw === "string") {
    const v = raw.trim().toUpperCase().replace(/\s+/g, "_");
    if (!v) return null;
    if (/^-?\d+$/.test(v)) return TIER_BY_COUNT[String(Number(v))] ?? null;
    if (v.startsWith("TIER_")) return /^TIER_[A-Z0-9]+$/.test(v) ? v : null;
    return /^(UNLIMITED|\d+K?)$/.test(v) ? `TIER_${v}` : null;
  }
  if (isObject(raw) && depth < 2)
    for (const key of ["current_limit", "tier", "messaging_limit_tier", "value", "limit", "max_daily_conversations_per_business"]) {
      const tier = portfolioTierFrom(raw[key], depth + 1);
      if (tier) return tier;
    }
  return null;
};

type CallOk = { ok: true; httpStatus: number; data: unknown };
type CallSpec = {
  op: WhatsAppLogEntry["op"];
  method: "GET" | "POST";
  path: string;
  accessToken: string;
  body?: unknown;
};

export const createWhatsAppClient = ({
  baseUrl,
  version,
  timeoutMs = 10_000,
  fetchImpl,
  transport,
  log,
}: WhatsAppClientOptions): WhatsAppClient => {
  const base = baseUrl.replace(/\/+$/, "");
  const node = transport === "node" && !fetchImpl ? createNodeTransport({ timeoutMs }) : null;
  const doFetch = (url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<TransportResponse> =>
    node
      ? node(url, init)
      : (fetchImpl ?? fetch)(url, {
          ...init,
          // Next.js patches fetch with a data cache: API calls must never be served from it.
          cache: "no-store",
          signal: AbortSignal.timeout(timeoutMs),
        });
  const seg = (s: string) => encodeURIComponent(String(s));

  const call = async (spec: CallSpec): Promise<CallOk | ApiFailure> => {
    const started = performance.now();
    const path = `/${seg(version)}${spec.path}`;
    const done = <T extends CallOk | ApiFailure>(result: T): T => {
      if (log) {
        const entry: WhatsAppLogEntry = {
          op: spec.op,
          method: spec.method,
          path,
          ms: Math.round(performance.now() - started),
          ok: result.ok,
        };
        if (result.ok) entry.httpStatus = result.httpStatus;
        else {
          entry.kind = result.kind;
          if (result.httpStatus !== undefined) entry.httpStatus = result.httpStatus;
          if (result.code !== undefined) entry.code = result.code;
          if (result.networkCode) entry.networkCode = result.networkCode;
          if (result.fbtraceId) entry.fbtraceId = result.fbtraceId;
        }
        try {
          log(entry);
        } catch {}
      }
      return result;
    };
    const isPost = spec.method === "POST";

    let response: TransportResponse;
    try {
      response = await doFetch(`${base}${path}`, {
        method: spec.method,
        headers: {
          authorization: `Bearer ${spec.accessToken}`,
          accept: "application/json",
          ...(isPost ? { "content-type": "application/json" } : {}),
        },
        body: isPost ? JSON.stringify(spec.body) : undefined,
      });
    } catch (err) {
      return done(networkFailure(err, spec, isPost));
    }

    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      // Headers arrived, the body did not. An error status still means "refused"; a 2xx on a send means it was
      // probably accepted and we lost the wamid.
      if (!response.ok) return done(httpFailure(response.status, undefined, spec.accessToken));
      return done(networkFailure(err, spec, isPost, true));
    }
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    if (!response.ok) return done(httpFailure(response.status, data, spec.accessToken, text));
    if (data === undefined) {
      const failure = isPost
        ? { ...classifyNetworkError(null, { requestWritten: true }), networkCode: "INVALID_RESPONSE" }
        : classifyApiError(undefined, 502);
      return done({
        ok: false,
        ...failure,
        httpStatus: response.status,
        message: `Resposta ${response.status} da API sem JSON válido.`,
      });
    }
    return done({ ok: true, httpStatus: response.status, data });
  };

  const networkFailure = (err: unknown, spec: CallSpec, isPost: boolean, afterHeaders = false): ApiFailure => {
    const cause = isObject(err) && isObject(err.cause) ? err.cause : undefined;
    const name = isObject(err) ? str(err.name) : undefined;
    const errMessage = err instanceof Error ? err.message : String(err);
    const message = redact(
      [errMessage, cause && str(cause.message)].filter(Boolean).join(": ") || "erro de rede",
      spec.accessToken,
    );
    // fetch rejects with a TypeError that has no cause when the request cannot even be built (invalid URL,
    // a header value with a line break): nothing left this process.
    // Its message may quote the offending header (the token), so it is not passed on. fetch also refuses some
    // URLs itself before connecting (a "bad port" such as 9 or 6000, a non-HTTP scheme).
    const refusedByFetch = !!cause && !networkErrorCode(err) && /^bad port$|scheme/i.test(str(cause.message) ?? "");
    if (!afterHeaders && name === "TypeError" && ((!cause && !networkErrorCode(err)) || refusedByFetch))
      return localFailure("Requisição inválida: a URL da API ou um cabeçalho (token) tem formato inválido.", {
        ...REQUEST_INVALID,
        networkCode: "REQUEST_INVALID",
      });
    const requestWritten = isPost && (afterHeaders || !failedBeforeSending(err));
    const c = classifyNetworkError(err, { requestWritten });
    const { code: _code, ...rest } = c;
    return { ok: false, ...rest, message };
  };

  const httpFailure = (status: number, data: unknown, accessToken: string, text?: string): ApiFailure => {
    const error = isObject(data) && isObject(data.error) ? data.error : undefined;
    const code = num(error?.code);
    const subcode = num(error?.error_subcode);
    const c = classifyApiError(code, status, subcode);
    const errorData = error && isObject(error.error_data) ? error.error_data : undefined;
    const details = str(errorData?.details);
    const metaMessage = str(error?.message);
    const message = redact(
      [metaMessage, details && details !== metaMessage ? details : undefined].filter(Boolean).join(" — ") ||
        `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ""}`,
      accessToken,
    );
    const failure: ApiFailure = { ok: false, ...c, httpStatus: status, message };
    if (subcode !== undefined) failure.subcode = subcode;
    const trace = str(error?.fbtrace_id);
    if (trace) failure.fbtraceId = trace;
    return failure;
  };

  const sendMessage = async (op: "sendTemplate" | "sendText", phoneNumberId: string, accessToken: string, payload: JsonObject) => {
    const result = await call({ op, method: "POST", path: `/${seg(phoneNumberId)}/messages`, accessToken, body: payload });
    if (!result.ok) return result;
    const data = isObject(result.data) ? result.data : {};
    const message = Array.isArray(data.messages) && isObject(data.messages[0]) ? data.messages[0] : undefined;
    const wamid = str(message?.id);
    if (!wamid) {
      // A 2xx without a message id: Meta may well have accepted it. Same treatment as a lost answer.
      return {
        ok: false as const,
        ...classifyNetworkError(null, { requestWritten: true }),
        networkCode: "MISSING_WAMID",
        httpStatus: result.httpStatus,
        message: "Resposta de sucesso da API sem o id da mensagem (wamid).",
      };
    }
    const contact = Array.isArray(data.contacts) && isObject(data.contacts[0]) ? data.contacts[0] : undefined;
    const ok: SendResult = { ok: true, wamid, httpStatus: result.httpStatus };
    const waId = str(contact?.wa_id);
    if (waId) ok.waId = waId;
    const status = str(message?.message_status);
    if (status) ok.messageStatus = status;
    return ok;
  };

  return {
    async sendTemplate({ phoneNumberId, accessToken, to, template, bizOpaqueCallbackData }) {
      const digits = recipientDigits(to);
      if (!digits) return invalidRecipient(to);
      const components = templateComponents(template);
      return sendMessage("sendTemplate", phoneNumberId, accessToken, {
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: digits,
        type: "template",
        template: {
          name: template.name,
          language: { code: template.language },
          ...(components.length ? { components } : {}),
        },
        biz_opaque_callback_data: bizOpaqueCallbackData,
      });
    },

    async sendText({ phoneNumberId, accessToken, to, body, bizOpaqueCallbackData }) {
      const digits = recipientDigits(to);
      if (!digits) return invalidRecipient(to);
      return sendMessage("sendText", phoneNumberId, accessToken, {
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: digits,
        type: "text",
        text: { body, preview_url: false },
        ...(bizOpaqueCallbackData !== undefined ? { biz_opaque_callback_data: bizOpaqueCallbackData } : {}),
      });
    },

    async listTemplates({ wabaId, accessToken, pageSize = 100 }) {
      const templates: NormalizedTemplate[] = [];
      const limit = Math.max(1, Math.min(100, Math.floor(pageSize)));
      let after: string | undefined;
      let pages = 0;
      // Follow the `after` cursor ourselves rather than the `next` URL: we keep the host and version we trust,
      // and a `next` URL may carry an access_token query parameter we do not want anywhere.
      do {
        const query = new URLSearchParams({ limit: String(limit), fields: "name,language,category,status,components,id" });
        if (after) query.set("after", after);
        const result = await call({
          op: "listTemplates",
          method: "GET",
          path: `/${seg(wabaId)}/message_templates?${query}`,
          accessToken,
        });
        if (!result.ok) return result;
        pages++;
        const data = isObject(result.data) ? result.data : {};
        for (const raw of Array.isArray(data.data) ? data.data : []) {
          const t = normalizeTemplate(raw);
          if (t) templates.push(t);
        }
        const paging = isObject(data.paging) ? data.paging : {};
        const cursors = isObject(paging.cursors) ? paging.cursors : {};
        const next = str(cursors.after);
        after = paging.next && next && next !== after ? next : undefined;
      } while (after && pages < MAX_TEMPLATE_PAGES);
      return { ok: true, templates, pages };
    },

    async getPhoneNumber({ phoneNumberId, accessToken }) {
      // messaging_limit_tier is deprecated (per number); the portfolio's limit is whatsapp_business_manager_messaging_limit.
      const fields =
        "display_phone_number,verified_name,quality_rating,messaging_limit_tier,whatsapp_business_manager_messaging_limit,status";
      const result = await call({
        op: "getPhoneNumber",
        method: "GET",
        path: `/${seg(phoneNumberId)}?fields=${fields}`,
        accessToken,
      });
      if (!result.ok) return result;
      const d = isObject(result.data) ? result.data : {};
      return {
        ok: true,
        id: str(d.id) ?? phoneNumberId,
        displayPhoneNumber: str(d.display_phone_number) ?? "",
        verifiedName: str(d.verified_name) ?? "",
        qualityRating: QUALITY[String(d.quality_rating ?? "").toUpperCase()] ?? "unknown",
        messagingLimitTier: str(d.messaging_limit_tier) ?? null,
        portfolioMessagingLimit: portfolioTierFrom(d.whatsapp_business_manager_messaging_limit),
        status: str(d.status) ?? null,
      };
    },

    async lookupPhoneNumber({ phoneNumberId, accessToken }) {
      const result = await call({
        op: "lookupPhoneNumber",
        method: "GET",
        path: `/${seg(phoneNumberId)}?fields=id,display_phone_number,verified_name`,
        accessToken,
      });
      if (!result.ok) return result;
      const d = isObject(result.data) ? result.data : {};
      return {
        ok: true,
        id: str(d.id) ?? null,
        displayPhoneNumber: str(d.display_phone_number) ?? "",
        verifiedName: str(d.verified_name) ?? "",
      };
    },

    async listWabaPhoneNumbers({ wabaId, accessToken }) {
      const phoneNumbers: (PhoneNumberIdentity & { id: string })[] = [];
      let after: string | undefined;
      let pages = 0;
      // As with templates: the `after` cursor, never the `next` URL (it may carry an access_token).
      do {
        const query = new URLSearchParams({ limit: "100", fields: "id,display_phone_number,verified_name" });
        if (after) query.set("after", after);
        const result = await call({ op: "listWabaPhoneNumbers", method: "GET", path: `/${seg(wabaId)}/phone_numbers?${query}`, accessToken });
        if (!result.ok) return result;
        pages++;
        const data = isObject(result.data) ? result.data : {};
        for (const raw of Array.isArray(data.data) ? data.data : []) {
          const id = isObject(raw) ? str(raw.id) : undefined;
          if (id && isObject(raw))
            phoneNumbers.push({ id, displayPhoneNumber: str(raw.display_phone_number) ?? "", verifiedName: str(raw.verified_name) ?? "" });
        }
        const paging = isObject(data.paging) ? data.paging : {};
        const cursors = isObject(paging.cursors) ? paging.cursors : {};
        const next = str(cursors.after);
        after = paging.next && next && next !== after ? next : undefined;
      } while (after && pages < MAX_PHONE_NUMBER_PAGES);
      return { ok: true, phoneNumbers, pages };
    },
  };
};
