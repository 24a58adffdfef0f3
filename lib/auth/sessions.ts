import { and, eq, gt, isNull, lt, ne, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { organizations, userSessions, users } from "@/db/schema";
import type { SessionUser } from "./login";
import { SESSION_MAX_AGE_SECONDS } from "./session-age";

// Ended and expired sessions are kept this long (who signed in from where), then removed at the user's next sign-in.
const KEEP_ENDED_DAYS = 30;

export type SessionEndReason = "logout" | "deactivated" | "password_reset";
export type CurrentUser = SessionUser & { organizationName: string; timeZone: string; sessionId: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Records a sign-in; the returned id goes into the JWT. */
export const openSession = async (db: DbOrTx, user: { id: string; organizationId: string }, ip: string | null) => {
  await db
    .delete(userSessions)
    .where(and(eq(userSessions.userId, user.id), lt(userSessions.expiresAt, sql`now() - make_interval(days => ${KEEP_ENDED_DAYS})`)));
  const [row] = await db
    .insert(userSessions)
    .values({
      organizationId: user.organizationId,
      userId: user.id,
      ip,
      expiresAt: sql`now() + make_interval(secs => ${SESSION_MAX_AGE_SECONDS})`,
    })
    .returning({ id: userSessions.id });
  return row!.id;
};

/**
 * The user a session cookie names, if that sign-in is still open and the user still active; the role and
 * organization come from the database, so a demoted or deactivated user loses access on the next request.
 */
export const loadSessionUser = async (
  db: DbOrTx,
  claims: { userId?: unknown; organizationId?: unknown; sessionId?: unknown },
): Promise<CurrentUser | null> => {
  const { userId, organizationId, sessionId } = claims;
  if (typeof userId !== "string" || typeof organizationId !== "string" || typeof sessionId !== "string") return null;
  if (!UUID.test(userId) || !UUID.test(organizationId) || !UUID.test(sessionId)) return null;
  const [row] = await db
    .select({
      id: users.id,
      organizationId: users.organizationId,
      role: users.role,
      name: users.name,
      email: users.email,
      organizationName: organizations.name,
      timeZone: organizations.timeZone,
      sessionId: userSessions.id,
    })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .where(
      and(
        eq(userSessions.id, sessionId),
        eq(userSessions.userId, userId),
        eq(users.organizationId, organizationId),
        eq(users.active, true),
        isNull(userSessions.endedAt),
        gt(userSessions.expiresAt, sql`now()`),
      ),
    )
    .limit(1);
  return row ?? null;
};

/** Ends one sign-in ("Sair"). */
export const endSession = (db: DbOrTx, sessionId: string) =>
  db
    .update(userSessions)
    .set({ endedAt: sql`now()`, endReason: "logout" })
    .where(and(eq(userSessions.id, sessionId), isNull(userSessions.endedAt)));

/** Ends every open sign-in of a user (deactivated, password reset), but the one in `keep` if given. */
export const endUserSessions = (
  db: DbOrTx,
  organizationId: string,
  userId: string,
  reason: SessionEndReason,
  keep?: string,
) =>
  db
    .update(userSessions)
    .set({ endedAt: sql`now()`, endReason: reason })
    .where(
      and(
        eq(userSessions.userId, userId),
        eq(userSessions.organizationId, organizationId),
        isNull(userSessions.endedAt),
        keep ? ne(userSessions.id, keep) : undefined,
      ),
    );
