import { z } from "zod";

// Meta's "messages" webhook, flattened into one event per status and per inbound message.
// Lenient where Meta is: unknown fields are dropped (Meta keeps adding some), one malformed item is skipped
// without losing the rest of the batch (a 400 would make Meta retry the whole POST for days), unknown status
// values ("deleted", "warning", payment statuses) are skipped. Only a body that is not a WhatsApp Business
// Account webhook at all is refused.

export type StatusValue = "sent" | "delivered" | "read" | "failed";

export type StatusEvent = {
  type: "status";
  phoneNumberId: string;
  wamid: string;
  status: StatusValue;
  timestamp: Date;
  /** wa_id of the recipient (for Brazilian mobiles, possibly without the ninth digit). "" if Meta omitted it. */
  recipientWaId: string;
  /** biz_opaque_callback_data echoed from the send: the recipient row id. */
  callbackData?: string;
  error?: { code: number; title: string; message: string };
  /** pricing.billable (Meta sends pricing on sent and delivered; read and failed carry none). */
  billable?: boolean;
};

export type MessageKind = "text" | "button" | "interactive" | "other";

export type MessageEvent = {
  type: "message";
  phoneNumberId: string;
  wamid: string;
  /** wa_id of the sender: digits, for Brazilian mobiles possibly without the ninth digit (use lib/phones fromWaId). */
  fromWaId: string;
  profileName?: string;
  timestamp: Date;
  kind: MessageKind;
  /** Meta's raw message type ("text", "button", "interactive", "image", "reaction", "unsupported", …). */
  messageType: string;
  /** text.body, button.text, the interactive reply's title, a media caption, or "". */
  text: string;
  /** button.payload, or the interactive reply's id. */
  payload?: string;
  /** context.id: the wamid of the message this one replies to (the campaign message for a quick reply). */
  contextWamid?: string;
};

export type WebhookEvent = StatusEvent | MessageEvent;

export type ParseResult =
  | { ok: true; events: WebhookEvent[]; /** items present but skipped (malformed or unknown). */ ignored: number }
  | { ok: false; reason: string };

const STATUSES = new Set<string>(["sent", "delivered", "read", "failed"]);

const timestampSchema = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const seconds = typeof v === "number" ? v : /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(seconds) || seconds <= 0) {
    ctx.addIssue({ code: "custom", message: "timestamp inválido" });
    return z.NEVER;
  }
  return new Date(seconds * 1000);
});

const codeSchema = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);

const statusSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  timestamp: timestampSchema,
  recipient_id: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  // Lenient: a pricing object of another shape drops the price, never the status.
  pricing: z.object({ billable: z.boolean().optional() }).optional().catch(undefined),
  errors: z
    .array(
      z.object({
        code: codeSchema,
        title: z.string().optional(),
        message: z.string().optional(),
        error_data: z.object({ details: z.string().optional() }).optional(),
      }),
    )
    .optional(),
});

const reply = z.object({ id: z.string().optional(), title: z.string().optional() });

const messageSchema = z.object({
  from: z.string().min(1),
  id: z.string().min(1),
  timestamp: timestampSchema,
  type: z.string(),
  text: z.object({ body: z.string() }).optional(),
  button: z.object({ text: z.string().optional(), payload: z.string().optional() }).optional(),
  interactive: z
    .object({ type: z.string().optional(), button_reply: reply.optional(), list_reply: reply.optional() })
    .optional(),
  context: z.object({ from: z.string().optional(), id: z.string().optional() }).optional(),
  image: z.object({ caption: z.string().optional() }).optional(),
  video: z.object({ caption: z.string().optional() }).optional(),
  document: z.object({ caption: z.string().optional() }).optional(),
});

const valueSchema = z.object({
  messaging_product: z.string().optional(),
  metadata: z.object({ display_phone_number: z.string().optional(), phone_number_id: z.string().min(1) }),
  contacts: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  messages: z.array(z.unknown()).optional(),
});

const contactSchema = z.object({
  wa_id: z.string().optional(),
  profile: z.object({ name: z.string().optional() }).optional(),
});

const envelopeSchema = z.object({
  object: z.literal("whatsapp_business_account"),
  entry: z.array(
    z.object({
      id: z.string().optional(),
      changes: z.array(z.object({ field: z.string(), value: z.unknown() })),
    }),
  ),
});

const toStatusEvent = (phoneNumberId: string, s: z.infer<typeof statusSchema>): StatusEvent | null => {
  if (!STATUSES.has(s.status)) return null;
  const event: StatusEvent = {
    type: "status",
    phoneNumberId,
    wamid: s.id,
    status: s.status as StatusValue,
    timestamp: s.timestamp,
    recipientWaId: s.recipient_id ?? "",
  };
  if (s.biz_opaque_callback_data !== undefined) event.callbackData = s.biz_opaque_callback_data;
  if (s.pricing?.billable !== undefined) event.billable = s.pricing.billable;
  const e = s.errors?.[0];
  if (e) {
    const title = e.title ?? e.message ?? `Erro ${e.code}`;
    event.error = { code: e.code, title, message: e.message ?? e.error_data?.details ?? title };
  }
  return event;
};

const toMessageEvent = (
  phoneNumberId: string,
  m: z.infer<typeof messageSchema>,
  names: Map<string, string>,
  fallbackName: string | undefined,
): MessageEvent => {
  let kind: MessageKind = "other";
  let text = "";
  let payload: string | undefined;
  if (m.type === "text" && m.text) {
    kind = "text";
    text = m.text.body;
  } else if (m.type === "button" && m.button) {
    kind = "button";
    text = m.button.text ?? m.button.payload ?? "";
    payload = m.button.payload;
  } else if (m.type === "interactive" && m.interactive) {
    const r = m.interactive.button_reply ?? m.interactive.list_reply;
    kind = "interactive";
    text = r?.title ?? "";
    payload = r?.id;
  } else {
    text = m.image?.caption ?? m.video?.caption ?? m.document?.caption ?? "";
  }
  const event: MessageEvent = {
    type: "message",
    phoneNumberId,
    wamid: m.id,
    fromWaId: m.from,
    timestamp: m.timestamp,
    kind,
    messageType: m.type,
    text,
  };
  const profileName = names.get(m.from) ?? fallbackName;
  if (profileName) event.profileName = profileName;
  if (payload !== undefined) event.payload = payload;
  if (m.context?.id) event.contextWamid = m.context.id;
  return event;
};

/** Flattens a parsed webhook JSON body into status and message events. */
export const parseWebhook = (json: unknown): ParseResult => {
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success) {
    const isObject = !!json && typeof json === "object";
    const reason =
      isObject && (json as { object?: unknown }).object !== "whatsapp_business_account"
        ? 'Não é um webhook do WhatsApp Business (campo "object" diferente de whatsapp_business_account).'
        : `Webhook malformado: ${envelope.error.issues[0]?.path.join(".") || "corpo"} — ${envelope.error.issues[0]?.message ?? "inválido"}.`;
    return { ok: false, reason };
  }

  const events: WebhookEvent[] = [];
  let ignored = 0;
  for (const entry of envelope.data.entry) {
    for (const change of entry.changes) {
      if (change.field !== "messages") {
        ignored++;
        continue;
      }
      const value = valueSchema.safeParse(change.value);
      if (!value.success) {
        ignored++;
        continue;
      }
      const { metadata, contacts = [], statuses = [], messages = [] } = value.data;
      const phoneNumberId = metadata.phone_number_id;

      for (const raw of statuses) {
        const s = statusSchema.safeParse(raw);
        const event = s.success ? toStatusEvent(phoneNumberId, s.data) : null;
        if (event) events.push(event);
        else ignored++;
      }

      const names = new Map<string, string>();
      let fallbackName: string | undefined;
      for (const raw of contacts) {
        const c = contactSchema.safeParse(raw);
        if (!c.success || !c.data.profile?.name) continue;
        fallbackName ??= c.data.profile.name;
        if (c.data.wa_id) names.set(c.data.wa_id, c.data.profile.name);
      }
      for (const raw of messages) {
        const m = messageSchema.safeParse(raw);
        if (m.success) events.push(toMessageEvent(phoneNumberId, m.data, names, fallbackName));
        else ignored++;
      }
    }
  }
  return { ok: true, events, ignored };
};

/** Parses the raw request body (after the signature check) and flattens it; invalid JSON → ok: false. */
export const parseWebhookBody = (rawBody: Buffer | string): ParseResult => {
  let json: unknown;
  try {
    json = JSON.parse(typeof rawBody === "string" ? rawBody : rawBody.toString("utf8"));
  } catch {
    return { ok: false, reason: "O corpo do webhook não é um JSON válido." };
  }
  return parseWebhook(json);
};
