import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, inject } from "vitest";
import { closeDb } from "../../db/client";

// A fresh database per test file, cloned from the migrated template: files never see each other's rows.
const adminUrl = inject("pgAdminUrl");
const template = inject("pgTemplate");
const name = `test_${randomBytes(6).toString("hex")}`;
const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database "${name}" template "${template}"`);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
process.env.DATABASE_URL = url.toString();
process.env.AUTH_SECRET ??= randomBytes(32).toString("base64url");
process.env.ENCRYPTION_KEY ??= randomBytes(32).toString("base64");

afterAll(async () => {
  await closeDb();
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.end({ timeout: 5 });
});
