import path from "node:path";
import type { NextConfig } from "next";
import { afterEach, describe, expect, it, vi } from "vitest";

// next.config.mjs is plain JavaScript (typed by its JSDoc only): loaded by path so the type checker does not ask
// for a declaration file.
const configFile = path.resolve(import.meta.dirname, "../../next.config.mjs");

const configured = async () => {
  const { default: nextConfig } = (await import(configFile)) as { default: NextConfig };
  const rules = (await nextConfig.headers?.()) ?? [];
  const all = rules.find((r) => r.source === "/:path*");
  return Object.fromEntries((all?.headers ?? []).map((h) => [h.key.toLowerCase(), h.value]));
};

describe("security headers (next.config.mjs)", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("every path refuses to be framed, to be sniffed as another type, and sends only the origin to other sites", async () => {
    vi.stubEnv("NODE_ENV", "development");
    const headers = await configured();
    expect(headers).toMatchObject({
      "content-security-policy": "frame-ancestors 'none'",
      "x-frame-options": "DENY",
      "x-content-type-options": "nosniff",
      "referrer-policy": "strict-origin-when-cross-origin",
    });
    // Development is plain http on localhost: no HTTPS pin there.
    expect(headers).not.toHaveProperty("strict-transport-security");
  });

  it("in production also pins HTTPS for a year (HSTS)", async () => {
    vi.stubEnv("NODE_ENV", "production");
    expect((await configured())["strict-transport-security"]).toMatch(/^max-age=31536000\b/);
  });
});
