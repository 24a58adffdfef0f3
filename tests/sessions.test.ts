import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { users, userSessions } from "@/db/schema";
import { verifyLogin } from "@/lib/auth/login";
import { endSession, loadSessionUser, openSession } from "@/lib/auth/sessions";
import { resetPassword, updateUser } from "@/lib/users";
import { createOrganization, createUser } from "./support/fixtures";

const signIn = async (email: string, password: string) => {
  const result = await verifyLogin(getDb(), { email, password, ip: "203.0.113.7" });
  if (!result.ok) throw new Error(`login failed: ${result.reason}`);
  return { userId: result.user.id, organizationId: result.user.organizationId, sessionId: result.user.sessionId };
};

describe("sessions", () => {
  it("a sign-in opens a session that names the user; 'Sair' ends it, and the same cookie claims open nothing afterwards", async () => {
    const org = await createOrganization();
    const user = await createUser(org.id, "gestor", { password: "certa-123" });
    const claims = await signIn(user.email, "certa-123");
    expect(await loadSessionUser(getDb(), claims)).toMatchObject({ id: user.id, role: "gestor", organizationId: org.id });
    const [row] = await getDb().select().from(userSessions).where(eq(userSessions.id, claims.sessionId));
    expect(row).toMatchObject({ userId: user.id, organizationId: org.id, ip: "203.0.113.7", endedAt: null });

    await endSession(getDb(), claims.sessionId);
    expect(await loadSessionUser(getDb(), claims)).toBeNull();
    const [ended] = await getDb().select().from(userSessions).where(eq(userSessions.id, claims.sessionId));
    expect(ended!.endReason).toBe("logout");
  });

  it("ending one sign-in leaves the user's other sign-ins open", async () => {
    const org = await createOrganization();
    const user = await createUser(org.id, "operador", { password: "certa-123" });
    const laptop = await signIn(user.email, "certa-123");
    const phone = await signIn(user.email, "certa-123");
    expect(laptop.sessionId).not.toBe(phone.sessionId);
    await endSession(getDb(), laptop.sessionId);
    expect(await loadSessionUser(getDb(), laptop)).toBeNull();
    expect(await loadSessionUser(getDb(), phone)).toMatchObject({ id: user.id });
  });

  it("claims that do not match the session row, or are not ids at all, open nothing", async () => {
    const orgA = await createOrganization();
    const orgB = await createOrganization();
    const a = await createUser(orgA.id, "admin", { password: "certa-123" });
    const b = await createUser(orgB.id, "operador", { password: "certa-123" });
    const sa = await signIn(a.email, "certa-123");
    const sb = await signIn(b.email, "certa-123");
    // Another user's session id with my user id, or my session with another organization: refused.
    expect(await loadSessionUser(getDb(), { ...sa, sessionId: sb.sessionId })).toBeNull();
    expect(await loadSessionUser(getDb(), { ...sb, organizationId: orgA.id })).toBeNull();
    // Cookies from before sessions existed carry no session id.
    expect(await loadSessionUser(getDb(), { userId: a.id, organizationId: orgA.id })).toBeNull();
    expect(await loadSessionUser(getDb(), { ...sa, sessionId: "'; drop table users; --" })).toBeNull();
    expect(await loadSessionUser(getDb(), { ...sa, sessionId: 42 })).toBeNull();
  });

  it("a reset or deactivation that lands while the password is being checked leaves no session behind", async () => {
    const org = await createOrganization();
    const user = await createUser(org.id, "operador", { password: "certa-123" });
    const [verified] = await getDb().select().from(users).where(eq(users.id, user.id));
    // What verifyLogin read before hashing; meanwhile an admin set a new password.
    await getDb().update(users).set({ passwordHash: "scrypt$outro" }).where(eq(users.id, user.id));
    expect(await openSession(getDb(), verified!, null)).toBeNull();
    // Or deactivated the user.
    const other = await createUser(org.id, "operador", { password: "certa-123" });
    const [read] = await getDb().select().from(users).where(eq(users.id, other.id));
    await getDb().update(users).set({ active: false }).where(eq(users.id, other.id));
    expect(await openSession(getDb(), read!, null)).toBeNull();
    const open = await getDb().select().from(userSessions).where(eq(userSessions.organizationId, org.id));
    expect(open).toEqual([]);
  });

  it("a session in use is extended: it ends 12 hours after the latest request, not after the sign-in", async () => {
    const org = await createOrganization();
    const user = await createUser(org.id, "operador", { password: "certa-123" });
    const claims = await signIn(user.email, "certa-123");
    const inOneHour = new Date(Date.now() + 3600_000);
    await getDb().update(userSessions).set({ expiresAt: inOneHour }).where(eq(userSessions.id, claims.sessionId));
    expect(await loadSessionUser(getDb(), claims)).not.toBeNull();
    const [row] = await getDb().select().from(userSessions).where(eq(userSessions.id, claims.sessionId));
    expect(row!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 11.9 * 3600_000);
  });

  it("however active, a sign-in ends 7 days after it was made: never extended past that, and refused after it", async () => {
    const org = await createOrganization();
    const user = await createUser(org.id, "operador", { password: "certa-123" });
    const claims = await signIn(user.email, "certa-123");
    const day = 24 * 3600_000;
    const row = async () => (await getDb().select().from(userSessions).where(eq(userSessions.id, claims.sessionId)))[0]!;

    // Signed in 6 days and 23 hours ago, used every few hours since: this request extends it only up to day 7.
    const createdAt = new Date(Date.now() - 7 * day + 3600_000);
    await getDb()
      .update(userSessions)
      .set({ createdAt, expiresAt: new Date(Date.now() + 600_000) })
      .where(eq(userSessions.id, claims.sessionId));
    expect(await loadSessionUser(getDb(), claims)).toMatchObject({ id: user.id });
    expect((await row()).expiresAt.getTime()).toBeLessThanOrEqual(createdAt.getTime() + 7 * day);
    expect((await row()).expiresAt.getTime()).toBeGreaterThan(Date.now() + 3000_000);

    // A cookie kept alive by requests (the row still says it expires in 10 hours) is refused after day 7.
    await getDb()
      .update(userSessions)
      .set({ createdAt: new Date(Date.now() - 7 * day - 60_000), expiresAt: new Date(Date.now() + 10 * 3600_000) })
      .where(eq(userSessions.id, claims.sessionId));
    expect(await loadSessionUser(getDb(), claims)).toBeNull();
    // Signing in again opens a new one.
    expect(await loadSessionUser(getDb(), await signIn(user.email, "certa-123"))).toMatchObject({ id: user.id });
  });

  it("an expired session opens nothing", async () => {
    const org = await createOrganization();
    const user = await createUser(org.id, "operador", { password: "certa-123" });
    const claims = await signIn(user.email, "certa-123");
    await getDb().update(userSessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(userSessions.id, claims.sessionId));
    expect(await loadSessionUser(getDb(), claims)).toBeNull();
  });

  it("deactivating a user ends all their sign-ins; a demotion is seen on the next request", async () => {
    const org = await createOrganization();
    const admin = await createUser(org.id, "admin");
    const gestor = await createUser(org.id, "gestor", { password: "certa-123" });
    const claims = await signIn(gestor.email, "certa-123");
    const actor = { organizationId: org.id, userId: admin.id };
    await updateUser(getDb(), actor, gestor.id, { role: "operador", active: true });
    expect(await loadSessionUser(getDb(), claims)).toMatchObject({ role: "operador" });
    await updateUser(getDb(), actor, gestor.id, { role: "operador", active: false });
    expect(await loadSessionUser(getDb(), claims)).toBeNull();
    // Reactivated, the old cookie still opens nothing: the user signs in again.
    await updateUser(getDb(), actor, gestor.id, { role: "operador", active: true });
    expect(await loadSessionUser(getDb(), claims)).toBeNull();
    const [row] = await getDb().select().from(userSessions).where(eq(userSessions.id, claims.sessionId));
    expect(row!.endReason).toBe("deactivated");
  });

  it("a password reset signs the user out everywhere, except the admin's own sign-in when resetting their own", async () => {
    const org = await createOrganization();
    const admin = await createUser(org.id, "admin", { password: "senha-admin-1" });
    const op = await createUser(org.id, "operador", { password: "antiga-123" });
    const opClaims = await signIn(op.email, "antiga-123");
    const adminHere = await signIn(admin.email, "senha-admin-1");
    const adminElsewhere = await signIn(admin.email, "senha-admin-1");
    const actor = { organizationId: org.id, userId: admin.id, sessionId: adminHere.sessionId };

    await resetPassword(getDb(), actor, op.id, "nova-senha-123");
    expect(await loadSessionUser(getDb(), opClaims)).toBeNull();
    expect(await loadSessionUser(getDb(), adminHere)).not.toBeNull();

    await resetPassword(getDb(), actor, admin.id, "senha-admin-2");
    expect(await loadSessionUser(getDb(), adminHere)).not.toBeNull();
    expect(await loadSessionUser(getDb(), adminElsewhere)).toBeNull();
  });
});
