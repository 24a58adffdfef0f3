// PostgreSQL settings for fast segment counts (see lib/segments/README.md and docs/benchmarks.md,
// "Segmentação"). `npm run bench:segments` measures with exactly these; production should start from them.
// Values are for the reference machine (2 cores, 24 GB RAM, 1 M contacts); scale shared_buffers with the
// data: contacts + its indexes should fit (~0.6 GB per million contacts).

export const SEGMENT_PG_SETTINGS = {
  // Holds contacts and its indexes (≈ 600 MB at 1 M contacts): counts never wait on the OS cache.
  shared_buffers: "1GB",
  // What the planner may assume is cached (shared_buffers + the OS cache it can count on).
  effective_cache_size: "4GB",
  // Bitmaps of popular etiquetas (hundreds of thousands of rows) stay exact, sorts stay in memory.
  work_mem: "32MB",
  // Index builds after imports and seeds.
  maintenance_work_mem: "512MB",
  // No parallel workers: starting them costs more here (~30 ms on the 2-core reference machine) than they save
  // on a count; measured slower for every benchmark filter (docs/benchmarks.md).
  max_parallel_workers_per_gather: 0,
  // Compiling a 20–50 ms query costs more than it saves.
  jit: "off",
  // Everything is in memory: random and sequential reads cost about the same.
  random_page_cost: 1.1,
} as const satisfies Record<string, string | number>;
