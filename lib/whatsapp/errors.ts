// Classification of WhatsApp Cloud API failures: one table from Meta's error code to what it means for a send.
//
// kind      what the dispatcher does with the recipient
// transient retry soon, with exponential backoff (nothing was sent)
// later     retry after a long wait (retryAfterMs), the limit is per recipient or per account and resets slowly
// permanent record the failure, never retry this message
// opt_out   the contact stopped marketing messages on WhatsApp: record, never retry, opt the contact out
// account   the chip/account cannot send (token, policy block, payment): pause the campaign and tell the user why;
//           the message was NOT sent, so the recipient may be sent again once the campaign is resumed
// ambiguous the request was written and no answer came: it may have been accepted. Never retried automatically
//           (the API has no idempotency key, "never twice" outranks "always"); a status webhook carrying the
//           recipient's biz_opaque_callback_data resolves it.
//
// scope tells whether the same failure will hit every other message too: "recipient" (only this one),
// "campaign" (same template/parameters → every message of the campaign), "chip" (every message from this number).

export type ErrorKind = "transient" | "later" | "permanent" | "opt_out" | "account" | "ambiguous";
export type RetryPolicy = "backoff" | "later" | "never";
export type ErrorScope = "recipient" | "campaign" | "chip";

export type ErrorEntry = {
  kind: ErrorKind;
  retry: RetryPolicy;
  scope: ErrorScope;
  /** What happened, in Portuguese, for the report and the campaign screen. */
  explanation: string;
  /** What the user should do, in Portuguese. */
  nextStep: string;
  /** For retry "later": how long to wait before trying this recipient again. */
  retryAfterMs?: number;
};

export type ErrorClassification = ErrorEntry & { code?: number };

const AUTO_RETRY = "Nada a fazer: o Disparo tenta de novo automaticamente em alguns instantes.";
const FIX_TEMPLATE =
  "Confira o template em Configurações › Templates (sincronize com a Meta) e as variáveis da campanha; depois crie a campanha de novo para quem falhou.";

const transient = (explanation: string, nextStep = AUTO_RETRY): ErrorEntry => ({
  kind: "transient",
  retry: "backoff",
  scope: "recipient",
  explanation,
  nextStep,
});
const later = (explanation: string, nextStep: string, retryAfterMs: number, scope: ErrorScope = "recipient"): ErrorEntry => ({
  kind: "later",
  retry: "later",
  scope,
  explanation,
  nextStep,
  retryAfterMs,
});
const permanent = (explanation: string, nextStep: string, scope: ErrorScope = "recipient"): ErrorEntry => ({
  kind: "permanent",
  retry: "never",
  scope,
  explanation,
  nextStep,
});
const account = (explanation: string, nextStep: string): ErrorEntry => ({
  kind: "account",
  retry: "never",
  scope: "chip",
  explanation,
  nextStep,
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Cloud API (Graph API) error code → classification. Codes as documented in Meta's "Error codes" reference. */
export const ERROR_TABLE: Readonly<Record<number, ErrorEntry>> = {
  // ---- transient: nothing was accepted, try again soon ----
  1: transient("A API da Meta teve um erro desconhecido ao processar o envio."),
  2: transient("O serviço da Meta estava temporariamente indisponível."),
  80007: transient("A conta do WhatsApp Business atingiu o limite de chamadas à API por um instante."),
  130429: transient(
    "O número atingiu o limite de mensagens por segundo (throughput) da API.",
    "Nada a fazer: o envio é retomado automaticamente num ritmo menor. Se acontecer sempre, reduza o limite de mensagens por segundo do chip.",
  ),
  131000: transient("A Meta respondeu \"algo deu errado\" (erro interno do lado dela)."),
  131016: transient("Um serviço da Meta estava temporariamente indisponível."),
  133004: transient("O servidor da Meta estava temporariamente indisponível."),

  // ---- later: a slow limit, retry after a long wait ----
  4: later(
    "O aplicativo atingiu o limite de chamadas à API da Meta.",
    "Aguarde alguns minutos: o Disparo tenta de novo mais tarde.",
    5 * MINUTE,
    "chip",
  ),
  131056: later(
    "Foram enviadas mensagens demais do mesmo número para este contato em pouco tempo (limite por par de números).",
    "Aguarde: o Disparo tenta de novo para este contato daqui a alguns minutos.",
    MINUTE,
  ),
  131049: later(
    "A Meta não entregou esta mensagem de marketing para preservar o engajamento do contato (limite de mensagens de marketing por usuário).",
    "Não reenvie agora. Tente este contato numa próxima campanha, daqui a pelo menos um dia.",
    24 * HOUR,
  ),
  131057: later(
    "A conta do WhatsApp Business está em modo de manutenção (por exemplo, durante um aumento de throughput).",
    "Aguarde alguns minutos: o Disparo tenta de novo mais tarde.",
    5 * MINUTE,
    "chip",
  ),

  // ---- permanent: this message will never go through as it is ----
  100: permanent(
    "A API recusou um parâmetro inválido na requisição.",
    "Confira o número de destino e os dados do template; se o erro persistir, contate o suporte do Disparo.",
  ),
  131008: permanent("Faltou um parâmetro obrigatório na mensagem.", FIX_TEMPLATE, "campaign"),
  131009: permanent(
    "Um dos valores enviados é inválido (por exemplo, o número de destino ou uma variável).",
    "Confira o telefone do contato e os valores das variáveis.",
  ),
  131021: permanent("O destinatário é o próprio número remetente.", "Remova o número do chip da lista de contatos."),
  131026: permanent(
    "Mensagem não entregue: o número pode não ter WhatsApp, usar uma versão antiga do aplicativo ou não ter aceitado os termos atuais.",
    "Confirme o telefone com o contato. Não adianta reenviar para o mesmo número.",
  ),
  131030: permanent(
    "O número não está na lista de destinatários permitidos (número de teste da Meta).",
    "Adicione o número à lista de teste no painel da Meta ou use um número de produção.",
  ),
  131047: permanent(
    "Mais de 24 horas se passaram desde a última mensagem do contato: fora da janela de atendimento só é possível enviar templates.",
    "Envie um template aprovado em vez de uma mensagem livre.",
  ),
  131051: permanent("Tipo de mensagem não suportado.", "Use um template ou uma mensagem de texto."),
  131052: permanent(
    "A mídia da mensagem não pôde ser baixada pelo WhatsApp.",
    "Confira se o link da imagem, vídeo ou documento é público e acessível (HTTPS) e crie a campanha de novo.",
    "campaign",
  ),
  131053: permanent(
    "A mídia não pôde ser enviada (formato ou tamanho não suportado).",
    "Use uma mídia em formato suportado (JPG/PNG até 5 MB, MP4 até 16 MB, PDF até 100 MB).",
    "campaign",
  ),
  130472: permanent(
    "O número do contato participa de um experimento da Meta e não recebeu a mensagem de marketing.",
    "Nada a fazer para este contato nesta campanha.",
  ),
  130497: permanent(
    "A conta não pode enviar mensagens para contatos deste país.",
    "Confira as restrições de país da sua conta no Gerenciador do WhatsApp.",
  ),
  132000: permanent(
    "A quantidade de variáveis enviadas não corresponde à do template aprovado.",
    FIX_TEMPLATE,
    "campaign",
  ),
  132001: permanent(
    "O template não existe (ou não está aprovado) neste idioma para esta conta.",
    "Sincronize os templates em Configurações › Templates e escolha um template aprovado.",
    "campaign",
  ),
  132005: permanent(
    "O texto do template com as variáveis preenchidas ficou longo demais.",
    "Use valores mais curtos nas variáveis.",
  ),
  132007: permanent(
    "O conteúdo da mensagem viola a política do WhatsApp.",
    "Revise o template e as variáveis segundo a política comercial do WhatsApp.",
    "campaign",
  ),
  132012: permanent(
    "O formato de um parâmetro não corresponde ao do template (por exemplo, imagem no lugar de texto no cabeçalho).",
    FIX_TEMPLATE,
    "campaign",
  ),
  132015: permanent(
    "O template está pausado pela Meta por baixa qualidade.",
    "Edite o template ou escolha outro; veja a qualidade dele no Gerenciador do WhatsApp.",
    "campaign",
  ),
  132016: permanent(
    "O template foi desativado pela Meta por baixa qualidade.",
    "Crie um novo template e aguarde a aprovação.",
    "campaign",
  ),
  132018: permanent(
    "Uma variável tem quebra de linha, tabulação ou mais de quatro espaços seguidos, o que o WhatsApp não aceita.",
    "Corrija o valor da variável (por exemplo, o nome do contato) e reenvie.",
  ),
  135000: permanent(
    "A Meta recusou a mensagem por um erro nos dados enviados.",
    "Confira o template e as variáveis; se o erro persistir, contate o suporte do Disparo.",
  ),

  // ---- opt-out ----
  131050: {
    kind: "opt_out",
    retry: "never",
    scope: "recipient",
    explanation: "O contato desativou o recebimento de mensagens de marketing de empresas no WhatsApp.",
    nextStep: "O contato foi marcado como descadastrado. Não envie mais mensagens de marketing para ele.",
  },

  // ---- account: the chip cannot send, pause the campaign ----
  3: account(
    "O aplicativo não tem a permissão necessária para esta operação da API.",
    "Confira as permissões do token do chip (whatsapp_business_messaging) no painel da Meta.",
  ),
  10: account(
    "Permissão negada: o token do chip não tem acesso a este número.",
    "Gere um novo token com as permissões whatsapp_business_messaging e whatsapp_business_management e atualize o chip.",
  ),
  190: account(
    "O token de acesso do chip expirou ou é inválido.",
    "Gere um novo token (de preferência de usuário do sistema, sem validade) e atualize-o em Configurações › Chips. Depois retome a campanha.",
  ),
  200: account(
    "Permissão negada pela API da Meta.",
    "Confira as permissões do token do chip no painel da Meta e atualize o chip.",
  ),
  368: account(
    "A conta foi temporariamente bloqueada pela Meta por violação de política.",
    "Veja o motivo no Gerenciador do WhatsApp e aguarde o fim do bloqueio (ou peça revisão) antes de retomar a campanha.",
  ),
  131005: account(
    "Acesso negado à API do WhatsApp para esta conta.",
    "Confira as permissões do token e o status da conta no Gerenciador do WhatsApp.",
  ),
  131031: account(
    "A conta do WhatsApp Business está bloqueada.",
    "Veja o motivo no Gerenciador do WhatsApp e resolva com a Meta antes de retomar a campanha.",
  ),
  131037: account(
    "O nome de exibição do número ainda não foi aprovado pela Meta.",
    "Aguarde a aprovação do nome de exibição no Gerenciador do WhatsApp.",
  ),
  131042: account(
    "Há um problema de pagamento na conta do WhatsApp Business (forma de pagamento ou limite de crédito).",
    "Regularize a forma de pagamento no Gerenciador de Negócios da Meta e retome a campanha.",
  ),
  131045: account(
    "O número do chip não está registrado corretamente (certificado inválido).",
    "Registre o número de novo no Gerenciador do WhatsApp.",
  ),
  131048: account(
    "O número atingiu o limite de spam: muitas mensagens foram bloqueadas ou denunciadas pelos contatos.",
    "Pause os envios, revise o público (apenas quem deu opt-in) e o conteúdo; veja a qualidade do número no Gerenciador do WhatsApp.",
  ),
  // Meta documents 133010 as the *business* number not being registered on the Cloud API, so every send from
  // the chip fails the same way: an account problem, not a recipient one.
  133010: account(
    "O número do chip não está registrado na plataforma do WhatsApp Business.",
    "Registre o número no Gerenciador do WhatsApp (ou confira o phone_number_id do chip).",
  ),
  // Too many register/deregister attempts: the number stays unusable until Meta's cool-down ends.
  133016: account(
    "Houve tentativas demais de registrar ou desregistrar o número do chip em pouco tempo.",
    "Aguarde o fim do bloqueio temporário da Meta (pode levar até 72 horas) e registre o número de novo.",
  ),
};

// code 100 with subcode 33: "Object with ID '…' does not exist, cannot be loaded due to missing permissions".
const UNKNOWN_OBJECT = account(
  "O ID do número (phone_number_id) ou da conta (WABA) não existe, ou o token não tem acesso a ele.",
  "Confira o phone_number_id, o ID da conta e o token do chip em Configurações › Chips.",
);

const UNKNOWN_SERVER = transient("A API da Meta respondeu com um erro do servidor.");
const UNKNOWN_CLIENT = permanent(
  "A API da Meta recusou a mensagem com um erro não catalogado.",
  "Veja o código do erro no relatório; se o erro persistir, contate o suporte do Disparo.",
);
const UNKNOWN_AUTH = account(
  "A API da Meta recusou as credenciais do chip.",
  "Confira o token e as permissões do chip em Configurações › Chips.",
);

export const NETWORK_TRANSIENT: ErrorEntry = transient(
  "Não foi possível conectar à API da Meta (rede ou DNS); a mensagem não chegou a ser enviada.",
);
export const NETWORK_AMBIGUOUS: ErrorEntry = {
  kind: "ambiguous",
  retry: "never",
  scope: "recipient",
  explanation:
    "A requisição foi enviada à Meta, mas a resposta não chegou (tempo esgotado ou conexão interrompida): não dá para saber se a mensagem foi aceita.",
  nextStep:
    "Aguarde: se a Meta confirmar a mensagem, o status é atualizado sozinho. Se continuar indeterminado, um gestor pode reenviar pelo relatório (o contato pode receber duas vezes).",
};
/** The request could not even be built (bad URL, a token with invalid characters): configuration, nothing sent. */
export const REQUEST_INVALID: ErrorEntry = account(
  "A requisição para a API da Meta não pôde ser montada (endereço da API ou token do chip com formato inválido).",
  "Confira o token do chip em Configurações › Chips e a URL da API no ambiente.",
);

/** The classification for an error answer of the Cloud API. Never throws. */
export const classifyApiError = (
  code: number | undefined,
  httpStatus?: number,
  subcode?: number,
): ErrorClassification => {
  if (code === 100 && subcode === 33) return { ...UNKNOWN_OBJECT, code };
  const entry = code === undefined ? undefined : ERROR_TABLE[code];
  if (entry) return { ...entry, code };
  let fallback: ErrorEntry;
  if (httpStatus === undefined) fallback = UNKNOWN_CLIENT;
  else if (httpStatus >= 500 || httpStatus === 429 || httpStatus === 408) fallback = UNKNOWN_SERVER;
  else if (httpStatus === 401 || httpStatus === 403) fallback = UNKNOWN_AUTH;
  else fallback = UNKNOWN_CLIENT;
  return code === undefined ? { ...fallback } : { ...fallback, code };
};

// Error codes Node/undici put on `err.cause.code` (or `err.code`) that can only happen before any byte of the
// request reached the server: resolution, refused or unreachable connection, TLS handshake.
const BEFORE_SEND_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_FAIL",
  "EAI_NONAME",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ENETDOWN",
  "EADDRNOTAVAIL",
  "UND_ERR_CONNECT_TIMEOUT",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** The system/undici error code of a fetch failure (`err.cause.code`, or `err.code`), if any. */
export const networkErrorCode = (err: unknown): string | undefined => {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current && typeof current === "object" && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && code) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
};

/** True when the failure certainly happened before the request was written (safe to send again). */
export const failedBeforeSending = (err: unknown): boolean => {
  const code = networkErrorCode(err);
  return code !== undefined && BEFORE_SEND_CODES.has(code);
};

export const isTimeoutError = (err: unknown): boolean =>
  !!err &&
  typeof err === "object" &&
  ((err as { name?: unknown }).name === "TimeoutError" ||
    ["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "ETIMEDOUT"].includes(networkErrorCode(err) ?? ""));

/**
 * A failure with no answer from the API. `requestWritten` says whether the request may have reached the server:
 * then the message may have been accepted → ambiguous (never retried automatically); otherwise → transient.
 */
export const classifyNetworkError = (
  err: unknown,
  { requestWritten }: { requestWritten: boolean },
): ErrorClassification & { networkCode?: string } => {
  const networkCode = networkErrorCode(err) ?? (isTimeoutError(err) ? "TIMEOUT" : undefined);
  const entry = requestWritten ? NETWORK_AMBIGUOUS : NETWORK_TRANSIENT;
  return networkCode ? { ...entry, networkCode } : { ...entry };
};
