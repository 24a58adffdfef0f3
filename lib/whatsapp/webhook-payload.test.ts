import { describe, expect, it } from "vitest";
import { parseWebhook, parseWebhookBody, webhookTime, type MessageEvent, type StatusEvent } from "./webhook-payload";

// Shapes as Meta sends them (Cloud API "messages" field), with the extra fields Meta adds left in.
const wrap = (value: Record<string, unknown>, field = "messages") => ({
  object: "whatsapp_business_account",
  entry: [
    {
      id: "200000000000001",
      changes: [
        {
          value: {
            messaging_product: "whatsapp",
            metadata: { display_phone_number: "551140001000", phone_number_id: "100000000000001" },
            ...value,
          },
          field,
        },
      ],
    },
  ],
});

const sent = {
  id: "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABEYEjQ2QjU3RjNDRkI2QkY1QzQ0AA==",
  status: "sent",
  timestamp: "1762000000",
  recipient_id: "551187654321",
  biz_opaque_callback_data: "recipient:42",
  conversation: {
    id: "b0a9e1f2c3d4e5f60718293a4b5c6d7e",
    expiration_timestamp: "1762086400",
    origin: { type: "marketing" },
  },
  pricing: { billable: true, pricing_model: "PMP", category: "marketing", type: "regular" },
};

const failed = {
  id: "wamid.HBgNNTUxMTk4NzY1MDAwMRUCABEYEjQ2QjU3RjNDRkI2QkY1QzQ1AA==",
  status: "failed",
  timestamp: "1762000005",
  recipient_id: "5511987650001",
  biz_opaque_callback_data: "recipient:43",
  errors: [
    {
      code: 131026,
      title: "Message undeliverable",
      message: "Message undeliverable",
      error_data: { details: "Message Undeliverable." },
      href: "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
    },
  ],
};

describe("parseWebhook: statuses", () => {
  it("flattens sent, delivered, read and failed statuses with the callback data", () => {
    const r = parseWebhook(
      wrap({
        statuses: [
          sent,
          { ...sent, status: "delivered", timestamp: "1762000002", conversation: { ...sent.conversation, expiration_timestamp: undefined } },
          { id: sent.id, status: "read", timestamp: "1762000010", recipient_id: "551187654321", biz_opaque_callback_data: "recipient:42" },
          failed,
        ],
      }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const events = r.events as StatusEvent[];
    expect(events.map((e) => e.status)).toEqual(["sent", "delivered", "read", "failed"]);
    expect(events[0]).toEqual({
      type: "status",
      phoneNumberId: "100000000000001",
      wamid: sent.id,
      status: "sent",
      timestamp: new Date(1762000000 * 1000),
      recipientWaId: "551187654321",
      callbackData: "recipient:42",
      billable: true,
    });
    expect(events[2].billable).toBeUndefined(); // read statuses carry no pricing
    expect(events[3].error).toEqual({ code: 131026, title: "Message undeliverable", message: "Message undeliverable" });
    expect(events[3].callbackData).toBe("recipient:43");
  });

  it("uses the error details when Meta sends no message (older versions)", () => {
    const r = parseWebhook(
      wrap({ statuses: [{ ...failed, errors: [{ code: 131050, title: "Unable to deliver", error_data: { details: "Stopped marketing." } }] }] }),
    );
    expect(r.ok && (r.events[0] as StatusEvent).error).toEqual({ code: 131050, title: "Unable to deliver", message: "Stopped marketing." });
  });

  it("skips unknown statuses (deleted, warning) and keeps the rest", () => {
    const r = parseWebhook(wrap({ statuses: [{ ...sent, status: "deleted" }, { ...sent, status: "warning" }, sent] }));
    expect(r.ok && r.events.length).toBe(1);
    expect(r.ok && r.ignored).toBe(2);
  });

  it("skips a malformed status without losing the others", () => {
    const r = parseWebhook(wrap({ statuses: [{ status: "sent" }, { ...sent, timestamp: "ontem" }, sent] }));
    expect(r.ok && r.events.length).toBe(1);
  });

  it("has no callbackData when the send carried none", () => {
    const { biz_opaque_callback_data: _cb, ...plain } = sent;
    const r = parseWebhook(wrap({ statuses: [plain] }));
    expect(r.ok && "callbackData" in r.events[0]).toBe(false);
  });
});

describe("parseWebhook: inbound messages", () => {
  const contacts = [{ profile: { name: "Maria Silva" }, wa_id: "551187654321" }];

  it("reads a text reply with its context", () => {
    const r = parseWebhook(
      wrap({
        contacts,
        messages: [
          {
            context: { from: "551140001000", id: sent.id },
            from: "551187654321",
            id: "wamid.HBgMNTUxMTg3NjU0MzIxFQIAEhggQjFBNUY0NkM5QjFCRjE2M0I4RjdFMjQ5NUY2NzQ2AA==",
            timestamp: "1762000100",
            text: { body: "SAIR" },
            type: "text",
          },
        ],
      }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.events[0]).toEqual({
      type: "message",
      phoneNumberId: "100000000000001",
      wamid: "wamid.HBgMNTUxMTg3NjU0MzIxFQIAEhggQjFBNUY0NkM5QjFCRjE2M0I4RjdFMjQ5NUY2NzQ2AA==",
      fromWaId: "551187654321",
      profileName: "Maria Silva",
      timestamp: new Date(1762000100 * 1000),
      kind: "text",
      messageType: "text",
      text: "SAIR",
      contextWamid: sent.id,
    } satisfies MessageEvent);
  });

  it("reads a template quick-reply button", () => {
    const r = parseWebhook(
      wrap({
        contacts,
        messages: [
          {
            context: { from: "551140001000", id: sent.id },
            from: "551187654321",
            id: "wamid.button",
            timestamp: "1762000200",
            type: "button",
            button: { payload: "Quero saber mais", text: "Quero saber mais" },
          },
        ],
      }),
    );
    expect(r.ok && r.events[0]).toMatchObject({ kind: "button", text: "Quero saber mais", payload: "Quero saber mais", contextWamid: sent.id });
  });

  it("reads interactive button and list replies", () => {
    const r = parseWebhook(
      wrap({
        contacts,
        messages: [
          {
            context: { from: "551140001000", id: "wamid.menu" },
            from: "551187654321",
            id: "wamid.i1",
            timestamp: "1762000300",
            type: "interactive",
            interactive: { type: "button_reply", button_reply: { id: "btn-sim", title: "Sim" } },
          },
          {
            from: "551187654321",
            id: "wamid.i2",
            timestamp: "1762000301",
            type: "interactive",
            interactive: { type: "list_reply", list_reply: { id: "opt-2", title: "Tênis", description: "Calçados" } },
          },
        ],
      }),
    );
    expect(r.ok && r.events).toMatchObject([
      { kind: "interactive", text: "Sim", payload: "btn-sim", contextWamid: "wamid.menu" },
      { kind: "interactive", text: "Tênis", payload: "opt-2" },
    ]);
  });

  it("reads other types (image, reaction, unsupported) as kind other", () => {
    const r = parseWebhook(
      wrap({
        contacts,
        messages: [
          { from: "551187654321", id: "wamid.img", timestamp: "1762000400", type: "image", image: { caption: "olha esse", mime_type: "image/jpeg", sha256: "x", id: "1" } },
          { from: "551187654321", id: "wamid.r", timestamp: "1762000401", type: "reaction", reaction: { message_id: sent.id, emoji: "👍" } },
          {
            from: "551187654321",
            id: "wamid.u",
            timestamp: "1762000402",
            type: "unsupported",
            errors: [{ code: 131051, title: "Message type unknown", message: "Message type unknown" }],
          },
        ],
      }),
    );
    expect(r.ok && r.events).toMatchObject([
      { kind: "other", messageType: "image", text: "olha esse" },
      { kind: "other", messageType: "reaction", text: "" },
      { kind: "other", messageType: "unsupported", text: "" },
    ]);
  });

  it("handles statuses and messages for several numbers in one POST", () => {
    const body = wrap({ statuses: [sent] });
    (body.entry as unknown[]).push({
      id: "200000000000001",
      changes: [
        {
          value: {
            messaging_product: "whatsapp",
            metadata: { display_phone_number: "551140002000", phone_number_id: "100000000000002" },
            contacts,
            messages: [{ from: "551187654321", id: "wamid.x", timestamp: "1762000500", type: "text", text: { body: "oi" } }],
          },
          field: "messages",
        },
      ],
    });
    const r = parseWebhook(body);
    expect(r.ok && r.events.map((e) => [e.type, e.phoneNumberId])).toEqual([
      ["status", "100000000000001"],
      ["message", "100000000000002"],
    ]);
  });
});

describe("parseWebhook: what is refused or ignored", () => {
  it("ignores other webhook fields (template status, quality updates)", () => {
    const r = parseWebhook({
      object: "whatsapp_business_account",
      entry: [
        {
          id: "200000000000001",
          time: 1762000000,
          changes: [
            {
              value: { event: "APPROVED", message_template_id: 900000000000001, message_template_name: "promo", message_template_language: "pt_BR", reason: "NONE" },
              field: "message_template_status_update",
            },
          ],
        },
      ],
    });
    expect(r).toEqual({ ok: true, events: [], ignored: 1, badTimestamps: [] });
  });

  it("refuses bodies that are not WhatsApp webhooks", () => {
    for (const body of [null, 42, "texto", [], {}, { object: "page", entry: [] }, { object: "whatsapp_business_account" }, { object: "whatsapp_business_account", entry: [{ changes: "x" }] }]) {
      const r = parseWebhook(body);
      expect(r.ok, JSON.stringify(body)).toBe(false);
      if (!r.ok) expect(r.reason.length).toBeGreaterThan(10);
    }
  });

  it("parses the raw body and refuses invalid JSON", () => {
    expect(parseWebhookBody(Buffer.from(JSON.stringify(wrap({ statuses: [sent] })))).ok).toBe(true);
    expect(parseWebhookBody("{nope").ok).toBe(false);
  });
});

// Since April 2026 (docs/decisions/0006-bsuid.md): every webhook names the user by a business-scoped user id, and a
// user with a username may come without a phone number. Shapes as in Meta's reference.
describe("parseWebhook: business-scoped user ids and usernames", () => {
  const BSUID = "BR.1502576394655843";

  it("reads the sender's BSUID and username, with the phone when Meta gives it", () => {
    const r = parseWebhook(
      wrap({
        contacts: [{ profile: { name: "Maria Silva", username: "@maria.silva" }, wa_id: "551187654321", user_id: BSUID }],
        messages: [{ from: "551187654321", from_user_id: BSUID, id: "wamid.b1", timestamp: "1762000600", type: "text", text: { body: "oi" } }],
      }),
    );
    expect(r.ok && r.events[0]).toMatchObject({ fromWaId: "551187654321", fromBsuid: BSUID, username: "@maria.silva", profileName: "Maria Silva" });
  });

  it("keeps a message from a user with a username and no phone number: no from, no wa_id", () => {
    const r = parseWebhook(
      wrap({
        contacts: [{ profile: { name: "Bia", username: "@bia" }, user_id: BSUID }],
        messages: [{ from_user_id: BSUID, id: "wamid.b2", timestamp: "1762000601", type: "text", text: { body: "SAIR" } }],
      }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.events).toEqual([
      {
        type: "message",
        phoneNumberId: "100000000000001",
        wamid: "wamid.b2",
        fromWaId: "",
        fromBsuid: BSUID,
        username: "@bia",
        profileName: "Bia",
        timestamp: new Date(1762000601 * 1000),
        kind: "text",
        messageType: "text",
        text: "SAIR",
      } satisfies MessageEvent,
    ]);
  });

  it("takes the BSUID from the contact when the message carries only from, and skips a message naming nobody", () => {
    const r = parseWebhook(
      wrap({
        contacts: [{ profile: { name: "Bia" }, wa_id: "551187654321", user_id: BSUID }],
        messages: [
          { from: "551187654321", id: "wamid.b3", timestamp: "1762000602", type: "text", text: { body: "oi" } },
          { id: "wamid.b4", timestamp: "1762000603", type: "text", text: { body: "quem?" } },
        ],
      }),
    );
    expect(r.ok && r.events).toMatchObject([{ wamid: "wamid.b3", fromWaId: "551187654321", fromBsuid: BSUID }]);
    expect(r.ok && r.ignored).toBe(1);
  });

  it("never lends another contact's identifiers: a lone contact of another user gives its name only", () => {
    const r = parseWebhook(
      wrap({
        contacts: [{ profile: { name: "Outra Pessoa", username: "@outra" }, wa_id: "5511900000000", user_id: "BR.999" }],
        messages: [{ from_user_id: BSUID, id: "wamid.b5", timestamp: "1762000604", type: "text", text: { body: "oi" } }],
      }),
    );
    expect(r.ok && r.events[0]).toMatchObject({ fromWaId: "", fromBsuid: BSUID, profileName: "Outra Pessoa" });
    expect(r.ok && "username" in r.events[0]!).toBe(false);
  });

  it("reads recipient_user_id on statuses, and the username of delivered/read statuses' contacts, without a phone", () => {
    const r = parseWebhook(
      wrap({
        contacts: [{ profile: { username: "@bia" }, user_id: BSUID }],
        statuses: [{ id: sent.id, status: "read", timestamp: "1762000700", recipient_user_id: BSUID, biz_opaque_callback_data: "42" }],
      }),
    );
    expect(r.ok && r.events).toEqual([
      {
        type: "status",
        phoneNumberId: "100000000000001",
        wamid: sent.id,
        status: "read",
        timestamp: new Date(1762000700 * 1000),
        recipientWaId: "",
        recipientBsuid: BSUID,
        username: "@bia",
        callbackData: "42",
      } satisfies StatusEvent,
    ]);
  });
});

describe("parseWebhook: absurd timestamps", () => {
  it("skips a status whose timestamp cannot be a webhook's and says so, keeping the rest", () => {
    const r = parseWebhook(
      wrap({
        statuses: [
          { ...sent, id: "wamid.t1", timestamp: "99999999999999" },
          { ...sent, id: "wamid.t2", timestamp: -5 },
          { ...sent, id: "wamid.t3", timestamp: "-5" },
          { ...sent, id: "wamid.t4", timestamp: 1e300 },
          sent,
        ],
      }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.events.map((e) => e.wamid)).toEqual([sent.id]);
    expect(r.badTimestamps).toEqual([
      { kind: "status", wamid: "wamid.t1", value: "99999999999999" },
      { kind: "status", wamid: "wamid.t2", value: "-5" },
      { kind: "status", wamid: "wamid.t3", value: "-5" },
      { kind: "status", wamid: "wamid.t4", value: "1e+300" },
    ]);
  });

  it("keeps a message with an absurd timestamp, timed by its arrival: an opt-out is never lost to a bad clock", () => {
    const before = Date.now();
    const r = parseWebhook(
      wrap({ messages: [{ from: "551187654321", id: "wamid.t5", timestamp: "99999999999999", type: "text", text: { body: "SAIR" } }] }),
    );
    expect(r.ok && r.events).toMatchObject([{ wamid: "wamid.t5", text: "SAIR" }]);
    if (!r.ok) return;
    expect(r.events[0]!.timestamp.getTime()).toBeGreaterThanOrEqual(before);
    expect(r.events[0]!.timestamp.getTime()).toBeLessThanOrEqual(Date.now());
    expect(r.badTimestamps).toEqual([{ kind: "message", wamid: "wamid.t5", value: "99999999999999" }]);
  });

  it("webhookTime: unix seconds from 2009 to a day ahead", () => {
    const now = Date.UTC(2026, 5, 1);
    expect(webhookTime("1762000000", now)).toEqual(new Date(1762000000 * 1000));
    expect(webhookTime(1762000000, now)).toEqual(new Date(1762000000 * 1000));
    for (const bad of ["99999999999999", "-1", -1, 0, "0", "1", "1.5", 1.5, "", "ontem", NaN, Infinity, null, undefined, now / 1000 + 2 * 86_400])
      expect(webhookTime(bad, now), String(bad)).toBeNull();
  });
});
