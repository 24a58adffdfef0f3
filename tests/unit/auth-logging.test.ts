import { NextRequest } from "next/server";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

// A cookie that looks like an Auth.js session (a JWE) but was tampered with, truncated, or sealed with an old
// AUTH_SECRET: what a browser sends after a secret rotation, or an attacker probing.
const TOKEN = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0..c2VjcmV0by1kby10b2tlbg.Z2FyYmxlZA.dGFn";
const request = (url: string) =>
  new NextRequest(url, { headers: { host: "localhost", "x-forwarded-proto": "http", cookie: `authjs.session-token=${TOKEN}` } });

const logged = (spy: { mock: { calls: unknown[][] } }) => spy.mock.calls.map((args) => args.map(String).join(" "));

describe("an invalid session cookie", () => {
  beforeAll(() => {
    process.env.AUTH_SECRET ??= "segredo-de-teste-com-mais-de-32-caracteres";
  });
  afterEach(() => vi.restoreAllMocks());

  it("in the request guard: one warning line without the token, no stack, and the person is sent to the login", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { default: proxy } = await import("@/proxy");
    const res = (await (proxy as unknown as (r: NextRequest, e: unknown) => Promise<Response>)(request("http://localhost/campanhas"), {}))!;
    expect(res.status).toBe(307);
    expect(res.headers.get("location")).toBe("http://localhost/login?next=%2Fcampanhas");
    // The broken cookie is cleared.
    expect(res.headers.getSetCookie().some((c) => c.startsWith("authjs.session-token=;"))).toBe(true);

    expect(error).not.toHaveBeenCalled();
    const lines = logged(warn);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[auth\] cookie de sessão inválido, descartado/);
    expect(lines[0]!.length).toBeLessThan(200);
    expect(lines[0]).not.toContain("\n");
    expect(lines[0]).not.toContain(TOKEN.split(".")[2]);
  });

  it("in Auth.js's own routes (GET /api/auth/session): the same single line, and no session", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const { handlers } = await import("@/auth");
    const res = await handlers.GET(request("http://localhost/api/auth/session"));
    expect(await res.json()).toBeNull();
    expect(error).not.toHaveBeenCalled();
    const lines = logged(warn);
    expect(lines).toEqual([expect.stringMatching(/^\[auth\] cookie de sessão inválido, descartado/)]);
    expect(lines[0]).not.toContain("\n");
  });
});
