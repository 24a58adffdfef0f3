import path from "node:path";
import { defineConfig } from "vitest/config";
import { isDriverSocketRace } from "./lib/db-driver-guard";

const root = import.meta.dirname;
const alias = {
  "@": root,
  // Marks modules as server-only for the Next.js bundler; meaningless (and throwing) under plain Node.
  "server-only": path.join(root, "tests/support/empty.ts"),
};

// next-auth imports "next/server" without an extension, which plain Node ESM refuses: let Vite resolve it.
const server = { deps: { inline: ["next-auth", "@auth/core"] } };

export default defineConfig({
  resolve: { alias },
  test: {
    // Two cores: PostgreSQL plus two test files at a time.
    maxWorkers: 2,
    // tests/dispatch-restart.test.ts stops PostgreSQL under the worker: the driver's socket race
    // (lib/db-driver-guard.ts, which the worker process handles the same way) is expected there. Vitest reads
    // this option from the root config only (its state manager is the run's, not a project's): set in the
    // integration project, it was ignored, and the race failed a CI run.
    onUnhandledError: (error) => !isDriverSocketRace(error),
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "tests/unit/**/*.test.ts"],
          environment: "node",
          server,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "integration",
          include: ["tests/**/*.test.ts"],
          exclude: ["tests/unit/**"],
          environment: "node",
          server,
          globalSetup: ["tests/support/global-setup.ts"],
          setupFiles: ["tests/support/database.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: "e2e",
          include: ["e2e/**/*.e2e.ts"],
          environment: "node",
          server,
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
