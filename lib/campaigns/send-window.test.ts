import { describe, expect, it } from "vitest";
import { describeWindow, isWindowOpen, nextWindowOpening, sendWindowSchema } from "./send-window";

const SP = "America/Sao_Paulo";
const weekdays = sendWindowSchema.parse({ start: "08:00", end: "20:00", days: [5, 1, 2, 3, 4] });

describe("send window", () => {
  it("is open on weekdays between 08:00 and 20:00 in São Paulo, whatever UTC says", () => {
    expect(isWindowOpen(weekdays, new Date("2026-12-02T11:00:00Z"), SP)).toBe(true); // qua 08:00
    expect(isWindowOpen(weekdays, new Date("2026-12-02T10:59:00Z"), SP)).toBe(false); // qua 07:59
    expect(isWindowOpen(weekdays, new Date("2026-12-02T23:00:00Z"), SP)).toBe(false); // qua 20:00
    expect(isWindowOpen(weekdays, new Date("2026-12-05T15:00:00Z"), SP)).toBe(false); // sáb 12:00
  });

  it("opens next at 08:00 of the next chosen day", () => {
    expect(nextWindowOpening(weekdays, new Date("2026-12-02T23:30:00Z"), SP).toISOString()).toBe("2026-12-03T11:00:00.000Z"); // qua 20:30 → qui 08:00
    expect(nextWindowOpening(weekdays, new Date("2026-12-04T23:30:00Z"), SP).toISOString()).toBe("2026-12-07T11:00:00.000Z"); // sex 20:30 → seg 08:00
    expect(nextWindowOpening(weekdays, new Date("2026-12-02T05:00:00Z"), SP).toISOString()).toBe("2026-12-02T11:00:00.000Z"); // qua 02:00 → 08:00
  });

  it("refuses an inverted window and no days, in Portuguese; reads back in words", () => {
    expect(sendWindowSchema.safeParse({ start: "20:00", end: "08:00", days: [1] }).error?.issues[0]?.message).toMatch(/depois do início/);
    expect(sendWindowSchema.safeParse({ start: "08:00", end: "20:00", days: [] }).error?.issues[0]?.message).toMatch(/ao menos um dia/);
    expect(describeWindow(weekdays)).toBe("08:00–20:00, seg, ter, qua, qui, sex");
  });
});
