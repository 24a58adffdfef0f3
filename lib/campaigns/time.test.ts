import { describe, expect, it } from "vitest";
import { dateToZonedLocal, timeZoneLabel, zonedLocalToDate } from "./time";

describe("moments on the organization's clock", () => {
  it("reads 09:00 in São Paulo as 12:00 UTC, whatever the process's own zone", () => {
    expect(zonedLocalToDate("2026-12-05T09:00", "America/Sao_Paulo")?.toISOString()).toBe("2026-12-05T12:00:00.000Z");
    expect(zonedLocalToDate("2026-12-05T09:00", "America/Manaus")?.toISOString()).toBe("2026-12-05T13:00:00.000Z");
    expect(zonedLocalToDate("2026-12-05T09:00", "America/Noronha")?.toISOString()).toBe("2026-12-05T11:00:00.000Z");
  });

  it("round-trips through the picker's format and refuses impossible moments", () => {
    const at = new Date("2026-07-14T23:45:00Z");
    expect(dateToZonedLocal(at, "America/Sao_Paulo")).toBe("2026-07-14T20:45");
    expect(zonedLocalToDate(dateToZonedLocal(at, "America/Sao_Paulo"), "America/Sao_Paulo")?.getTime()).toBe(at.getTime());
    for (const bad of ["2026-02-30T10:00", "2026-13-01T10:00", "2026-12-01T24:00", "amanhã", "2026-12-01 10:00"])
      expect(zonedLocalToDate(bad, "America/Sao_Paulo"), bad).toBeNull();
  });

  it("names the zone as a Brazilian reads it", () => {
    expect(timeZoneLabel("America/Sao_Paulo")).toBe("Horário de Brasília (UTC−3)");
    expect(timeZoneLabel("America/Manaus")).toBe("Horário de Manaus (UTC−4)");
  });
});
