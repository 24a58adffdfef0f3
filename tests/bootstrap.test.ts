import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { organizations, users } from "@/db/schema";
import { verifyLogin } from "@/lib/auth/login";
import { createOrganizationWithAdmin } from "@/lib/bootstrap";

// `npm run org:create`: the first organization and its admin on a fresh production database.

describe("org:create", () => {
  it("creates the organization and an admin who signs in with the one-time password printed", async () => {
    const email = `dona.${Date.now()}@loja.com.br`;
    const created = await createOrganizationWithAdmin(getDb(), { name: "Loja Nova", adminEmail: ` ${email.toUpperCase()} `, adminName: "Dona da Loja" });
    expect(created.password).toMatch(/^[\w-]{24}$/);
    const [org] = await getDb().select().from(organizations).where(eq(organizations.id, created.organizationId));
    expect(org).toMatchObject({ name: "Loja Nova", timeZone: "America/Sao_Paulo" });
    const [admin] = await getDb().select().from(users).where(eq(users.id, created.adminId));
    expect(admin).toMatchObject({ email, role: "admin", active: true, organizationId: org!.id });
    expect(admin!.passwordHash).not.toContain(created.password);
    const login = await verifyLogin(getDb(), { email, password: created.password, ip: "203.0.113.7" });
    expect(login.ok).toBe(true);
  });

  it("refuses a taken e-mail, a bad e-mail or time zone, and writes nothing", async () => {
    const email = `taken.${Date.now()}@loja.com.br`;
    await createOrganizationWithAdmin(getDb(), { name: "Primeira", adminEmail: email });
    const before = (await getDb().select().from(organizations)).length;
    await expect(createOrganizationWithAdmin(getDb(), { name: "Segunda", adminEmail: email })).rejects.toThrow(/já existe um usuário/);
    await expect(createOrganizationWithAdmin(getDb(), { name: "Terceira", adminEmail: "não-é-email" })).rejects.toThrow(/e-mail válido/);
    await expect(createOrganizationWithAdmin(getDb(), { name: "Quarta", adminEmail: `x.${email}`, timeZone: "Marte/Olimpo" })).rejects.toThrow(/fuso IANA/);
    await expect(createOrganizationWithAdmin(getDb(), { name: "", adminEmail: `y.${email}` })).rejects.toThrow(/--name/);
    expect((await getDb().select().from(organizations)).length).toBe(before);
  });
});
