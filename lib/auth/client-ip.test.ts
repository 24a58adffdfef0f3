import { describe, expect, it } from "vitest";
import { clientIp } from "./client-ip";

const h = (xff?: string) => new Headers(xff === undefined ? {} : { "x-forwarded-for": xff });

describe("clientIp", () => {
  it("takes the address the nearest proxy added, not the one the client wrote", () => {
    expect(clientIp(h("203.0.113.9"))).toBe("203.0.113.9");
    // The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the address it saw.
    expect(clientIp(h("1.2.3.4, 203.0.113.9"))).toBe("203.0.113.9");
    expect(clientIp(h("2001:db8::1"))).toBe("2001:db8::1");
    expect(clientIp(h("::ffff:203.0.113.9"))).toBe("203.0.113.9");
  });

  it("is null when there is no usable address", () => {
    expect(clientIp(h())).toBeNull();
    expect(clientIp(undefined)).toBeNull();
    expect(clientIp(h("1.2.3.4, "))).toBeNull();
    expect(clientIp(h("não-é-ip"))).toBeNull();
  });
});
