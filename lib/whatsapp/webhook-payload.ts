import { z } from "zod";

// Meta's "messages" webhook, flattened into one event per status and per inbound message.
// Lenient where Meta is: unknown fields are dropped (Meta keeps adding some), one malformed item is skipped
// without losing the rest of the batch (a 400 would make Meta retry the whole POST for days), unknown status
// values ("deleted", "warning", payment statuses) are skipped. Only a body that is not a WhatsApp Business
// Account webhook at all is refused.
//
// Users: since April 2026 every webhook names the WhatsApp user by its business-scoped user id (BSUID:
// messages[].from_user_id, contacts[].user_id, statuses[].recipient_user_id), and a user who adopted a username
// (contacts[].profile.username) may arrive without any phone number (no messages[].from, no contacts[].wa_id).
// docs/decisions/0006-bsuid.md.

export type StatusValue = "sent" | "delivered" | "read" | "failed";

export type StatusEvent = {
  type: "status";
  phoneNumberId: string;
  wamid: string;
  status: StatusValue;
  timestamp: Date;
  /** wa_id of the recipient (for Brazilian mobiles, possibly without the ninth digit). "" if Meta omitted it. */
  recipientWaId: string;
  /** recipient_user_id (or the status's contact's user_id): the recipient's BSUID. */
  recipientBsuid?: string;
  /** contacts[].profile.username on delivered/read statuses, when the user adopted one. */
  username?: string;
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
  /**
   * wa_id of the sender: digits, for Brazilian mobiles possibly without the ninth digit (use lib/phones fromWaId).
   * "" when Meta withheld the phone number (a user with a username): then fromBsuid names the sender.
   */
  fromWaId: string;
  /** from_user_id (or the contact's user_id): the sender's BSUID. */
  fromBsuid?: string;
  /** contacts[].profile.username, when the sender adopted one. */
  username?: string;
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

/** A status skipped, or a message stored with its arrival time, because its timestamp cannot be a webhook's. */
export type BadTimestamp = { kind: "status" | "message"; wamid: string; value: string };

export type ParseResult =
  | {
      ok: true;
      events: WebhookEvent[];
      /** items present but skipped (malformed or unknown). */
      ignored: number;
      badTimestamps: BadTimestamp[];
    }
  | { ok: false; reason: string };

const STATUSES = new Set<string>(["sent", "delivered", "read", "failed"]);

// WhatsApp did not exist before 2009; a webhook is not sent from the future (a day of slack for clocks).
const EARLIEST_S = Date.UTC(2009, 0, 1) / 1000;
const AHEAD_S = 86_400;

/**
 * Meta's unix-seconds timestamp ("1762000000" or a number) as a Date, or null when it cannot be the time of a
 * webhook. Meta re-delivers whatever is not answered 2xx, so an absurd value ("99999999999999", "-5") must never
 * reach a Date that throws or a timestamp column that refuses it.
 */
export const webhookTime = (v: unknown, nowMs = Date.now()): Date | null => {
  const seconds = typeof v === "number" ? v : typeof v === "string" && /^\d{1,12}$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(seconds) || seconds < EARLIEST_S || seconds > nowMs / 1000 + AHEAD_S) return null;
  return new Date(seconds * 1000);
};

const timestampSchema = z.union([z.string(), z.number()]);

/** A BSUID as Meta writes it ("BR.1502576394655843", "US.ENT.1181…"); kept verbatim, never parsed. */
const userIdSchema = z.string().trim().min(1).max(256);

const codeSchema = z.union([z.number().int(), z.string().regex(/^\d+$/).transform(Number)]);

const statusSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  timestamp: timestampSchema,
  recipient_id: z.string().optional(),
  recipient_user_id: userIdSchema.optional().catch(undefined),
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
  // Withheld for a user with a username: from_user_id names the sender then.
  from: z.string().min(1).optional(),
  from_user_id: userIdSchema.optional().catch(undefined),
  id: z.string().min(1),
  timestamp: timestampSchema.optional(),
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
  user_id: userIdSchema.optional().catch(undefined),
  profile: z.object({ name: z.string().optional(), username: z.string().optional() }).optional(),
});

type Contact = z.infer<typeof contactSchema>;
/** exact: the contact names the same wa_id or BSUID, so its identifiers are the event's too. */
type FoundContact = { contact: Contact; exact: boolean } | undefined;

/**
 * The value's contacts, found by wa_id or by BSUID. A lone contact lends its name to an event it does not name
 * (Meta sends one contact per message), never its identifiers.
 */
const contactBook = (raw: unknown[]) => {
  const list = raw.flatMap((c) => {
    const parsed = contactSchema.safeParse(c);
    return parsed.success ? [parsed.data] : [];
  });
  return (waId: string | undefined, bsuid: string | undefined): FoundContact => {
    const exact = list.find((c) => (waId && c.wa_id === waId) || (bsuid && c.user_id === bsuid));
    if (exact) return { contact: exact, exact: true };
    return list.length === 1 ? { contact: list[0]!, exact: false } : undefined;
  };
};

const nonEmpty = (s: string | undefined) => (s?.trim() ? s.trim() : undefined);

const envelopeSchema = z.object({
  object: z.literal("whatsapp_business_account"),
  entry: z.array(
    z.object({
      id: z.string().optional(),
      changes: z.array(z.object({ field: z.string(), value: z.unknown() })),
    }),
  ),
});

const toStatusEvent = (
  phoneNumberId: string,
  s: z.infer<typeof statusSchema>,
  timestamp: Date,
  found: FoundContact,
): StatusEvent => {
  const event: StatusEvent = {
    type: "status",
    phoneNumberId,
    wamid: s.id,
    status: s.status as StatusValue,
    timestamp,
    recipientWaId: s.recipient_id ?? "",
  };
  const bsuid = s.recipient_user_id ?? (found?.exact ? found.contact.user_id : undefined);
  if (bsuid) event.recipientBsuid = bsuid;
  const username = found?.exact ? nonEmpty(found.contact.profile?.username) : undefined;
  if (username) event.username = username;
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
  timestamp: Date,
  found: FoundContact,
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
    fromWaId: m.from ?? (found?.exact ? found.contact.wa_id : undefined) ?? "",
    timestamp,
    kind,
    messageType: m.type,
    text,
  };
  const bsuid = m.from_user_id ?? (found?.exact ? found.contact.user_id : undefined);
  if (bsuid) event.fromBsuid = bsuid;
  const username = found?.exact ? nonEmpty(found.contact.profile?.username) : undefined;
  if (username) event.username = username;
  const profileName = found?.contact.profile?.name;
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
  const badTimestamps: BadTimestamp[] = [];
  let ignored = 0;
  const now = Date.now();
  const rawTime = (v: string | number | undefined) => String(v ?? "").slice(0, 40);
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
      const contactOf = contactBook(contacts);

      for (const raw of statuses) {
        const s = statusSchema.safeParse(raw);
        if (!s.success || !STATUSES.has(s.data.status)) {
          ignored++;
          continue;
        }
        const timestamp = webhookTime(s.data.timestamp, now);
        if (!timestamp) {
          // Its place in the sequence is unknown: applying it could move the row by a time that never was.
          badTimestamps.push({ kind: "status", wamid: s.data.id, value: rawTime(s.data.timestamp) });
          ignored++;
          continue;
        }
        events.push(toStatusEvent(phoneNumberId, s.data, timestamp, contactOf(s.data.recipient_id, s.data.recipient_user_id)));
      }

      for (const raw of messages) {
        const m = messageSchema.safeParse(raw);
        if (!m.success || (!m.data.from && !m.data.from_user_id)) {
          ignored++;
          continue;
        }
        // What the person wrote matters more than when Meta says it was (a "SAIR" must not be lost to a bad
        // clock): the message is kept, with the time it arrived.
        let timestamp = webhookTime(m.data.timestamp, now);
        if (!timestamp) {
          badTimestamps.push({ kind: "message", wamid: m.data.id, value: rawTime(m.data.timestamp) });
          timestamp = new Date(now);
        }
        events.push(toMessageEvent(phoneNumberId, m.data, timestamp, contactOf(m.data.from, m.data.from_user_id)));
      }
    }
  }
  return { ok: true, events, ignored, badTimestamps };
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
