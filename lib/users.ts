import { and, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx } from "@/db/client";
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

const emailInUse = () =>
  new ActionError("conflict", "Já existe um usuário com este e-mail.", { email: ["Este e-mail já está em uso."] });

const violates = (err: unknown, constraint: string) => {
  const e = (err as { cause?: unknown })?.cause ?? err;
  return (e as { code?: unknown })?.code === "23505" && (e as { constraint_name?: unknown }).constraint_name === constraint;
};

export const createUser = async (db: Db, actor: Actor, input: z.output<typeof newUserSchema>) => {
  if (await emailTaken(db, input.email)) throw emailInUse();
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.transaction(async (tx) => {
      const [user] = await tx
        .insert(users)
        .values({ organizationId: actor.organizationId, name: input.name, email: input.email, role: input.role, passwordHash })
        .returning({ id: users.id });
      await audit(tx, { ...actor, action: "user.create", entityType: "user", entityId: user!.id, data: { email: input.email, role: input.role } });
      return user!;
    });
  } catch (err) {
    // The same e-mail saved twice at once (a double click, two admins) passes the check above in both.
    if (violates(err, "users_email_unique")) throw emailInUse();
    throw err;
  }
};

const findUser = async (db: DbOrTx, organizationId: string, userId: string) => {
  const [user] = await db
    .select({ id: users.id, role: users.role, active: users.active })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.organizationId, organizationId)))
    .limit(1);
  if (!user) throw new ActionError("not_found", "Usuário não encontrado nesta organização.");
  return user;
};

// The organization must always keep one active admin, or nobody could manage it again. The active admins' rows
// stay locked until the change commits: two admins demoting each other at once are taken one after the other,
// and the second finds no other admin left.
const assertNotLastAdmin = async (tx: DbOrTx, organizationId: string, userId: string) => {
  const admins = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.organizationId, organizationId), eq(users.role, "admin"), eq(users.active, true)))
    .orderBy(users.id)
    .for("update");
  if (admins.some((a) => a.id === userId) && !admins.some((a) => a.id !== userId))
    throw new ActionError("conflict", "A organização precisa de pelo menos um administrador ativo.");
};

export const updateUser = async (db: Db, actor: Actor, userId: string, input: { role: Role; active: boolean }) => {
  await db.transaction(async (tx) => {
    await findUser(tx, actor.organizationId, userId);
    if (input.role !== "admin" || !input.active) await assertNotLastAdmin(tx, actor.organizationId, userId);
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
