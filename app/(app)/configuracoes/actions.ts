"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authorizedAction, ok, ActionError } from "@/lib/auth/action";
import { formatCount } from "@/lib/i18n/labels";
import { adjustPackage, formatSigned, packageAdjustmentSchema } from "@/lib/ledger";
import { organizationSettingsSchema, updateOrganization } from "@/lib/organizations";
import { createUser, newUserSchema, passwordSchema, resetPassword, updateUser } from "@/lib/users";

const userId = z.uuid("Usuário inválido.");

// Saves one card of the organization settings (name and time zone, prices, automatic increase, frequency cap):
// only the fields the user changed. Never the package balance: see adjustPackageBalance.
export const saveOrganization = authorizedAction(
  { name: "saveOrganization", role: "admin", schema: organizationSettingsSchema },
  async (input, { db, user }) => {
    const saved = await updateOrganization(db, { organizationId: user.organizationId, userId: user.id }, input.changes);
    if (!saved.length) return ok(undefined, "Nada a salvar: nenhum campo foi alterado.");
    revalidatePath("/", "layout");
    return ok(undefined, "Configurações da organização salvas.");
  },
);

// Adds or removes messages from the conversation package by hand, with a reason: a ledger movement.
export const adjustPackageBalance = authorizedAction(
  { name: "adjustPackageBalance", role: "admin", schema: packageAdjustmentSchema },
  async (input, { db, user }) => {
    const { balance } = await adjustPackage(db, { organizationId: user.organizationId, userId: user.id }, input);
    revalidatePath("/", "layout");
    return ok(undefined, `Ajuste de ${formatSigned(input.amount)} registrado no extrato. Saldo: ${formatCount(balance)} mensagens.`);
  },
);

// Creates a user in the admin's organization with a role and an initial password.
export const inviteUser = authorizedAction(
  { name: "inviteUser", role: "admin", schema: newUserSchema },
  async (input, { db, user }) => {
    await createUser(db, { organizationId: user.organizationId, userId: user.id }, input);
    revalidatePath("/configuracoes/usuarios");
    return ok(undefined, `Usuário ${input.name} criado. Envie a senha inicial a ele por um canal seguro.`);
  },
);

// Changes a user's role or deactivates / reactivates it.
export const changeUser = authorizedAction(
  {
    name: "changeUser",
    role: "admin",
    schema: z.object({
      userId,
      role: z.enum(["admin", "gestor", "operador"], { error: "Escolha um perfil válido." }),
      active: z.enum(["true", "false"], { error: "Situação inválida." }).transform((v) => v === "true"),
    }),
  },
  async (input, { db, user }) => {
    if (input.userId === user.id && (!input.active || input.role !== "admin"))
      throw new ActionError("conflict", "Você não pode rebaixar nem desativar a si mesmo. Peça a outro administrador.");
    await updateUser(db, { organizationId: user.organizationId, userId: user.id }, input.userId, input);
    revalidatePath("/configuracoes/usuarios");
    return ok(undefined, input.active ? "Usuário atualizado." : "Usuário desativado: ele não consegue mais entrar.");
  },
);

// Sets a new password for a user of the organization.
export const resetUserPassword = authorizedAction(
  { name: "resetUserPassword", role: "admin", schema: z.object({ userId, password: passwordSchema }) },
  async (input, { db, user }) => {
    await resetPassword(db, { organizationId: user.organizationId, userId: user.id, sessionId: user.sessionId }, input.userId, input.password);
    return ok(undefined, "Senha redefinida. As sessões abertas com a senha antiga foram encerradas.");
  },
);
