import { readFileSync, statSync } from "node:fs";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { baseUrl, demo, launch, login } from "./support";

// A browser that goes away mid-request is normal (the Segmentação builder aborts a live count superseded by the
// next keystroke; a tab closes during an action): the server must not log it as a crash. The launcher writes the
// production server's output to E2E_SERVER_LOG.

const serverLog = process.env.E2E_SERVER_LOG;
const url = new URL(baseUrl);
let browser: Browser;
let cookie = "";

beforeAll(async () => {
  browser = await launch();
  const context = await browser.newContext({ locale: "pt-BR" });
  await login(await context.newPage(), demo.operador);
  cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
});
afterAll(async () => {
  await browser?.close();
});

/** Writes a raw request and closes the connection after `closeAfterMs`, whatever came back. */
const abandon = (request: string, closeAfterMs: number) =>
  new Promise<void>((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname, () => {
      socket.write(request);
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, closeAfterMs);
    });
    socket.on("error", reject);
  });

const post = (path: string, headers: Record<string, string>, body: string, declaredLength = Buffer.byteLength(body)) =>
  `POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\n` +
  Object.entries({ ...headers, "Content-Length": String(declaredLength) })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join("") +
  `\r\n${body}`;

const logSince = (offset: number) => readFileSync(serverLog!, "utf8").slice(offset);

describe("the server log stays quiet when browsers go away", () => {
  it("aborted live counts and actions leave no 'Error: aborted' and the app keeps answering", async () => {
    expect(serverLog, "o launcher de e2e define E2E_SERVER_LOG").toBeTruthy();
    const offset = statSync(serverLog!).size;
    const filter = JSON.stringify({ filter: { version: 1, optIn: ["opted_in", "pending"] } });
    const json = { "Content-Type": "application/json", Cookie: cookie };
    for (let i = 0; i < 3; i++) {
      // The body cut halfway (the tab closed while sending), signed in and not.
      await abandon(post("/api/segmentacao/previa", json, filter.slice(0, 10), filter.length), 150);
      await abandon(post("/api/segmentacao/previa", { "Content-Type": "application/json" }, filter.slice(0, 10), filter.length), 150);
      // The whole body, the connection closed while the count runs (a stale request the builder aborted).
      await abandon(post("/api/segmentacao/previa", json, filter), 5);
      // A server action whose body never arrives whole.
      await abandon(post("/segmentacao/nova", { "Content-Type": "text/plain;charset=UTF-8", "Next-Action": "00".repeat(21), Cookie: cookie }, "[", 50), 150);
    }
    // Still serving: the live count answers the signed-in user.
    const res = await fetch(`${baseUrl}/api/segmentacao/previa`, { method: "POST", headers: json, body: filter });
    expect(res.status).toBe(200);
    expect((await res.json()).count).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1000));
    const logged = logSince(offset);
    expect(logged).not.toMatch(/Error: aborted|ECONNRESET|uncaughtException/);
  });

  it("an API call without a session is answered by the route itself, in Portuguese", async () => {
    const res = await fetch(`${baseUrl}/api/segmentacao/previa`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    expect(res.status).toBe(401);
    expect((await res.json()).error).toBe("Sua sessão expirou. Entre novamente.");
    // Pages still send a visitor without a session to the login.
    const page = await fetch(`${baseUrl}/contatos?page=2`, { redirect: "manual" });
    expect(page.status).toBe(307);
    expect(page.headers.get("location")).toContain("/login?next=%2Fcontatos%3Fpage%3D2");
  });
});
