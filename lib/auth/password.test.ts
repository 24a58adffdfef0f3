import { describe, expect, it } from "vitest";
import { DUMMY_HASH, hashPassword, verifyPassword } from "./password";

describe("password hashing (scrypt)", () => {
  it("verifies the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("disparo123");
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(hash).not.toContain("disparo123");
    expect(await verifyPassword("disparo123", hash)).toBe(true);
    expect(await verifyPassword("disparo124", hash)).toBe(false);
  });

  it("salts: the same password hashes differently", async () => {
    expect(await hashPassword("a")).not.toBe(await hashPassword("a"));
  });

  it("never matches the dummy hash used for unknown e-mails, nor garbage", async () => {
    expect(await verifyPassword("", DUMMY_HASH)).toBe(false);
    expect(await verifyPassword("x", "not-a-hash")).toBe(false);
  });
});
