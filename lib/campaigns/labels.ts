import type { ConfirmSkipReason } from "./audience";

// What each skip reason means for the person confirming, in one place.
export const skipExplanations: Record<ConfirmSkipReason, string> = {
  opted_out: "Pediram para não receber mais mensagens (LGPD): nunca recebem.",
  no_opt_in: "Ainda não aceitaram receber mensagens. Envie antes um template de pedido de opt-in.",
  invalid_phone: "O telefone cadastrado não é um número de WhatsApp válido. Corrija em Contatos.",
  duplicate_phone: "O mesmo WhatsApp aparece em outro contato da lista (com e sem o nono dígito): recebe uma vez só.",
  missing_variable: "Falta o dado que preenche uma variável e não há texto para quem não tem o campo.",
  frequency_cap: "Já receberam o máximo de mensagens de marketing do período (Configurações › Organização).",
};
