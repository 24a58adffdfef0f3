import { createHash, createHmac, timingSafeEqual } from "node:crypto";

// Meta signs every webhook POST with X-Hub-Signature-256: "sha256=" + hex(HMAC-SHA256(app secret, raw body)).
// The HMAC must be computed over the exact bytes received, before any JSON parsing or re-encoding.

const HEADER = /^sha256=([0-9a-f]{64})$/i;

const hmac = (rawBody: Buffer | string, appSecret: string) =>
  createHmac("sha256", appSecret)
    .update(typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody)
    .digest();

/** The X-Hub-Signature-256 header value Meta would send for this body. */
export const signPayload = (rawBody: Buffer | string, appSecret: string): string =>
  `sha256=${hmac(rawBody, appSecret).toString("hex")}`;

/** Constant-time check of an X-Hub-Signature-256 header; false for a missing, malformed or wrong signature. */
export const verifySignature = (rawBody: Buffer | string, header: string | null | undefined, appSecret: string): boolean => {
  if (!appSecret || typeof header !== "string") return false;
  const match = HEADER.exec(header.trim());
  if (!match) return false;
  const received = Buffer.from(match[1], "hex");
  const expected = hmac(rawBody, appSecret);
  if (received.length !== expected.length) return false;
  return timingSafeEqual(received, expected);
};

/**
 * Constant-time equality of a secret sent by a client (the webhook's hub.verify_token) and the configured one.
 * Both are hashed first, so timingSafeEqual always compares 32 bytes with 32 and the time says nothing about
 * where the strings differ, nor about the configured secret's length.
 */
export const sameSecret = (given: string | null | undefined, expected: string): boolean => {
  if (typeof given !== "string" || !expected) return false;
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
};
