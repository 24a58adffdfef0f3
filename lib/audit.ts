import type { DbOrTx } from "@/db/client";
import { auditLog } from "@/db/schema";

export const audit = (
  db: DbOrTx,
  entry: { organizationId: string; userId: string | null; action: string; entityType: string; entityId?: string | number; data?: unknown },
) =>
  db.insert(auditLog).values({
    organizationId: entry.organizationId,
    userId: entry.userId,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId === undefined ? null : String(entry.entityId),
    data: entry.data ?? null,
  });
