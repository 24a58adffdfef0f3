import { getDb } from "@/db/client";
import { organizations, users, type Role } from "@/db/schema";
import { hashPassword } from "@/lib/auth/password";

let n = 0;

export const createOrganization = async (name = `Org ${++n}`) => {
  const [org] = await getDb().insert(organizations).values({ name, packageBalance: 1000 }).returning();
  return org!;
};

export const createUser = async (organizationId: string, role: Role, opts: { password?: string; active?: boolean } = {}) => {
  const [user] = await getDb()
    .insert(users)
    .values({
      organizationId,
      role,
      name: `${role} ${++n}`,
      email: `${role}${n}.${Date.now()}@exemplo.com.br`,
      passwordHash: await hashPassword(opts.password ?? "senha-boa-123"),
      active: opts.active ?? true,
    })
    .returning();
  return user!;
};
