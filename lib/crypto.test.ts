import { describe, expect, it } from "vitest";
import { decryptSecret, encryptSecret, generateKey } from "./crypto";

describe("chip token encryption (AES-256-GCM)", () => {
  const key = generateKey();

  it("round-trips a token and never stores it in clear", () => {
    const token = "EAAG-token-secreto-123";
    const stored = encryptSecret(token, key);
    expect(stored).not.toContain(token);
    expect(decryptSecret(stored, key)).toBe(token);
  });

  it("uses a fresh IV: the same token encrypts differently each time", () => {
    expect(encryptSecret("x", key)).not.toBe(encryptSecret("x", key));
  });

  it("refuses a tampered ciphertext and a wrong key", () => {
    const stored = encryptSecret("token", key);
    const parts = stored.split(".");
    const data = Buffer.from(parts[3]!, "base64url");
    data[0] = data[0]! ^ 1;
    parts[3] = data.toString("base64url");
    expect(() => decryptSecret(parts.join("."), key)).toThrow();
    expect(() => decryptSecret(stored, generateKey())).toThrow();
  });

  it("refuses a stored token whose authentication tag was cut short (only full 16-byte tags are accepted)", () => {
    const stored = encryptSecret("EAAG-token", key);
    const parts = stored.split(".");
    for (const bytes of [4, 8, 12, 15]) {
      parts[2] = Buffer.from(stored.split(".")[2]!, "base64url").subarray(0, bytes).toString("base64url");
      expect(() => decryptSecret(parts.join("."), key), `${bytes} bytes`).toThrow();
    }
  });

  it("rejects keys that are not 32 bytes", () => {
    expect(() => encryptSecret("x", Buffer.alloc(16).toString("base64"))).toThrow(/32 bytes/);
  });
});
