import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { organizations, users } from "@/db/schema";
import { audit } from "@/lib/audit";
import { hashPassword } from "@/lib/auth/password";

// The first organization and its admin on a fresh production database (`npm run org:create`): the demo seed is
// refused in production, and every other way in needs an admin who already exists.

export const bootstrapSchema = z.object({
  name: z.string().trim().min(2, "--name: o nome da organização (pelo menos 2 letras)").max(120, "--name: no máximo 120 caracteres"),
  adminEmail: z
    .string()
    .trim()
    .toLowerCase()
    .max(254, "--admin-email: longo demais")
    .pipe(z.email("--admin-email: um e-mail válido, como nome@empresa.com.br")),
  adminName: z.string().trim().min(2, "--admin-name: pelo menos 2 letras").max(120).default("Administrador"),
  timeZone: z
    .string()
    .default("America/Sao_Paulo")
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, "--time-zone: um fuso IANA, como America/Sao_Paulo"),
});

/** A one-time password: 18 random bytes in base64url (24 characters), printed once and never stored in clear. */
const oneTimePassword = () => randomBytes(18).toString("base64url");

/** Creates the organization and its admin in one transaction; the admin's e-mail must be new. */
export const createOrganizationWithAdmin = async (db: Db, input: z.input<typeof bootstrapSchema>) => {
  const data = bootstrapSchema.parse(input);
  const password = oneTimePassword();
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const [taken] = await tx.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${data.adminEmail}`).limit(1);
    if (taken) throw new Error(`--admin-email: já existe um usuário com ${data.adminEmail}; use outro e-mail`);
    const [org] = await tx.insert(organizations).values({ name: data.name, timeZone: data.timeZone }).returning();
    const [admin] = await tx
      .insert(users)
      .values({ organizationId: org!.id, name: data.adminName, email: data.adminEmail, role: "admin", passwordHash, active: true })
      .returning();
    await audit(tx, { organizationId: org!.id, userId: admin!.id, action: "organization.create", entityType: "organization", data: { via: "org:create" } });
    return { organizationId: org!.id, adminId: admin!.id, email: data.adminEmail, password };
  });
};
