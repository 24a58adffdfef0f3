import { describe, expect, it } from "vitest";
import { estimateCampaign, messagingLimitOf } from "./estimate";

const base = {
  category: "marketing" as const,
  prices: { marketing: "0.3125", utility: "0.04", authentication: "0.04" },
  messagesPerSecond: 80,
  packageBalance: 1000,
  autoIncreaseSize: 500,
  messagingLimitTier: "TIER_10K",
  usedLast24h: 0,
  startsAt: new Date("2026-12-05T12:00:00Z"),
};

describe("campaign estimate", () => {
  it("costs recipients × the category's price and lasts recipients ÷ the chip's rate", () => {
    const e = estimateCampaign({ ...base, recipients: 8_000 });
    expect(e.costBrl).toBe(2500);
    expect(e.durationSeconds).toBe(100);
    expect(e.finishesAt).toBe("2026-12-05T12:01:40.000Z");
  });

  it("takes as many automatic increases as the balance lacks", () => {
    expect(estimateCampaign({ ...base, recipients: 1000 }).package).toMatchObject({ increases: 0, balanceAfter: 0 });
    expect(estimateCampaign({ ...base, recipients: 1001 }).package).toMatchObject({ increases: 1, balanceAfter: 499 });
    expect(estimateCampaign({ ...base, recipients: 2600 }).package).toMatchObject({ increases: 4, balanceAfter: 400 });
  });

  it("sends in waves when the portfolio's 24-hour limit is exceeded; unlimited is unlimited", () => {
    const e = estimateCampaign({ ...base, recipients: 25_000, usedLast24h: 4_000 });
    // 6,000 now, then 10,000 and 9,000 in the next two windows.
    expect(e.messagingLimit).toMatchObject({ limit: 10_000, remaining: 6_000, waves: 3 });
    expect(new Date(e.finishesAt).getTime()).toBe(base.startsAt.getTime() + 2 * 86_400_000 + Math.ceil(9_000 / 80) * 1000);
    expect(estimateCampaign({ ...base, recipients: 5_000_000, messagingLimitTier: "TIER_UNLIMITED" }).messagingLimit).toMatchObject({ limit: null, waves: 1 });
    expect(messagingLimitOf("TIER_UNLIMITED")).toBeNull();
    expect(messagingLimitOf("TIER_2K")).toBe(2_000);
    expect(messagingLimitOf("TIER_QUALQUER")).toBe(250);
  });
});
