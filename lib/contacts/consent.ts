import type { Role } from "@/db/schema";
import { ActionError } from "@/lib/action-error";
import { hasRole, roleLabels } from "@/lib/auth/roles";
import { optInLabels } from "@/lib/i18n/labels";
import { OPT_IN_REASON_MAX } from "./schemas";

export type OptInStatus = keyof typeof optInLabels;

// LGPD: an opt-out is the person's decision. Only a gestor (or admin) may record that they came back, with a reason.
export const LEAVE_OPT_OUT_ROLE: Role = "gestor";

export const canLeaveOptOut = (role: Role) => hasRole(role, LEAVE_OPT_OUT_ROLE);

/**
 * The opt-in status a save of the contact form writes, or null to leave the row's status as it is now.
 * - `loaded` is the status the form showed, `chosen` the one posted, `current` the row's (read under lock).
 * - Untouched (chosen = loaded) or already so (chosen = current): nothing is written, whatever the row says now — a
 *   "SAIR" that arrived while the form was open is never undone by saving a name fix.
 * - Someone else changed the status after the form was loaded: the change is refused (an opt-out meanwhile wins).
 * - Leaving opted_out needs a gestor or admin and a reason.
 */
export const optInChange = (o: {
  current: OptInStatus;
  loaded: OptInStatus;
  chosen: OptInStatus;
  role: Role;
  reason: string | null;
}): OptInStatus | null => {
  if (o.chosen === o.loaded || o.chosen === o.current) return null;
  if (o.current !== o.loaded)
    throw new ActionError(
      "conflict",
      o.current === "opted_out"
        ? `Este contato pediu para sair (opt-out) depois que você abriu esta página, e o descadastro vale. Nada foi salvo. Para salvar as outras alterações, escolha “${optInLabels.opted_out}” no opt-in ou recarregue a página.`
        : `A situação de opt-in deste contato mudou para “${optInLabels[o.current]}” depois que você abriu esta página. Nada foi salvo: recarregue a página para ver a situação atual e refaça a alteração.`,
    );
  if (o.current === "opted_out") {
    if (!canLeaveOptOut(o.role))
      throw new ActionError(
        "forbidden",
        `Seu perfil (${roleLabels[o.role]}) não pode tirar um contato do descadastro: só um gestor ou administrador, informando o motivo. Nada foi salvo.`,
      );
    if (!o.reason) throw reasonMissing();
  }
  return o.chosen;
};

const reasonMissing = () =>
  new ActionError("invalid", "Informe o motivo para tirar o contato do descadastro.", {
    optInReason: [`Informe o motivo (até ${OPT_IN_REASON_MAX} caracteres), por exemplo como o contato pediu para voltar.`],
  });
