import { SEGMENT_PG_SETTINGS } from "@/lib/segments/pg-settings";

// The PostgreSQL settings we recommend for production on the reference machine (2 cores, 24 GB) and measure
// with: the segment settings (lib/segments/pg-settings.ts) plus room for the webhook's write bursts — with the
// default max_wal_size (1 GB) a checkpoint starts every ~90 s at 3,000 statuses/s, and the full-page images
// that follow it slow every commit for a while. Commits stay durable (synchronous_commit on): a webhook is
// answered only after its writes reach the disk. docs/benchmarks.md.
export const RECOMMENDED_PG_SETTINGS = {
  ...SEGMENT_PG_SETTINGS,
  max_wal_size: "4GB",
} as const satisfies Record<string, string | number>;
