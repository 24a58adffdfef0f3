import { describe, expect, it } from "vitest";
import { resolveConsent, type ConsentState } from "./optin";

const now = new Date("2026-05-10T12:00:00Z");
const earlier = new Date("2025-01-01T12:00:00Z");
const defaults = { status: "opted_in" as const, source: "import" as const };
const state = (optInStatus: ConsentState["optInStatus"]): ConsentState => ({
  optInStatus,
  optInSource: optInStatus === "none" ? null : "form",
  optInAt: optInStatus === "opted_in" || optInStatus === "opted_out" ? earlier : null,
  optedOutAt: optInStatus === "opted_out" ? earlier : null,
});
const row = (status: ConsentState["optInStatus"] | null, at: Date | null = null) => ({ status, source: null, at });

describe("resolveConsent", () => {
  it("a new contact takes the row's value or the default; 'none' is not a change", () => {
    expect(resolveConsent(null, row(null), defaults, now)).toEqual({
      state: { optInStatus: "opted_in", optInSource: "import", optInAt: now, optedOutAt: null },
      changed: true,
    });
    expect(resolveConsent(null, row("none"), defaults, now).changed).toBe(false);
    expect(resolveConsent(null, row("opted_in", earlier), defaults, now).state.optInAt).toEqual(earlier);
  });

  it("never opts someone back in who opted out, not even when the row says 'sim'", () => {
    expect(resolveConsent(state("opted_out"), row("opted_in"), defaults, now)).toEqual({
      state: state("opted_out"),
      changed: false,
    });
  });

  it("always honours an opt-out, from the row or the default, keeping the earlier opt-in on record", () => {
    expect(resolveConsent(state("opted_in"), row("opted_out"), defaults, now)).toEqual({
      state: { optInStatus: "opted_out", optInSource: "form", optInAt: earlier, optedOutAt: now },
      changed: true,
    });
    expect(
      resolveConsent(state("opted_in"), row(null), { status: "opted_out", source: "import" }, now).state.optInStatus,
    ).toBe("opted_out");
  });

  it("the default never overwrites a known status, only fills in 'none' (and 'pending' with opt-in)", () => {
    expect(resolveConsent(state("opted_in"), row(null), { status: "none", source: "import" }, now).changed).toBe(false);
    expect(resolveConsent(state("pending"), row(null), { status: "none", source: "import" }, now).changed).toBe(false);
    expect(resolveConsent(state("none"), row(null), defaults, now).state.optInStatus).toBe("opted_in");
    expect(resolveConsent(state("pending"), row(null), defaults, now).state.optInStatus).toBe("opted_in");
  });

  it("a value written in the row applies as written, and the same status is not a change", () => {
    expect(resolveConsent(state("opted_in"), row("none"), defaults, now)).toEqual({
      state: { optInStatus: "none", optInSource: null, optInAt: null, optedOutAt: null },
      changed: true,
    });
    expect(resolveConsent(state("opted_in"), row("opted_in", now), defaults, now)).toEqual({
      state: state("opted_in"),
      changed: false,
    });
  });
});
