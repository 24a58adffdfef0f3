import { and, eq, gt, sql } from "drizzle-orm";
import type { DbOrTx } from "@/db/client";
import { loginAttempts, users, type Role } from "@/db/schema";
import { DUMMY_HASH, verifyPassword } from "./password";
import { openSession } from "./sessions";

export const LOGIN_WINDOW_MINUTES = 15;
export const LOGIN_MAX_FAILURES = 5;

export type LoginFailure = "invalid" | "locked" | "inactive";
export type SessionUser = { id: string; organizationId: string; role: Role; name: string; email: string };
export type LoginResult =
  | { ok: true; user: SessionUser & { sessionId: string } }
   | { ok: false; reason: LoginFailure; retryAfterMinutes?: number };

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

// Failures since the last success inside the window; at LOGIN_MAX_FAILURES the e-mail is locked for the window.
const recentFailures = async (db: DbOrTx, email: string) => {
  const since = new Date(Date.now() - LOGIN_WINDOW_MINUTES * 60_000);
  const rows = await db
    .select({ success: loginAttempts.success, createdAt: loginAttempts.createdAt })
    .from(loginAttempts)
    .where(and(eq(loginAttempts.email, email), gt(loginAttempts.createdAt, since)))
    .orderBy(sql`${loginAttempts.createdAt} desc`)
    .limit(LOGIN_MAX_FAILURES + 1);
  const failures = [];
  for (const row of rows) {
    if (row.success) break;
    failures.push(row.createdAt);
  }
  return failures;
};

export const verifyLogin = async (
  db: DbOrTx,
  input: { email: string; password: string; ip?: string | null },
): Promise<LoginResult> => {
  const email = normalizeEmail(input.email);
  const failures = await recentFailures(db, email);
  if (failures.length >= LOGIN_MAX_FAILURES) {
    const oldest = failures[LOGIN_MAX_FAILURES - 1]!;
    const unlockAt = oldest.getTime() + LOGIN_WINDOW_MINUTES * 60_000;
    return { ok: false, reason: "locked", retryAfterMinutes: Math.max(1, Math.ceil((unlockAt - Date.now()) / 60_000)) };
  }

  const [user] = await db
    .select()
    .from(users)
    .where(sql`lower(${users.email}) = ${email}`)
    .limit(1);
  const valid = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_HASH);
  const success = Boolean(user && valid && user.active);
  await db.insert(loginAttempts).values({
    email,
    ip: input.ip ?? null,
    success,
    organizationId: user?.organizationId ?? null,
  });
  if (!user || !valid) return { ok: false, reason: "invalid" };
  if (!user.active) return { ok: false, reason: "inactive" };
  await db.update(users).set({ lastLoginAt: new Date() }).where(eq(users.id, user.id));
  const sessionId = await openSession(db, user, input.ip ?? null);
  // Deactivated or given a new password while this one was being checked: as if it had happened first.
  if (!sessionId) return { ok: false, reason: "invalid" };
  return {
    ok: true,
    user: { id: user.id, organizationId: user.organizationId, role: user.role, name: user.name, email: user.email, sessionId },
  };
};

export const loginMessages: Record<LoginFailure, (retryAfterMinutes?: number) => string> = {
  invalid: () => "E-mail ou senha incorretos. Confira e tente de novo.",
  inactive: () => "Este usuário foi desativado. Fale com o administrador da sua organização.",
  locked: (m) =>
    `Muitas tentativas sem sucesso para este e-mail. Aguarde ${m ?? LOGIN_WINDOW_MINUTES} minuto${m === 1 ? "" : "s"} e tente de novo.`,
};
