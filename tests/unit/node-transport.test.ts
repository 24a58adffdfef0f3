import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWhatsAppClient } from "@/lib/whatsapp/client";

// The worker's keep-alive transport must fail exactly as fetch does, so the client classifies it the same way:
// nothing written → retry; written and unanswered → ambiguous (never resent); unbuildable → configuration.

let server: http.Server;
let url: string;
let closedUrl: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url?.includes("/hang")) return; // never answers
    if (req.url?.includes("/drop")) return req.socket.destroy();
    if (req.url?.includes("/half")) {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"messaging_product":');
      return setTimeout(() => req.socket.destroy(), 20);
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ messaging_product: "whatsapp", contacts: [{ wa_id: "5511987654321" }], messages: [{ id: "wamid.ok" }] }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise((r) => closed.close(r));
});
afterAll(() => new Promise((r) => server.close(r)));

const send = (base: string, phoneNumberId: string, token = "EAAG-token") =>
  createWhatsAppClient({ baseUrl: base, version: "v23.0", timeoutMs: 300, transport: "node" }).sendTemplate({
    phoneNumberId,
    accessToken: token,
    to: "+5511987654321",
    template: { name: "t", language: "pt_BR" },
    bizOpaqueCallbackData: "1",
  });

describe("node transport", () => {
  it("sends and reads the wamid", async () => {
    expect(await send(url, "100")).toMatchObject({ ok: true, wamid: "wamid.ok", httpStatus: 200 });
  });

  it("a timeout or a dropped connection after writing is ambiguous; a refused connection is transient", async () => {
    expect(await send(url, "hang")).toMatchObject({ ok: false, kind: "ambiguous", networkCode: "TIMEOUT" });
    expect(await send(url, "drop")).toMatchObject({ ok: false, kind: "ambiguous" });
    expect(await send(url, "half")).toMatchObject({ ok: false, kind: "ambiguous" });
    expect(await send(closedUrl, "100")).toMatchObject({ ok: false, kind: "transient", networkCode: "ECONNREFUSED" });
  });

  it("a token that cannot be put in a header is a configuration error, and is not quoted back", async () => {
    const r = await send(url, "100", "EAAG\nsegredo");
    expect(r).toMatchObject({ ok: false, kind: "account", networkCode: "REQUEST_INVALID" });
    expect(JSON.stringify(r)).not.toContain("segredo");
  });
});
