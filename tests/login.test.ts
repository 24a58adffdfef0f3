import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { loginAttempts } from "@/db/schema";
import { LOGIN_MAX_FAILURES, loginMessages, verifyLogin } from "@/lib/auth/login";
import { createOrganization, createUser } from "./support/fixtures";

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
});
