import { and, eq, like, sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db/client";
import { loginAttempts } from "@/db/schema";
import { LOGIN_MAX_FAILURES, LOGIN_MAX_FAILURES_PER_IP, loginMessages, verifyLogin } from "@/lib/auth/login";
import { createOrganization, createUser } from "./support/fixtures";

// The real scrypt check, counted: how many attempts of a burst reached the password hash.
const hashChecks = vi.hoisted(() => ({ count: 0 }));
vi.mock("@/lib/auth/password", async (importOriginal) => {
  const real = await importOriginal<typeof import("@/lib/auth/password")>();
  return {
    ...real,
    verifyPassword: async (password: string, stored: string) => {
      hashChecks.count++;
      return real.verifyPassword(password, stored);
    },
  };
});

// What an attacker or the user would see after the window: the recorded attempts are that old.
const ageAttempts = (where: ReturnType<typeof eq>, minutes: number) =>
  getDb()
    .update(loginAttempts)
    .set({ createdAt: sql`${loginAttempts.createdAt} - make_interval(mins => ${minutes})` })
    .where(where);

describe("login", () => {
  let email: string;
  let organizationId: string;

  beforeAll(async () => {
    const org = await createOrganization();
    organizationId = org.id;
    email = (await createUser(org.id, "operador", { password: "certa-123" })).email;
  });

  it("signs in with the right password, whatever the case of the e-mail", async () => {
    const result = await verifyLogin(getDb(), { email: `  ${email.toUpperCase()} `, password: "certa-123" });
    expect(result).toMatchObject({ ok: true, user: { organizationId, role: "operador" } });
  });

  it("gives the same answer for an unknown e-mail and a wrong password", async () => {
    expect(await verifyLogin(getDb(), { email: "ninguem@exemplo.com.br", password: "x" })).toEqual({ ok: false, reason: "invalid" });
    expect(await verifyLogin(getDb(), { email, password: "errada" })).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses a deactivated user with its own message", async () => {
    const org = await createOrganization();
    const inactive = await createUser(org.id, "gestor", { password: "certa-123", active: false });
    expect(await verifyLogin(getDb(), { email: inactive.email, password: "certa-123" })).toEqual({ ok: false, reason: "inactive" });
  });

  it(`locks an e-mail after ${LOGIN_MAX_FAILURES} failures, even for the right password, and records every attempt`, async () => {
    const org = await createOrganization();
    const target = await createUser(org.id, "admin", { password: "certa-123" });
    for (let i = 0; i < LOGIN_MAX_FAILURES; i++)
      expect((await verifyLogin(getDb(), { email: target.email, password: `errada-${i}` })).ok).toBe(false);
    const locked = await verifyLogin(getDb(), { email: target.email, password: "certa-123" });
    expect(locked).toMatchObject({ ok: false, reason: "locked" });
    expect(locked.ok === false && locked.retryAfterMinutes).toBeGreaterThan(0);
    expect(loginMessages.locked(15)).toMatch(/Aguarde 15 minutos/);
    const rows = await getDb().select().from(loginAttempts).where(eq(loginAttempts.email, target.email.toLowerCase()));
    expect(rows.filter((r) => !r.success)).toHaveLength(LOGIN_MAX_FAILURES);
    // Another e-mail is not affected by this one's lock.
    expect((await verifyLogin(getDb(), { email, password: "certa-123" })).ok).toBe(true);
  });

  describe("bursts", () => {
    beforeEach(() => {
      hashChecks.count = 0;
    });

    it(`20 wrong passwords at once for one e-mail: only ${LOGIN_MAX_FAILURES} are checked and recorded, the rest are told it is locked and until when; after the window the right password works`, async () => {
      const org = await createOrganization();
      const target = await createUser(org.id, "admin", { password: "certa-123" });
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => verifyLogin(getDb(), { email: target.email, password: `chute-${i}`, ip: `198.51.100.${i}` })),
      );
      expect(results.filter((r) => !r.ok && r.reason === "invalid")).toHaveLength(LOGIN_MAX_FAILURES);
      expect(results.filter((r) => !r.ok && r.reason === "locked")).toHaveLength(20 - LOGIN_MAX_FAILURES);
      expect(hashChecks.count).toBe(LOGIN_MAX_FAILURES);
      const byEmail = eq(loginAttempts.email, target.email.toLowerCase());
      expect(await getDb().select().from(loginAttempts).where(byEmail)).toHaveLength(LOGIN_MAX_FAILURES);

      // The owner, with the right password, is refused for now and told how long to wait.
      const locked = await verifyLogin(getDb(), { email: target.email, password: "certa-123" });
      expect(locked).toMatchObject({ ok: false, reason: "locked" });
      expect(locked.ok === false && locked.retryAfterMinutes).toBeOneOf([14, 15]);
      expect(loginMessages.locked(15)).toBe("Muitas tentativas sem sucesso para este e-mail. Aguarde 15 minutos e tente de novo.");
      // Refused attempts are not counted: hammering does not keep the e-mail locked.
      await Promise.all(Array.from({ length: 10 }, () => verifyLogin(getDb(), { email: target.email, password: "x" })));
      expect(await getDb().select().from(loginAttempts).where(byEmail)).toHaveLength(LOGIN_MAX_FAILURES);

      await ageAttempts(byEmail, 16);
      expect(await verifyLogin(getDb(), { email: target.email, password: "certa-123" })).toMatchObject({
        ok: true,
        user: { id: target.id },
      });
    });

    it(`one address trying many e-mails is stopped after ${LOGIN_MAX_FAILURES_PER_IP} failures, known users included; other addresses are not`, async () => {
      const org = await createOrganization();
      const known = await createUser(org.id, "gestor", { password: "certa-123" });
      const ip = "192.0.2.77";
      const results = await Promise.all(
        Array.from({ length: LOGIN_MAX_FAILURES_PER_IP + 10 }, (_, i) =>
          verifyLogin(getDb(), { email: `alvo${i}@spray.exemplo.com.br`, password: "Senha@2026", ip }),
        ),
      );
      expect(results.filter((r) => !r.ok && r.reason === "invalid")).toHaveLength(LOGIN_MAX_FAILURES_PER_IP);
      expect(results.filter((r) => !r.ok && r.reason === "ip_locked")).toHaveLength(10);
      expect(hashChecks.count).toBe(LOGIN_MAX_FAILURES_PER_IP);

      // From that address even a right password waits; the message names the network and the minutes.
      const blocked = await verifyLogin(getDb(), { email: known.email, password: "certa-123", ip });
      expect(blocked).toMatchObject({ ok: false, reason: "ip_locked" });
      expect(blocked.ok === false && blocked.retryAfterMinutes).toBeOneOf([14, 15]);
      expect(loginMessages.ip_locked(15)).toBe("Muitas tentativas sem sucesso a partir desta rede. Aguarde 15 minutos e tente de novo.");
      expect((await verifyLogin(getDb(), { email: known.email, password: "certa-123", ip: "192.0.2.78" })).ok).toBe(true);

      await ageAttempts(and(eq(loginAttempts.ip, ip), like(loginAttempts.email, "%@spray.exemplo.com.br"))!, 16);
      expect((await verifyLogin(getDb(), { email: known.email, password: "certa-123", ip })).ok).toBe(true);
    });
  });
});
