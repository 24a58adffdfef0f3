import { describe, expect, it } from "vitest";
import { classifyApiError, classifyNetworkError, ERROR_TABLE, failedBeforeSending, networkErrorCode } from "./errors";

const fetchFailed = (code: string) => Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error(code), { code }) });

describe("classifyApiError, code by code", () => {
  it.each([
    // transient: retried with backoff
    [130429, "transient", "backoff"],
    [131000, "transient", "backoff"],
    [1, "transient", "backoff"],
    [2, "transient", "backoff"],
    [80007, "transient", "backoff"],
    [131016, "transient", "backoff"],
    [133004, "transient", "backoff"],
    // later
    [131056, "later", "later"],
    [131049, "later", "later"],
    [131057, "later", "later"],
    [4, "later", "later"],
    // permanent
    [131026, "permanent", "never"],
    [131047, "permanent", "never"],
    [131051, "permanent", "never"],
    [132000, "permanent", "never"],
    [132001, "permanent", "never"],
    [132005, "permanent", "never"],
    [132007, "permanent", "never"],
    [132012, "permanent", "never"],
    [132015, "permanent", "never"],
    [132016, "permanent", "never"],
    [132018, "permanent", "never"],
    [100, "permanent", "never"],
    [131008, "permanent", "never"],
    [131009, "permanent", "never"],
    [131052, "permanent", "never"],
    [131053, "permanent", "never"],
    // opt-out
    [131050, "opt_out", "never"],
    // account: pause the campaign
    [368, "account", "never"],
    [131048, "account", "never"],
    [190, "account", "never"],
    [10, "account", "never"],
    [200, "account", "never"],
    [131031, "account", "never"],
    [131042, "account", "never"],
    [133010, "account", "never"],
    [133016, "account", "never"],
  ] as const)("%i → %s / %s", (code, kind, retry) => {
    const c = classifyApiError(code, 400);
    expect(c.kind).toBe(kind);
    expect(c.retry).toBe(retry);
    expect(c.code).toBe(code);
  });

  it("gives every entry a Portuguese explanation and next step", () => {
    for (const [code, entry] of Object.entries(ERROR_TABLE)) {
      expect(entry.explanation.length, `explanation of ${code}`).toBeGreaterThan(15);
      expect(entry.nextStep.length, `nextStep of ${code}`).toBeGreaterThan(15);
      expect(entry.explanation).not.toMatch(/\b(the|message|error)\b/i);
      if (entry.retry === "later") expect(entry.retryAfterMs).toBeGreaterThan(0);
      if (entry.kind === "account") expect(entry.scope).toBe("chip");
    }
  });

  it("marks template errors as campaign-wide and recipient errors as recipient-only", () => {
    expect(classifyApiError(132001).scope).toBe("campaign");
    expect(classifyApiError(132000).scope).toBe("campaign");
    expect(classifyApiError(131026).scope).toBe("recipient");
    expect(classifyApiError(190).scope).toBe("chip");
  });

  it("treats code 100 with subcode 33 (unknown phone_number_id / no access) as an account problem", () => {
    expect(classifyApiError(100, 400, 33).kind).toBe("account");
    expect(classifyApiError(100, 400).kind).toBe("permanent");
  });

  it("classifies unknown codes by HTTP status", () => {
    expect(classifyApiError(999_999, 400)).toMatchObject({ kind: "permanent", retry: "never", code: 999_999 });
    expect(classifyApiError(999_999, 404).kind).toBe("permanent");
    expect(classifyApiError(999_999, 500)).toMatchObject({ kind: "transient", retry: "backoff" });
    expect(classifyApiError(undefined, 502)).toMatchObject({ kind: "transient", retry: "backoff" });
    expect(classifyApiError(undefined, 503).code).toBeUndefined();
    expect(classifyApiError(undefined, 429).kind).toBe("transient");
    expect(classifyApiError(undefined, 401).kind).toBe("account");
    expect(classifyApiError(undefined, 400).kind).toBe("permanent");
    expect(classifyApiError(undefined).kind).toBe("permanent");
  });

  it("returns copies, so a caller cannot alter the table", () => {
    const c = classifyApiError(131026);
    c.explanation = "x";
    expect(classifyApiError(131026).explanation).not.toBe("x");
  });
});

describe("classifyNetworkError", () => {
  it("is transient when the request was not written, ambiguous (never retried) when it was", () => {
    expect(classifyNetworkError(fetchFailed("ECONNREFUSED"), { requestWritten: false })).toMatchObject({
      kind: "transient",
      retry: "backoff",
      networkCode: "ECONNREFUSED",
    });
    expect(classifyNetworkError(fetchFailed("ECONNRESET"), { requestWritten: true })).toMatchObject({
      kind: "ambiguous",
      retry: "never",
      networkCode: "ECONNRESET",
    });
    const timeout = new DOMException("The operation was aborted due to timeout", "TimeoutError");
    expect(classifyNetworkError(timeout, { requestWritten: true })).toMatchObject({ kind: "ambiguous", networkCode: "TIMEOUT" });
  });

  it("knows which failures happen before anything is sent", () => {
    for (const code of ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "UND_ERR_CONNECT_TIMEOUT", "EHOSTUNREACH"])
      expect(failedBeforeSending(fetchFailed(code)), code).toBe(true);
    for (const code of ["ECONNRESET", "UND_ERR_SOCKET", "EPIPE", "UND_ERR_HEADERS_TIMEOUT"])
      expect(failedBeforeSending(fetchFailed(code)), code).toBe(false);
    expect(failedBeforeSending(new DOMException("timeout", "TimeoutError"))).toBe(false);
    expect(failedBeforeSending(new Error("???"))).toBe(false);
    expect(networkErrorCode(fetchFailed("EAI_AGAIN"))).toBe("EAI_AGAIN");
    expect(networkErrorCode("string")).toBeUndefined();
  });
});
