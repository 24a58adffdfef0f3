import { sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";

// What a confirmed campaign will cost and take: money (recipients × the organization's price for the template's
// category), time (recipients ÷ the chip's messages per second), the conversation package (counted in messages;
// what exceeds the balance takes automatic increases, which the package consent authorizes) and Meta's
// messaging limit (unique users per rolling 24 h, shared by every number of the business portfolio since
// October 2025: beyond what remains, the campaign sends in waves as the window frees up).

/** Meta's tiers (whatsapp_business_manager_messaging_limit); TIER_1K is the pre-2025 per-number tier. */
export const MESSAGING_LIMITS: Record<string, number | null> = {
  TIER_250: 250,
  TIER_1K: 1_000,
  TIER_2K: 2_000,
  TIER_10K: 10_000,
  TIER_100K: 100_000,
  TIER_UNLIMITED: null,
};

/** The tier's number of unique users per 24 h; null = unlimited; an unknown tier counts as the lowest. */
export const messagingLimitOf = (tier: string): number | null => (tier in MESSAGING_LIMITS ? (MESSAGING_LIMITS[tier] as number | null) : 250);

export type Estimate = {
  recipients: number;
  category: "marketing" | "utility" | "authentication";
  pricePerMessage: number;
  costBrl: number;
  messagesPerSecond: number;
  durationSeconds: number;
  package: { balance: number; autoIncreaseSize: number; increases: number; balanceAfter: number };
  messagingLimit: {
    tier: string;
    /** null = unlimited. */
    limit: number | null;
    usedLast24h: number;
    remaining: number | null;
    /** 1 when everything fits in what remains of the window. */
    waves: number;
  };
  startsAt: string;
  finishesAt: string;
};

export type EstimateInput = {
  recipients: number;
  category: Estimate["category"];
  prices: { marketing: string | number; utility: string | number; authentication: string | number };
  messagesPerSecond: number;
  packageBalance: number;
  autoIncreaseSize: number;
  messagingLimitTier: string;
  usedLast24h: number;
  startsAt: Date;
};

const DAY_MS = 86_400_000;

export const estimateCampaign = (input: EstimateInput): Estimate => {
  const price = Number(input.prices[input.category]);
  const mps = Math.max(1, input.messagesPerSecond);
  const missing = Math.max(0, input.recipients - input.packageBalance);
  const increases = missing === 0 ? 0 : Math.ceil(missing / Math.max(1, input.autoIncreaseSize));
  const limit = messagingLimitOf(input.messagingLimitTier);
  const remaining = limit === null ? null : Math.max(0, limit - input.usedLast24h);
  let waves = 1;
  let lastWave = input.recipients;
  if (limit !== null && remaining !== null && input.recipients > remaining) {
    const rest = input.recipients - remaining;
    const fullWaves = Math.ceil(rest / limit);
    waves = (remaining > 0 ? 1 : 0) + fullWaves;
    lastWave = rest - (fullWaves - 1) * limit;
  }
  const durationSeconds = Math.ceil(input.recipients / mps);
  // Each later wave waits for the 24-hour window to free up; the last one then takes its own sending time.
  const finishMs =
    waves === 1
      ? input.startsAt.getTime() + durationSeconds * 1000
      : input.startsAt.getTime() + (waves - 1) * DAY_MS + Math.ceil(lastWave / mps) * 1000;
  return {
    recipients: input.recipients,
    category: input.category,
    pricePerMessage: price,
    costBrl: Math.round(input.recipients * price * 100) / 100,
    messagesPerSecond: mps,
    durationSeconds,
    package: {
      balance: input.packageBalance,
      autoIncreaseSize: input.autoIncreaseSize,
      increases,
      balanceAfter: input.packageBalance + increases * input.autoIncreaseSize - input.recipients,
    },
    messagingLimit: { tier: input.messagingLimitTier, limit, usedLast24h: input.usedLast24h, remaining, waves },
    startsAt: input.startsAt.toISOString(),
    finishesAt: new Date(finishMs).toISOString(),
  };
};

/**
 * Unique users the organization's numbers (one business portfolio) messaged in the last 24 hours. Only
 * campaigns that sent in that window are read, through their recipients' (campaign, contact) index.
 */
export const portfolioUsageLast24h = async (db: DbOrTx, organizationId: string): Promise<number> => {
  const rows = await db.execute<{ n: number }>(sql`
    select count(distinct r.phone)::int as n
      from campaigns c join campaign_recipients r on r.campaign_id = c.id
     where c.organization_id = ${organizationId}::uuid and c.started_at is not null
       and (c.finished_at is null or c.finished_at >= now() - interval '24 hours')
       and r.sent_at >= now() - interval '24 hours'`);
  return Number(rows[0]?.n ?? 0);
};
