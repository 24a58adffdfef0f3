// Portuguese labels for enum values, in one place.
export const optInLabels = {
  none: "Sem opt-in",
  pending: "Aguardando",
  opted_in: "Opt-in",
  opted_out: "Descadastrado",
} as const;

export const campaignStatusLabels = {
  draft: "Rascunho",
  awaiting_confirmation: "Aguardando confirmação",
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

export const skipReasonLabels = {
  opted_out: "Descadastrado",
  no_opt_in: "Sem opt-in",
  invalid_phone: "Telefone inválido",
  duplicate_phone: "Telefone repetido",
  missing_variable: "Variável sem valor",
  frequency_cap: "Limite de frequência",
  out_of_scope: "Fora de “Quem recebe” (chip)",
  erased: "Contato apagado (LGPD)",
} as const;

export const chipScopeLabels = {
  this_chip: "Somente contatos cadastrados neste chip",
  other_chips: "Somente contatos que falaram por outro chip",
  both: "Ambos: todos os contatos da lista",
} as const;

export const formatBrl = (value: number, maxDecimals = 2) =>
  new Intl.NumberFormat("pt-BR", { style: "currency", currency: "BRL", minimumFractionDigits: 2, maximumFractionDigits: maxDecimals }).format(value);

export const formatCount = (value: number) => new Intl.NumberFormat("pt-BR").format(value);

/** "2 h 05 min", "3 min 20 s", "45 s". */
export const formatDuration = (seconds: number) => {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h) return `${h} h ${String(m).padStart(2, "0")} min`;
  if (m) return `${m} min ${String(s % 60).padStart(2, "0")} s`;
  return `${s} s`;
};
