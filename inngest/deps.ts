import { getDb, type Db } from "@/db/client";
import { env } from "@/lib/env";
import type { WhatsAppClient } from "@/lib/whatsapp/client";
import { appWhatsAppClient } from "@/lib/whatsapp-runtime";

/** What the functions use, read when a step runs (never at import): the tests pass their own. */
export type DispatchDeps = {
  db: () => Db;
  client: () => WhatsAppClient;
  encryptionKey: () => string;
  /** The app's clock, for the schedule and the snapshot (the tests move it). */
  now: () => Date;
};

export const defaultDeps: DispatchDeps = {
  db: getDb,
  client: appWhatsAppClient,
  encryptionKey: () => env().ENCRYPTION_KEY,
  now: () => new Date(),
};
