import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { auditLog, organizations, packageLedger, users } from "@/db/schema";
import { verifyLogin } from "@/lib/auth/login";
import { formDataToObject } from "@/lib/auth/action";
import { organizationSettingsSchema, updateOrganization } from "@/lib/organizations";
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

  it("saving settings changes the organization and records a balance edit in the package ledger", async () => {
    const org = await createOrganization();
    const admin = await fixtureUser(org.id, "admin");
    await updateOrganization(getDb(), { organizationId: org.id, userId: admin.id }, {
      name: "Loja Nova",
      timeZone: "America/Manaus",
      priceMarketing: "0.35",
      priceUtility: "0.05",
      priceAuthentication: "0.05",
      packageBalance: 1500,
      autoIncreaseSize: 2000,
      frequencyCapMessages: null,
      frequencyCapDays: null,
    });
    const [saved] = await getDb().select().from(organizations).where(eq(organizations.id, org.id));
    expect(saved).toMatchObject({ name: "Loja Nova", timeZone: "America/Manaus", priceMarketing: "0.3500", packageBalance: 1500 });
    const ledger = await getDb()
      .select()
      .from(packageLedger)
      .where(and(eq(packageLedger.organizationId, org.id)));
    expect(ledger).toMatchObject([{ kind: "manual_credit", amount: 500, balanceAfter: 1500, userId: admin.id }]);
  });

  describe("frequency cap (Limite de frequência)", () => {
    const base = {
      name: "Loja Nova",
      timeZone: "America/Sao_Paulo",
      priceMarketing: "0,3125",
      priceUtility: "0,04",
      priceAuthentication: "0,04",
      packageBalance: "1000",
      autoIncreaseSize: "1000",
    };
    // What the organization form submits: the checkbox sends "on" when ticked and nothing when not; the number
    // fields are disabled (so not sent) while it is off.
    const form = (fields: Record<string, string>) => {
      const data = new FormData();
      for (const [k, v] of Object.entries({ ...base, ...fields })) data.set(k, v);
      return organizationSettingsSchema.safeParse(formDataToObject(data));
    };
    const errors = (r: ReturnType<typeof form>) =>
      Object.fromEntries((r.error?.issues ?? []).map((i) => [i.path.join("."), i.message]));

    it("is off unless ticked: no numbers, or numbers sent with the box unticked, store null", () => {
      expect(form({}).data).toMatchObject({ frequencyCapMessages: null, frequencyCapDays: null });
      expect(form({ frequencyCapMessages: "999", frequencyCapDays: "" }).data).toMatchObject({
        frequencyCapMessages: null,
        frequencyCapDays: null,
      });
      expect(form({}).data).not.toHaveProperty("frequencyCapEnabled");
    });

    it("ticked, keeps N messages in D days as integers", () => {
      expect(form({ frequencyCapEnabled: "on", frequencyCapMessages: "2", frequencyCapDays: "7" }).data).toMatchObject({
        frequencyCapMessages: 2,
        frequencyCapDays: 7,
      });
      expect(form({ frequencyCapEnabled: "on", frequencyCapMessages: " 50 ", frequencyCapDays: "90" }).data).toMatchObject({
        frequencyCapMessages: 50,
        frequencyCapDays: 90,
      });
      expect(form({ frequencyCapEnabled: "on", frequencyCapMessages: "1", frequencyCapDays: "1" }).success).toBe(true);
    });

    it("ticked, requires both numbers and keeps them within 1–50 messages and 1–90 days, in Portuguese", () => {
      const missing = form({ frequencyCapEnabled: "on" });
      expect(missing.success).toBe(false);
      expect(errors(missing)).toEqual({
        frequencyCapMessages: expect.stringMatching(/^Informe quantas mensagens de marketing.*\(de 1 a 50\)/),
        frequencyCapDays: expect.stringMatching(/^Informe o período do limite em dias \(de 1 a 90\)/),
      });
      expect(errors(form({ frequencyCapEnabled: "on", frequencyCapMessages: "2", frequencyCapDays: "" }))).toEqual({
        frequencyCapDays: expect.stringMatching(/^Informe o período/),
      });
      for (const [n, d] of [["0", "7"], ["51", "7"], ["2,5", "7"], ["-1", "7"], ["dois", "7"]])
        expect(errors(form({ frequencyCapEnabled: "on", frequencyCapMessages: n, frequencyCapDays: d })), n).toEqual({
          frequencyCapMessages: "Use um número inteiro de 1 a 50 mensagens.",
        });
      for (const d of ["0", "91", "7.5"])
        expect(errors(form({ frequencyCapEnabled: "on", frequencyCapMessages: "2", frequencyCapDays: d })), d).toEqual({
          frequencyCapDays: "Use um período inteiro de 1 a 90 dias.",
        });
      // Reported together with the other fields' errors, not after them.
      expect(Object.keys(errors(form({ name: "", frequencyCapEnabled: "on" }))).sort()).toEqual([
        "frequencyCapDays",
        "frequencyCapMessages",
        "name",
      ]);
    });

    it("is saved on the organization with an audit entry, and turned off again", async () => {
      const org = await createOrganization();
      const admin = await fixtureUser(org.id, "admin");
      const actor = { organizationId: org.id, userId: admin.id };
      const on = form({ frequencyCapEnabled: "on", frequencyCapMessages: "2", frequencyCapDays: "7" });
      await updateOrganization(getDb(), actor, on.data!);
      const [saved] = await getDb().select().from(organizations).where(eq(organizations.id, org.id));
      expect(saved).toMatchObject({ frequencyCapMessages: 2, frequencyCapDays: 7 });

      await updateOrganization(getDb(), actor, form({}).data!);
      const [off] = await getDb().select().from(organizations).where(eq(organizations.id, org.id));
      expect(off).toMatchObject({ frequencyCapMessages: null, frequencyCapDays: null });

      const audits = await getDb()
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.organizationId, org.id), eq(auditLog.action, "organization.update")))
        .orderBy(auditLog.id);
      expect(audits.map((a) => a.data)).toMatchObject([
        { frequencyCapMessages: 2, frequencyCapDays: 7 },
        { frequencyCapMessages: null, frequencyCapDays: null },
      ]);
      expect(audits.every((a) => a.userId === admin.id && a.entityId === org.id)).toBe(true);
    });
  });
});
