// The contact fields a spreadsheet column can fill, their labels, and the guess from header names.
// Client-safe: the mapping screen imports it too.

export const IMPORT_FIELDS = [
  "name",
  "surname",
  "phone",
  "ddd",
  "city",
  "state",
  "optInStatus",
  "optInSource",
  "optInAt",
  "tags",
] as const;

export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Column index (0-based) per field; a field left out is not imported. */
export type ColumnMapping = Partial<Record<ImportField, number>>;

export const REQUIRED_FIELDS: readonly ImportField[] = ["name", "phone"];

export const fieldLabels: Record<ImportField, string> = {
  name: "Nome",
  surname: "Sobrenome (em coluna separada)",
  phone: "Telefone (WhatsApp)",
  ddd: "DDD (em coluna separada)",
  city: "Cidade",
  state: "UF",
  optInStatus: "Status de opt-in",
  optInSource: "Origem do opt-in",
  optInAt: "Data do opt-in",
  tags: "Etiquetas",
};

export const fieldHints: Record<ImportField, string> = {
  name: "Aparece nas mensagens, como em “Olá, Maria”.",
  surname: "Só se o sobrenome estiver numa coluna separada; ele é juntado ao nome.",
  phone: "Com DDD; o nono dígito é incluído quando faltar.",
  ddd: "Só se o DDD estiver numa coluna separada do número.",
  city: "Texto livre.",
  state: "Sigla (SP) ou nome do estado (São Paulo).",
  optInStatus: "sim, opt-in, aceitou · não · pendente · descadastrado, sair.",
  optInSource: "formulário, loja/manual, planilha, WhatsApp, template de opt-in.",
  optInAt: "dd/mm/aaaa (com ou sem hora) ou aaaa-mm-dd.",
  tags: "Nomes separados por vírgula ou ponto e vírgula; as que não existem são criadas.",
};

export const OPT_IN_STATUSES = ["none", "pending", "opted_in", "opted_out"] as const;
export type OptInStatus = (typeof OPT_IN_STATUSES)[number];

// The origins an import may record (keyword and api_error are set by WhatsApp events only).
export const IMPORT_OPT_IN_SOURCES = ["import", "form", "manual", "whatsapp_reply", "optin_template"] as const;
export type ImportOptInSource = (typeof IMPORT_OPT_IN_SOURCES)[number];

export const optInSourceLabels: Record<ImportOptInSource, string> = {
  import: "Planilha importada",
  form: "Formulário (site, landing page)",
  manual: "Cadastro manual (loja, balcão, telefone)",
  whatsapp_reply: "Resposta no WhatsApp",
  optin_template: "Template de opt-in",
};

export const duplicatePolicies = ["update", "skip"] as const;
export type DuplicatePolicy = (typeof duplicatePolicies)[number];

/** Lower case, no accents, only letters and digits separated by single spaces. */
export const fold = (value: string) =>
  value
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();

// Most specific first: "data do opt-in" and "origem do opt-in" must not be taken for the opt-in status. Within
// a field, earlier patterns win: a "Celular" column beats a "Telefone" one.
const GUESSES: [ImportField, RegExp[]][] = [
  ["optInAt", [/^(data|dt)( d[aoe])? (opt ?in|consentimento|aceite|autorizacao)$/, /^(opt ?in) (data|em)$/]],
  ["optInSource", [/^(origem|fonte|canal)( d[aoe] (opt ?in|consentimento|aceite|cadastro|lead))?$/, /^(opt ?in) origem$/, /^source$/]],
  [
    "optInStatus",
    [
      /^(status )?(d[aoe] )?(opt ?in|consentimento|aceite|lgpd)( status| whatsapp)?$/,
      /^aceita( receber)?( mensagens| whatsapp| ofertas| contato)*$/,
      /^autoriza( contato| whatsapp| mensagens)?$|^autorizacao$/,
    ],
  ],
  ["ddd", [/^(ddd|cod area|codigo de area|area code)$/]],
  [
    "phone",
    [
      /^(whatsapp|whats|wpp|zap)( .*)?$/,
      /^(celular|cel|mobile|telefone celular|fone celular)( .*)?$/,
      /^(telefone|tel|fone|phone|numero d[eo] (telefone|celular|whatsapp))( .*)?$/,
    ],
  ],
  ["surname", [/^(sobrenome|ultimo nome|last name|surname)$/]],
  ["name", [/^(nome|name|nome completo|full name|nome do cliente|nome do contato)$/, /^(cliente|primeiro nome|first name)$/]],
  ["city", [/^(cidade|city|municipio|localidade)$/]],
  ["state", [/^(uf|estado|state|sigla uf|uf estado|estado uf)$/]],
  ["tags", [/^(etiquetas?|tags?|marcadores?)$/, /^(segmentos?|grupos?)$/]],
];

/** The mapping a person would most likely choose, from the header names alone; each column used once. */
export const guessMapping = (headers: readonly string[]): ColumnMapping => {
  const mapping: ColumnMapping = {};
  const used = new Set<number>();
  const folded = headers.map(fold);
  for (const [field, patterns] of GUESSES) {
    for (const pattern of patterns) {
      const index = folded.findIndex((h, i) => !used.has(i) && h !== "" && pattern.test(h));
      if (index >= 0) {
        mapping[field] = index;
        used.add(index);
        break;
      }
    }
  }
  return mapping;
};

/** "A", "B", … "AA": how spreadsheets name a column. */
export { columnName as columnLetter } from "@/lib/xlsx/columns";

/** What went wrong with a row, to sum the report up by kind ("1.234 × telefone inválido"). */
export type ErrorKind =
  | "phone"
  | "duplicate"
  | "name"
  | "city"
  | "state"
  | "optInStatus"
  | "optInSource"
  | "optInAt"
  | "tags"
  | "batch"
  | "stopped";

// Read after a count: "3 telefones inválidos" would need plurals, so these read as "3 · telefone inválido".
export const errorKindLabels: Record<ErrorKind, string> = {
  phone: "telefone inválido",
  duplicate: "telefone repetido no arquivo",
  name: "nome vazio ou longo demais",
  city: "cidade longa demais",
  state: "UF inválida",
  optInStatus: "opt-in não reconhecido",
  optInSource: "origem do opt-in não reconhecida",
  optInAt: "data do opt-in inválida",
  tags: "etiqueta longa demais",
  batch: "lote não gravado (erro no banco)",
  stopped: "não gravada (a importação parou antes)",
};

export const LIMITS = {
  // Decimal megabytes, as the message says. The upload's request body (file + multipart framing) must also stay
  // under the server actions' body limit (serverActions.bodySizeLimit, 12 MB in next.config.mjs; actions do not
  // pass through proxy.ts, so its 10 MiB copy of the body does not apply).
  maxBytes: 10_000_000,
  maxRows: 200_000,
  // Columns with data, and characters per cell: Excel's own cell limit, so no file Excel wrote is refused for it.
  // Checked while reading, so a row with a cell at column XFD or a cell of megabytes is refused as it comes.
  maxColumns: 100,
  maxCellLength: 32_767,
  // An XLSX is a ZIP: what its parts declare once unpacked, refused before anything is inflated (and inflating
  // stops there if they lied). maxRows × ~1,000 bytes of sheet XML a row (about 20 filled columns); a real
  // 10 MB upload unpacks to at most ~100 MB (sheets and shared strings compress 10–15 to 1; 200,000 rows of 6
  // columns are ~60 MB).
  maxUnzippedBytes: 200_000_000,
  // Unpacked / packed size of one part: real sheets and shared strings are 5–20, a zip bomb ~1,000 (deflate's
  // maximum). Parts under maxRatioFloor bytes unpacked are not checked: they cannot hurt.
  maxZipRatio: 100,
  maxRatioFloor: 1_000_000,
  previewRows: 10,
  maxNewTags: 50,
} as const;

export const formatInt = (n: number) => new Intl.NumberFormat("pt-BR").format(n);

export const formatMegabytes = (bytes: number) =>
  bytes < 1_000_000
    ? `${new Intl.NumberFormat("pt-BR").format(Math.max(1, Math.round(bytes / 1000)))} KB`
    : `${new Intl.NumberFormat("pt-BR", { maximumFractionDigits: 1 }).format(bytes / 1_000_000)} MB`;

export const tooLargeMessage = (bytes: number) =>
  `O arquivo tem ${formatMegabytes(bytes)} e o limite é 10 MB. Divida a planilha em partes menores ` +
  "ou apague as colunas que não vão ser importadas, e envie de novo.";
