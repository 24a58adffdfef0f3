import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { runMigrations } from "../../db/migrate";
import { startEmbeddedPostgres } from "../../scripts/lib/embedded-postgres";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
  }
}

// One PostgreSQL for the whole run (embedded on a free port, or the server at DATABASE_URL), with a migrated
// template database; each test file clones it (tests/support/database.ts).
export default async function setup(project: TestProject) {
  const template = `test_template_${process.pid}`;
  let adminUrl: string;
  let stop = async () => {};
  if (process.env.DATABASE_URL) {
    const u = new URL(process.env.DATABASE_URL);
    u.pathname = "/postgres";
    adminUrl = u.toString();
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), "disparo-test-pg-"));
    // PostgreSQL runs as its own unprivileged user, which must be able to enter the directory.
    chmodSync(dir, 0o755);
    const pg = await startEmbeddedPostgres({
      dataDir: path.join(dir, "data"),
      settings: { fsync: "off", synchronous_commit: "off", full_page_writes: "off" },
    });
    adminUrl = pg.url("postgres");
    stop = async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${template}"`);
  await admin.unsafe(`create database "${template}"`);
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${template}`;
  await runMigrations(templateUrl.toString());
  project.provide("pgAdminUrl", adminUrl);
  project.provide("pgTemplate", template);
  return async () => {
    await admin.unsafe(`drop database if exists "${template}" with (force)`);
    await admin.end({ timeout: 5 });
    await stop();
  };
}
