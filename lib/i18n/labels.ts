// Portuguese labels for enum values, in one place.
export const optInLabels = {
  none: "Sem opt-in",
  pending: "Aguardando",
  opted_in: "Opt-in",
  opted_out: "Descadastrado",
} as const;

export const campaignStatusLabels = {
  draft: "Rascunho",
  scheduled: "Agendada",
  queued: "Na fila",
  sending: "Enviando",
  paused: "Pausada",
  completed: "Concluída",
  cancelled: "Cancelada",
  failed: "Falhou",
} as const;

export const chipStatusLabels = {
  active: "Ativo",
  disabled: "Desativado",
  flagged: "Sinalizado",
  restricted: "Restrito",
} as const;

export const qualityLabels = { green: "Alta", yellow: "Média", red: "Baixa", unknown: "Desconhecida" } as const;

export const templateStatusLabels = {
  approved: "Aprovado",
  pending: "Em análise",
  rejected: "Rejeitado",
  paused: "Pausado",
  disabled: "Desativado",
} as const;

export const templateCategoryLabels = {
  marketing: "Marketing",
  utility: "Utilidade",
  authentication: "Autenticação",
} as const;

export const formatDateTime = (value: Date | string | null | undefined, timeZone: string) =>
  value
    ? new Intl.DateTimeFormat("pt-BR", { dateStyle: "short", timeStyle: "short", timeZone }).format(new Date(value))
    : "—";

export const formatDate = (value: Date | string | null | undefined, timeZone: string) =>
  value ? new Intl.DateTimeFormat("pt-BR", { dateStyle: "short", timeZone }).format(new Date(value)) : "—";

export const formatPhone = (e164: string) => {
  const m = /^\+55(\d{2})(\d{4,5})(\d{4})$/.exec(e164);
  return m ? `+55 (${m[1]}) ${m[2]}-${m[3]}` : e164;
};
