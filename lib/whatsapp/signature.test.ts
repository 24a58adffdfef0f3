import { describe, expect, it } from "vitest";
import { signPayload, verifySignature } from "./signature";

const SECRET = "app-secret-de-teste";
const body = Buffer.from(JSON.stringify({ object: "whatsapp_business_account", entry: [{ id: "1", changes: [] }], nome: "João" }));

describe("webhook signature", () => {
  it("signs as sha256=<hex> over the raw bytes (string and Buffer agree)", () => {
    const header = signPayload(body, SECRET);
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(signPayload(body.toString("utf8"), SECRET)).toBe(header);
  });

  it("accepts the right secret", () => {
    expect(verifySignature(body, signPayload(body, SECRET), SECRET)).toBe(true);
  });

  it("accepts upper-case hex (header values are compared as bytes)", () => {
    const header = signPayload(body, SECRET);
    expect(verifySignature(body, `sha256=${header.slice(7).toUpperCase()}`, SECRET)).toBe(true);
  });

  it("refuses another secret", () => {
    expect(verifySignature(body, signPayload(body, "outro-segredo"), SECRET)).toBe(false);
  });

  it("refuses a body altered by one byte", () => {
    const header = signPayload(body, SECRET);
    const altered = Buffer.from(body);
    altered[10] ^= 1;
    expect(verifySignature(altered, header, SECRET)).toBe(false);
  });

  it("refuses a missing header", () => {
    expect(verifySignature(body, null, SECRET)).toBe(false);
    expect(verifySignature(body, "", SECRET)).toBe(false);
  });

  it('refuses a "sha1=" header', () => {
    const sha1 = `sha1=${"a".repeat(40)}`;
    expect(verifySignature(body, sha1, SECRET)).toBe(false);
    expect(verifySignature(body, `sha1=${signPayload(body, SECRET).slice(7)}`, SECRET)).toBe(false);
  });

  it("refuses garbage and wrong lengths", () => {
    for (const header of ["garbage", "sha256=", "sha256=zz", `sha256=${"0".repeat(63)}`, `sha256=${"0".repeat(66)}`, "sha256=💥"])
      expect(verifySignature(body, header, SECRET), header).toBe(false);
  });

  it("refuses everything without an app secret", () => {
    expect(verifySignature(body, signPayload(body, ""), "")).toBe(false);
  });
});
