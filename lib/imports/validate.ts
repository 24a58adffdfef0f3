import { normalizePhone } from "@/lib/phones";
import { fold, formatInt, type ColumnMapping, type ErrorKind, type ImportOptInSource, type OptInStatus } from "./fields";
import { zonedTime } from "@/lib/zoned-time";

// Row by row, what a spreadsheet cell means for a contact, and what to tell the person when it means nothing.

export const UFS = {
  AC: "Acre",
  AL: "Alagoas",
  AP: "Amapá",
  AM: "Amazonas",
  BA: "Bahia",
  CE: "Ceará",
  DF: "Distrito Federal",
  ES: "Espírito Santo",
  GO: "Goiás",
  MA: "Maranhão",
  MT: "Mato Grosso",
  MS: "Mato Grosso do Sul",
  MG: "Minas Gerais",
  PA: "Pará",
  PB: "Paraíba",
  PR: "Paraná",
  PE: "Pernambuco",
  PI: "Piauí",
  RJ: "Rio de Janeiro",
  RN: "Rio Grande do Norte",
  RS: "Rio Grande do Sul",
  RO: "Rondônia",
  RR: "Roraima",
  SC: "Santa Catarina",
  SP: "São Paulo",
  SE: "Sergipe",
  TO: "Tocantins",
} as const;

export type Uf = keyof typeof UFS;

const ufByName = new Map<string, Uf>();
for (const [uf, name] of Object.entries(UFS) as [Uf, string][]) {
  ufByName.set(fold(uf), uf);
  ufByName.set(fold(name), uf);
}
ufByName.set("distrito federal brasilia", "DF");
ufByName.set("brasilia", "DF");

/** "SP", "sp", "S.P.", "São Paulo", "SAO PAULO" → "SP"; anything else → null. */
export const normalizeUf = (value: string): Uf | null => ufByName.get(fold(value).replace(/\b([a-z]) (?=[a-z]\b)/g, "$1")) ?? null;

const OPT_IN_WORDS: [OptInStatus, string[]][] = [
  [
    "opted_in",
    ["sim", "s", "yes", "y", "1", "true", "verdadeiro", "x", "ok", "opt in", "optin", "opted in", "aceitou", "aceito", "aceita",
      "autorizou", "autorizado", "autorizada", "autoriza", "consentiu", "confirmado", "confirmada", "ativo", "ativa",
      "inscrito", "inscrita", "com opt in"],
  ],
  [
    "opted_out",
    ["descadastrado", "descadastrada", "descadastrou", "descadastro", "sair", "saiu", "opt out", "optout", "opted out",
      "cancelou", "cancelado", "cancelada", "bloqueado", "bloqueada", "parar", "stop", "revogou", "revogado",
      "nao quer", "nao quer receber", "pediu para sair", "removido", "removida"],
  ],
  ["pending", ["pendente", "aguardando", "aguardando confirmacao", "pending", "em analise", "a confirmar", "pedido enviado"]],
  ["none", ["nao", "n", "no", "0", "false", "falso", "sem opt in", "sem optin", "nenhum", "nao informado", "nao aceitou",
    "recusou", "none", "sem consentimento"]],
];

const optInByWord = new Map<string, OptInStatus>();
for (const [status, words] of OPT_IN_WORDS) for (const w of words) optInByWord.set(w, status);

/** Portuguese (and a few English) answers → the opt-in enum; null when the word is not one we know. */
export const parseOptInStatus = (value: string): OptInStatus | null => optInByWord.get(fold(value)) ?? null;

const SOURCE_WORDS: [ImportOptInSource, RegExp][] = [
  ["optin_template", /^(template|modelo|mensagem)( de)? opt ?in|^template$/],
  ["whatsapp_reply", /^(whatsapp|whats|wpp|zap|resposta|respondeu|chat|conversa)\b/],
  ["form", /^(formulario|form|site|landing|landing page|lp|pagina|cadastro (no|pelo) site|web|internet|ecommerce|e commerce|loja virtual|app|aplicativo)\b/],
  ["manual", /^(manual|loja|loja fisica|balcao|caixa|pdv|presencial|vendedor|vendedora|telefone|ligacao|atendimento|evento|feira)\b/],
  ["import", /^(importacao|importado|importada|planilha|lista|arquivo|import|crm|sistema|base)\b/],
];

export const parseOptInSource = (value: string): ImportOptInSource | null => {
  const f = fold(value);
  for (const [source, pattern] of SOURCE_WORDS) if (pattern.test(f)) return source;
  return null;
};

const pad = (n: number) => String(n).padStart(2, "0");

const BR_DATE = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})(?:[ T,]+(\d{1,2})[:h](\d{2})(?::\d{2})?)?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** dd/mm/aaaa [hh:mm] or aaaa-mm-dd[Thh:mm[±hh:mm]]; a date without a zone is in the organization's zone. */
export const parseDate = (value: string, timeZone: string): Date | null => {
  const v = value.trim();
  let y: number, mo: number, d: number, h = 0, mi = 0;
  let m = BR_DATE.exec(v);
  if (m) {
    d = Number(m[1]);
    mo = Number(m[2]);
    y = Number(m[3]);
    if (m[3]!.length === 2) y += y > 69 ? 1900 : 2000;
    if (m[4]) {
      h = Number(m[4]);
      mi = Number(m[5]);
    }
  } else if ((m = ISO_DATE.exec(v))) {
    y = Number(m[1]);
    mo = Number(m[2]);
    d = Number(m[3]);
    if (m[4]) {
      h = Number(m[4]);
      mi = Number(m[5]);
    }
    if (m[6]) {
      const date = new Date(`${m[1]}-${m[2]}-${m[3]}T${pad(h)}:${pad(mi)}:00${m[6].length === 5 ? `${m[6].slice(0, 3)}:${m[6].slice(3)}` : m[6]}`);
      return Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1990 ? null : date;
    }
  } else return null;
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || y < 1990 || y > 2999) return null;
  // 31/02 is not a date: the day must survive a round trip.
  if (new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) return null;
  return zonedTime(y, mo, d, h, mi, timeZone);
};

/** "VIP, Cliente; Black Friday" → ["VIP", "Cliente", "Black Friday"], repeated names (any case) once. */
export const splitTags = (value: string): string[] => {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of value.split(/[,;|]/)) {
    const name = raw.trim().replace(/\s+/g, " ");
    const key = name.toLocaleLowerCase("pt-BR");
    if (!name || seen.has(key)) continue;
    seen.add(key);
    out.push(name);
  }
  return out;
};

/**
 * A cell as the person typed it, trimmed. A leading apostrophe in front of =, +, - or @ is the spreadsheet's
 * "this is text" mark (our own error report adds it): it is dropped so a corrected report imports cleanly.
 */
export const cleanCell = (value: string | undefined) => {
  const v = (value ?? "").trim();
  return /^'[=+\-@]/.test(v) ? v.slice(1) : v;
};

const SCIENTIFIC = /^\d+(?:[.,]\d+)?e\+?\d+$/i;

export type ParsedRow = {
  line: number;
  phone: string;
  /** null: the cell was empty (allowed only when the contact already exists and is being updated). */
  name: string | null;
  city: string | null;
  state: Uf | null;
  /** null: the row says nothing; the import's defaults apply. */
  optInStatus: OptInStatus | null;
  optInSource: ImportOptInSource | null;
  optInAt: Date | null;
  tags: string[];
};

export type RowResult =
  | { ok: true; row: ParsedRow }
  | { ok: false; line: number; reason: string; kinds: ErrorKind[] };

export const MAX_NAME = 200;
export const MAX_CITY = 120;
export const MAX_TAG = 60;

export const messages = {
  nameMissing:
    "Nome vazio: preencha o nome do contato (ele aparece nas mensagens, como em “Olá, Maria”).",
  nameTooLong: `Nome longo demais: use no máximo ${MAX_NAME} caracteres.`,
  cityTooLong: `Cidade longa demais: use no máximo ${MAX_CITY} caracteres.`,
  scientific: (v: string) =>
    `Telefone em notação científica (${v}): o Excel arredondou o número. Formate a coluna como Texto, ` +
    "digite os números de novo e exporte outra vez.",
  noDigits: (v: string) =>
    `Telefone “${v.slice(0, 40)}” não tem números: confira se a coluna do telefone é a certa.`,
  phone: (reason: string) => reason.replace(/\.$/, "") + ".",
  uf: (v: string) => `UF “${v}” não existe: use a sigla (SP, RJ, MG…) ou o nome do estado.`,
  optIn: (v: string) => `Opt-in “${v}” não reconhecido: use sim, não, pendente ou descadastrado.`,
  source: (v: string) =>
    `Origem do opt-in “${v}” não reconhecida: use formulário, loja, planilha, WhatsApp ou template de opt-in.`,
  date: (v: string) => `Data do opt-in “${v}” inválida: use dd/mm/aaaa, por exemplo 15/03/2025.`,
  futureDate: (v: string) => `Data do opt-in “${v}” está no futuro: confira o dia, o mês e o ano.`,
  tagTooLong: (v: string) => `Etiqueta “${v.slice(0, 30)}…” longa demais: use no máximo ${MAX_TAG} caracteres.`,
  duplicate: (line: number) => `Telefone repetido na linha ${formatInt(line)}: cada telefone entra uma vez só.`,
};

export type RowContext = { timeZone: string; now: Date };

const cell = (cells: readonly string[], mapping: ColumnMapping, field: keyof ColumnMapping) => {
  const index = mapping[field];
  return index === undefined ? "" : cleanCell(cells[index]);
};

/** One data row → a contact to write, or every reason it cannot be written (in Portuguese). */
export const validateRow = (line: number, cells: readonly string[], mapping: ColumnMapping, ctx: RowContext): RowResult => {
  const problems: string[] = [];
  const kinds = new Set<ErrorKind>();
  const problem = (kind: ErrorKind, message: string) => {
    problems.push(message);
    kinds.add(kind);
  };

  let phone = "";
  const phoneText = cell(cells, mapping, "phone");
  const ddd = cell(cells, mapping, "ddd").replace(/\D/g, "");
  if (SCIENTIFIC.test(phoneText.replace(/\s/g, ""))) problem("phone", messages.scientific(phoneText));
  else if (phoneText && !/\d/.test(phoneText)) problem("phone", messages.noDigits(phoneText));
  else {
    // With a separate DDD column, a number of 8 or 9 digits is local: the DDD goes in front.
    const local = phoneText.replace(/\D/g, "");
    const input = ddd && (local.length === 8 || local.length === 9) ? `(${ddd}) ${local}` : phoneText;
    const result = normalizePhone(input);
    if (result.ok) phone = result.e164;
    else problem("phone", messages.phone(result.reason));
  }

  const nameText = [cell(cells, mapping, "name"), cell(cells, mapping, "surname")]
    .filter(Boolean)
    .join(" ")
    .replace(/\s+/g, " ");
  if (nameText.length > MAX_NAME) problem("name", messages.nameTooLong);

  const cityText = cell(cells, mapping, "city").replace(/\s+/g, " ");
  if (cityText.length > MAX_CITY) problem("city", messages.cityTooLong);

  let state: Uf | null = null;
  const ufText = cell(cells, mapping, "state");
  if (ufText) {
    state = normalizeUf(ufText);
    if (!state) problem("state", messages.uf(ufText));
  }

  let optInStatus: OptInStatus | null = null;
  const statusText = cell(cells, mapping, "optInStatus");
  const sourceText = cell(cells, mapping, "optInSource");
  const dateText = cell(cells, mapping, "optInAt");
  let source: ImportOptInSource | null = null;
  let at: Date | null = null;
  if (sourceText) {
    source = parseOptInSource(sourceText);
    if (!source) problem("optInSource", messages.source(sourceText));
  }
  if (dateText) {
    at = parseDate(dateText, ctx.timeZone);
    if (!at) problem("optInAt", messages.date(dateText));
    else if (at.getTime() > ctx.now.getTime() + 24 * 3600_000) problem("optInAt", messages.futureDate(dateText));
  }
  if (statusText) {
    optInStatus = parseOptInStatus(statusText);
    if (!optInStatus) problem("optInStatus", messages.optIn(statusText));
  }

  const tags = splitTags(cell(cells, mapping, "tags"));
  const longTag = tags.find((t) => t.length > MAX_TAG);
  if (longTag) problem("tags", messages.tagTooLong(longTag));

  if (problems.length) return { ok: false, line, reason: problems.join(" "), kinds: [...kinds] };
  return {
    ok: true,
    row: {
      line,
      phone,
      name: nameText || null,
      city: cityText || null,
      state,
      optInStatus,
      optInSource: source,
      optInAt: at,
      tags,
    },
  };
};

/** A row with no value in any cell: skipped without counting (spreadsheets end in blank lines). */
export const isBlankRow = (cells: readonly string[]) => cells.every((c) => !c || !c.trim());
