import { and, desc, eq, gt, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { loginAttempts, users, type Role, type User } from "@/db/schema";
import { DUMMY_HASH, verifyPassword } from "./password";
import { openSession } from "./sessions";

export const LOGIN_WINDOW_MINUTES = 15;
export const LOGIN_MAX_FAILURES = 5;
// Failures from one address, whatever the e-mails: a password sprayed over many accounts. An office behind one
// address stays well under it; its people's own e-mail locks still apply first.
export const LOGIN_MAX_FAILURES_PER_IP = 30;

export type LoginFailure = "invalid" | "locked" | "ip_locked" | "inactive";
export type SessionUser = { id: string; organizationId: string; role: Role; name: string; email: string };
export type LoginResult =
  | { ok: true; user: SessionUser & { sessionId: string } }
  | { ok: false; reason: LoginFailure; retryAfterMinutes?: number };

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

const windowStart = () => new Date(Date.now() - LOGIN_WINDOW_MINUTES * 60_000);

// Minutes until the oldest of the `limit` latest failures leaves the window (and the count drops under it).
const minutesLeft = (failures: Date[], limit: number) => {
  const unlockAt = failures[limit - 1]!.getTime() + LOGIN_WINDOW_MINUTES * 60_000;
  return Math.max(1, Math.ceil((unlockAt - Date.now()) / 60_000));
};

// Failures since the last success inside the window; at LOGIN_MAX_FAILURES the e-mail is locked until the
// oldest of them is LOGIN_WINDOW_MINUTES old. Refused attempts are not recorded, so hammering a locked e-mail
// does not keep it locked: its owner gets in once the window has passed.
const recentFailures = async (db: DbOrTx, email: string) => {
  const rows = await db
    .select({ success: loginAttempts.success, createdAt: loginAttempts.createdAt })
    .from(loginAttempts)
    .where(and(eq(loginAttempts.email, email), gt(loginAttempts.createdAt, windowStart())))
    .orderBy(desc(loginAttempts.createdAt))
    .limit(LOGIN_MAX_FAILURES + 1);
  const failures = [];
  for (const row of rows) {
    if (row.success) break;
    failures.push(row.createdAt);
  }
  return failures;
};

// From one address a success does not reset the count: an attacker's own account would.
const recentIpFailures = async (db: DbOrTx, ip: string) =>
  (
    await db
      .select({ createdAt: loginAttempts.createdAt })
      .from(loginAttempts)
      .where(and(eq(loginAttempts.ip, ip), eq(loginAttempts.success, false), gt(loginAttempts.createdAt, windowStart())))
      .orderBy(desc(loginAttempts.createdAt))
      .limit(LOGIN_MAX_FAILURES_PER_IP)
  ).map((r) => r.createdAt);

type Claim =
  | { ok: true; attemptId: number; user: User | undefined }
  | { ok: false; reason: LoginFailure; retryAfterMinutes: number };

const lockKey = (kind: "email" | "ip", value: string) => sql`pg_advisory_xact_lock(hashtextextended(${`login:${kind}:${value}`}, 0))`;

/**
 * Checks the limits and records the attempt, as a failure, before the password is checked: under a lock per
 * e-mail and per address (always taken in that order), so parallel attempts are counted one after the other
 * and at most LOGIN_MAX_FAILURES of a burst reach the password hash. The row becomes a success afterwards if
 * the password was right.
 */
const claimAttempt = (db: DbOrTx, email: string, ip: string | null) =>
  db.transaction(async (tx): Promise<Claim> => {
    await tx.execute(sql`select ${lockKey("email", email)}`);
    if (ip) await tx.execute(sql`select ${lockKey("ip", ip)}`);
    const failures = await recentFailures(tx, email);
    if (failures.length >= LOGIN_MAX_FAILURES)
      return { ok: false, reason: "locked", retryAfterMinutes: minutesLeft(failures, LOGIN_MAX_FAILURES) };
    if (ip) {
      const fromIp = await recentIpFailures(tx, ip);
      if (fromIp.length >= LOGIN_MAX_FAILURES_PER_IP)
        return { ok: false, reason: "ip_locked", retryAfterMinutes: minutesLeft(fromIp, LOGIN_MAX_FAILURES_PER_IP) };
    }
    const [user] = await tx
      .select()
      .from(users)
      .where(sql`lower(${users.email}) = ${email}`)
      .limit(1);
    const [attempt] = await tx
      .insert(loginAttempts)
      .values({ email, ip, success: false, organizationId: user?.organizationId ?? null })
      .returning({ id: loginAttempts.id });
    return { ok: true, attemptId: attempt!.id, user };
  });

export const verifyLogin = async (
  db: DbOrTx,
  input: { email: string; password: string; ip?: string | null },
): Promise<LoginResult> => {
  const email = normalizeEmail(input.email);
  const claim = await claimAttempt(db, email, input.ip ?? null);
  if (!claim.ok) return claim;
  const { user } = claim;
  const valid = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !valid) return { ok: false, reason: "invalid" };
  if (!user.active) return { ok: false, reason: "inactive" };
  const sessionId = await openSession(db, user, input.ip ?? null);
  // Deactivated or given a new password while this one was being checked: as if it had happened first.
  if (!sessionId) return { ok: false, reason: "invalid" };
  await db.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, user.id));
  await db.update(loginAttempts).set({ success: true }).where(eq(loginAttempts.id, claim.attemptId));
  return {
    ok: true,
    user: { id: user.id, organizationId: user.organizationId, role: user.role, name: user.name, email: user.email, sessionId },
  };
};

const minutes = (m = LOGIN_WINDOW_MINUTES) => `${m} minuto${m === 1 ? "" : "s"}`;

export const loginMessages: Record<LoginFailure, (retryAfterMinutes?: number) => string> = {
  invalid: () => "E-mail ou senha incorretos. Confira e tente de novo.",
  inactive: () => "Este usuário foi desativado. Fale com o administrador da sua organização.",
  locked: (m) => `Muitas tentativas sem sucesso para este e-mail. Aguarde ${minutes(m)} e tente de novo.`,
  ip_locked: (m) => `Muitas tentativas sem sucesso a partir desta rede. Aguarde ${minutes(m)} e tente de novo.`,
};
