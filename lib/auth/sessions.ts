import { and, eq, gt, isNull, lt, ne, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { isUuid } from "@/lib/ids";
import { organizations, userSessions, users } from "@/db/schema";
import type { SessionUser } from "./login";
import { SESSION_ABSOLUTE_MAX_AGE_SECONDS, SESSION_MAX_AGE_SECONDS } from "./session-age";

// Ended and expired sessions are kept this long (who signed in from where), then removed at the user's next sign-in.
const KEEP_ENDED_DAYS = 30;

export type SessionEndReason = "logout" | "deactivated" | "password_reset";
export type CurrentUser = SessionUser & { organizationName: string; timeZone: string; sessionId: string };

/**
 * Records a sign-in; the returned id goes into the JWT. Only while the user is still active with the password
 * that was just verified: a reset or a deactivation that committed while the password hash was being checked
 * would otherwise leave a session its own "end all sessions" never saw. Returns null then (the login fails).
 */
export const openSession = async (
  db: DbOrTx,
  user: { id: string; organizationId: string; passwordHash: string },
  ip: string | null,
): Promise<string | null> => {
  await db
    .delete(userSessions)
    .where(and(eq(userSessions.userId, user.id), lt(userSessions.expiresAt, sql`now() - make_interval(days => ${KEEP_ENDED_DAYS})`)));
  const rows = await db.execute<{ id: string }>(sql`
    insert into ${userSessions} (organization_id, user_id, ip, expires_at)
    select ${users.organizationId}, ${users.id}, ${ip}, now() + make_interval(secs => ${SESSION_MAX_AGE_SECONDS})
      from ${users}
     where ${users.id} = ${user.id}::uuid and ${users.organizationId} = ${user.organizationId}::uuid
       and ${users.active} and ${users.passwordHash} = ${user.passwordHash}
    returning id`);
  return rows[0]?.id ?? null;
};

// A session in use is extended (12 h after the latest request, like the cookie), at most once every
// SLIDE_EVERY_SECONDS so requests do not each write, and never past SESSION_ABSOLUTE_MAX_AGE_SECONDS after
// the sign-in.
const SLIDE_EVERY_SECONDS = 15 * 60;

/**
 * The user a session cookie names, if that sign-in is still open and the user still active; the role and
 * organization come from the database, so a demoted or deactivated user loses access on the next request.
 */
export const loadSessionUser = async (
  db: DbOrTx,
  claims: { userId?: unknown; organizationId?: unknown; sessionId?: unknown },
): Promise<CurrentUser | null> => {
  const { userId, organizationId, sessionId } = claims;
  if (!isUuid(userId) || !isUuid(organizationId) || !isUuid(sessionId)) return null;
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
      createdAt: userSessions.createdAt,
      expiresAt: userSessions.expiresAt,
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
        gt(userSessions.createdAt, sql`now() - make_interval(secs => ${SESSION_ABSOLUTE_MAX_AGE_SECONDS})`),
      ),
    )
    .limit(1);
  if (!row) return null;
  const { createdAt, expiresAt, ...current } = row;
  const endOfLife = createdAt.getTime() + SESSION_ABSOLUTE_MAX_AGE_SECONDS * 1000;
  if (expiresAt.getTime() < endOfLife && expiresAt.getTime() - Date.now() < (SESSION_MAX_AGE_SECONDS - SLIDE_EVERY_SECONDS) * 1000)
    await db
      .update(userSessions)
      .set({
        expiresAt: sql`least(now() + make_interval(secs => ${SESSION_MAX_AGE_SECONDS}), ${userSessions.createdAt} + make_interval(secs => ${SESSION_ABSOLUTE_MAX_AGE_SECONDS}))`,
      })
      .where(and(eq(userSessions.id, current.sessionId), isNull(userSessions.endedAt)));
  return current;
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
