import { describe, expect, it } from "vitest";
import { fromWaId, normalizePhone, phoneVariants, toWaRecipient } from "./phones";

const e164 = (input: string) => {
  const r = normalizePhone(input);
  return r.ok ? r.e164 : `ERR: ${r.reason}`;
};

describe("normalizePhone", () => {
  it.each([
    ["(11) 98765-4321", "+5511987654321"],
    ["11987654321", "+5511987654321"],
    ["+55 11 98765-4321", "+5511987654321"],
    ["5511987654321", "+5511987654321"],
    ["055 11 98765 4321", "+5511987654321"],
    ["(21) 2555-1234", "+552125551234"],
  ])("writes %s as %s", (input, expected) => {
    expect(e164(input)).toBe(expected);
  });

  it("adds the ninth digit to a Brazilian mobile written without it, in any form", () => {
    expect(e164("(11) 8765-4321")).toBe("+5511987654321");
    expect(e164("+55 85 9988-7766")).toBe("+5585999887766");
    expect(e164("551187654321")).toBe("+5511987654321");
  });

  it("leaves landlines (starting 2–5) without a ninth digit", () => {
    expect(e164("(11) 3456-7890")).toBe("+551134567890");
  });

  it("keeps foreign numbers in their own E.164", () => {
    expect(e164("+1 415 555 2671")).toBe("+14155552671");
    expect(e164("+351 912 345 678")).toBe("+351912345678");
  });

  it.each([
    ["", /vazio/],
    ["1234", /curto/],
    ["(00) 98765-4321", /inválido|Não parece/],
    ["abc-defg-hijk", /curto/],
    ["9".repeat(50), /longo/],
  ])("refuses %j with a reason in Portuguese", (input, reason) => {
    const r = normalizePhone(input);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(reason);
  });

  it("keeps the original text for the import report", () => {
    expect(normalizePhone(" (11) 98765-4321 ")).toMatchObject({ original: " (11) 98765-4321 " });
  });
});

describe("matching WhatsApp's forms", () => {
  it("a wa_id without the ninth digit finds the stored number", () => {
    expect(fromWaId("551187654321")).toBe("+5511987654321");
    expect(fromWaId("5511987654321")).toBe("+5511987654321");
    expect(phoneVariants("+5511987654321")).toEqual(["+5511987654321", "+551187654321"]);
    expect(phoneVariants("+551134567890")).toEqual(["+551134567890"]);
    expect(fromWaId("abc")).toBeNull();
  });

  it("sends to digits without the plus sign", () => {
    expect(toWaRecipient("+5511987654321")).toBe("5511987654321");
  });
});
