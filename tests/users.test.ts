import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { auditLog, users } from "@/db/schema";
import { verifyLogin } from "@/lib/auth/login";
import { createUser, resetPassword, updateUser } from "@/lib/users";
import { createOrganization, createUser as fixtureUser } from "./support/fixtures";

describe("users and organization settings", () => {
  it("an admin creates a user who can then sign in; a second user with the same e-mail is refused", async () => {
    const org = await createOrganization();
    const admin = await fixtureUser(org.id, "admin");
    const actor = { organizationId: org.id, userId: admin.id };
    await createUser(getDb(), actor, { name: "Rita", email: "rita@loja.com.br", role: "gestor", password: "senha-da-rita" });
    expect(await verifyLogin(getDb(), { email: "rita@loja.com.br", password: "senha-da-rita" })).toMatchObject({
      ok: true,
      user: { role: "gestor", organizationId: org.id },
    });
    await expect(
      createUser(getDb(), actor, { name: "Outra", email: "RITA@loja.com.br", role: "operador", password: "12345678" }),
    ).rejects.toMatchObject({ code: "conflict", fieldErrors: { email: ["Este e-mail já está em uso."] } });
    const audits = await getDb().select().from(auditLog).where(eq(auditLog.organizationId, org.id));
    expect(audits.map((a) => a.action)).toEqual(["user.create"]);
  });

  it("a deactivated user can no longer sign in; the last active admin cannot be removed", async () => {
    const org = await createOrganization();
    const admin = await fixtureUser(org.id, "admin", { password: "senha-boa-123" });
    const op = await fixtureUser(org.id, "operador", { password: "senha-boa-123" });
    const actor = { organizationId: org.id, userId: admin.id };
    await updateUser(getDb(), actor, op.id, { role: "operador", active: false });
    expect(await verifyLogin(getDb(), { email: op.email, password: "senha-boa-123" })).toEqual({ ok: false, reason: "inactive" });
    await expect(updateUser(getDb(), actor, admin.id, { role: "gestor", active: true })).rejects.toMatchObject({
      code: "conflict",
    });
  });

  it("two admins demoting each other at the same time: one change goes through, the organization keeps an admin", async () => {
    for (const change of [{ role: "gestor" as const, active: true }, { role: "admin" as const, active: false }]) {
      const org = await createOrganization();
      const ana = await fixtureUser(org.id, "admin");
      const bia = await fixtureUser(org.id, "admin");
      // Both requests arrive while a third transaction holds the two rows, so they reach the change at the same
      // moment however the machine schedules them.
      let both!: Promise<PromiseSettledResult<void>[]>;
      await getDb().transaction(async (tx) => {
        await tx.select({ id: users.id }).from(users).where(eq(users.organizationId, org.id)).for("update");
        both = Promise.allSettled([
          updateUser(getDb(), { organizationId: org.id, userId: ana.id }, bia.id, change),
          updateUser(getDb(), { organizationId: org.id, userId: bia.id }, ana.id, change),
        ]);
        await new Promise((resolve) => setTimeout(resolve, 300));
      });
      const results = await both;
      expect(results.filter((r) => r.status === "fulfilled"), JSON.stringify(change)).toHaveLength(1);
      expect(results.find((r) => r.status === "rejected")).toMatchObject({
        reason: { code: "conflict", message: "A organização precisa de pelo menos um administrador ativo." },
      });
      const admins = await getDb()
        .select()
        .from(users)
        .where(and(eq(users.organizationId, org.id), eq(users.role, "admin"), eq(users.active, true)));
      expect(admins).toHaveLength(1);
    }
  });

  it("the same new e-mail saved twice at once: one user is created, the other gets the e-mail's field error", async () => {
    const org = await createOrganization();
    const admin = await fixtureUser(org.id, "admin");
    const actor = { organizationId: org.id, userId: admin.id };
    const input = { name: "Rita", email: `rita.${Date.now()}@loja.com.br`, role: "gestor" as const, password: "senha-da-rita" };
    const results = await Promise.allSettled([createUser(getDb(), actor, input), createUser(getDb(), actor, input)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.find((r) => r.status === "rejected")).toMatchObject({
      reason: { code: "conflict", fieldErrors: { email: ["Este e-mail já está em uso."] } },
    });
  });

  it("cannot touch a user of another organization", async () => {
    const orgA = await createOrganization();
    const orgB = await createOrganization();
    const adminA = await fixtureUser(orgA.id, "admin");
    const userB = await fixtureUser(orgB.id, "operador", { password: "senha-boa-123" });
    const actor = { organizationId: orgA.id, userId: adminA.id };
    await expect(resetPassword(getDb(), actor, userB.id, "nova-senha-123")).rejects.toMatchObject({ code: "not_found" });
    await expect(updateUser(getDb(), actor, userB.id, { role: "admin", active: true })).rejects.toMatchObject({ code: "not_found" });
    const [still] = await getDb().select().from(users).where(eq(users.id, userB.id));
    expect(still!.role).toBe("operador");
    expect((await verifyLogin(getDb(), { email: userB.email, password: "senha-boa-123" })).ok).toBe(true);
  });

  it("a password reset makes the old password stop working", async () => {
    const org = await createOrganization();
    const admin = await fixtureUser(org.id, "admin");
    const op = await fixtureUser(org.id, "operador", { password: "antiga-123" });
    await resetPassword(getDb(), { organizationId: org.id, userId: admin.id }, op.id, "nova-senha-123");
    expect((await verifyLogin(getDb(), { email: op.email, password: "antiga-123" })).ok).toBe(false);
    expect((await verifyLogin(getDb(), { email: op.email, password: "nova-senha-123" })).ok).toBe(true);
  });
});
