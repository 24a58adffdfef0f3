import type { Role } from "@/db/schema";

const rank: Record<Role, number> = { operador: 1, gestor: 2, admin: 3 };

export const hasRole = (actual: Role, required: Role) => rank[actual] >= rank[required];

export const roleLabels: Record<Role, string> = {
  admin: "Administrador",
  gestor: "Gestor",
  operador: "Operador",
};

export const roleDescriptions: Record<Role, string> = {
  admin: "Tudo, inclusive usuários, chips e configurações da organização.",
  gestor: "Confirma, pausa, cancela e reagenda campanhas, exporta relatórios, gerencia listas.",
  operador: "Contatos, listas, rascunhos de campanha e leitura de relatórios.",
};
