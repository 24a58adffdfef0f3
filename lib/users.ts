import { and, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { users, type Role } from "@/db/schema";
import { ActionError } from "./auth/action";
import { hashPassword } from "./auth/password";
import { audit } from "./audit";
import { endUserSessions } from "./auth/sessions";

export const passwordSchema = z
  .string({ error: "Informe a senha." })
  .min(8, "A senha precisa ter pelo menos 8 caracteres.")
  .max(200, "A senha pode ter no máximo 200 caracteres.");

export const newUserSchema = z.object({
  name: z.string().trim().min(2, "Informe o nome (pelo menos 2 letras).").max(120, "Nome longo demais (máximo 120)."),
  email: z
    .string()
    .trim()
    .toLowerCase()
    .max(254, "E-mail longo demais.")
    .pipe(z.email("Informe um e-mail válido, como nome@empresa.com.br.")),
  role: z.enum(["admin", "gestor", "operador"], { error: "Escolha o perfil: administrador, gestor ou operador." }),
  password: passwordSchema,
});

type Actor = { organizationId: string; userId: string; sessionId?: string };

const emailTaken = async (db: Db, email: string) =>
  (await db.select({ id: users.id }).from(users).where(sql`lower(${users.email}) = ${email.toLowerCase()}`).limit(1))
    .length > 0;

export const createUser = async (db: Db, actor: Actor, input: z.output<typeof newUserSchema>) => {
  if (await emailTaken(db, input.email))
    throw new ActionError("conflict", "Já existe um usuário com este e-mail.", { email: ["Este e-mail já está em uso."] });
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({ organizationId: actor.organizationId, name: input.name, email: input.email, role: input.role, passwordHash })
      .returning({ id: users.id });
    await audit(tx, { ...actor, action: "user.create", entityType: "user", entityId: user!.id, data: { email: input.email, role: input.role } });
    return user!;
  });
};

const findUser = async (db: Db, organizationId: string, userId: string) => {
  const [user] = await db
    .select({ id: users.id, role: users.role, active: users.active })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.organizationId, organizationId)))
    .limit(1);
  if (!user) throw new ActionError("not_found", "Usuário não encontrado nesta organização.");
  return user;
};

// The organization must always keep one active admin, or nobody could manage it again.
const assertAnotherAdmin = async (db: Db, organizationId: string, userId: string) => {
  const [{ n }] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(users)
    .where(and(eq(users.organizationId, organizationId), eq(users.role, "admin"), eq(users.active, true), ne(users.id, userId)));
  if (!n) throw new ActionError("conflict", "A organização precisa de pelo menos um administrador ativo.");
};

export const updateUser = async (db: Db, actor: Actor, userId: string, input: { role: Role; active: boolean }) => {
  const user = await findUser(db, actor.organizationId, userId);
  if ((user.role === "admin" && input.role !== "admin") || (user.role === "admin" && !input.active))
    await assertAnotherAdmin(db, actor.organizationId, userId);
  await db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ role: input.role, active: input.active, updatedAt: new Date() })
      .where(and(eq(users.id, userId), eq(users.organizationId, actor.organizationId)));
    if (!input.active) await endUserSessions(tx, actor.organizationId, userId, "deactivated");
    await audit(tx, { ...actor, action: "user.update", entityType: "user", entityId: userId, data: input });
  });
};

export const resetPassword = async (db: Db, actor: Actor, userId: string, password: string) => {
  await findUser(db, actor.organizationId, userId);
  const passwordHash = await hashPassword(password);
  await db.transaction(async (tx) => {
    await tx
      .update(users)
      .set({ passwordHash, updatedAt: new Date() })
      .where(and(eq(users.id, userId), eq(users.organizationId, actor.organizationId)));
    // Whoever knew the old password is signed out everywhere (an admin resetting their own keeps this sign-in).
    await endUserSessions(tx, actor.organizationId, userId, "password_reset", userId === actor.userId ? actor.sessionId : undefined);
    await audit(tx, { ...actor, action: "user.reset_password", entityType: "user", entityId: userId });
  });
};
