import { z } from "zod";

// The audience filter: a versioned JSON document saved with each "lista de público" and re-evaluated at send
// time. Conditions are ANDed; inside a list, any value matches (an OR). Validation messages say what to fix.

export const FILTER_VERSION = 1;
/** Largest id/value list accepted in one condition. */
export const MAX_LIST = 200;

export const UFS = [
  { uf: "AC", name: "Acre" },
  { uf: "AL", name: "Alagoas" },
  { uf: "AP", name: "Amapá" },
  { uf: "AM", name: "Amazonas" },
  { uf: "BA", name: "Bahia" },
  { uf: "CE", name: "Ceará" },
  { uf: "DF", name: "Distrito Federal" },
  { uf: "ES", name: "Espírito Santo" },
  { uf: "GO", name: "Goiás" },
  { uf: "MA", name: "Maranhão" },
  { uf: "MT", name: "Mato Grosso" },
  { uf: "MS", name: "Mato Grosso do Sul" },
  { uf: "MG", name: "Minas Gerais" },
  { uf: "PA", name: "Pará" },
  { uf: "PB", name: "Paraíba" },
  { uf: "PR", name: "Paraná" },
  { uf: "PE", name: "Pernambuco" },
  { uf: "PI", name: "Piauí" },
  { uf: "RJ", name: "Rio de Janeiro" },
  { uf: "RN", name: "Rio Grande do Norte" },
  { uf: "RS", name: "Rio Grande do Sul" },
  { uf: "RO", name: "Rondônia" },
  { uf: "RR", name: "Roraima" },
  { uf: "SC", name: "Santa Catarina" },
  { uf: "SP", name: "São Paulo" },
  { uf: "SE", name: "Sergipe" },
  { uf: "TO", name: "Tocantins" },
] as const;

export type Uf = (typeof UFS)[number]["uf"];
export const UF_CODES = UFS.map((u) => u.uf) as [Uf, ...Uf[]];

export const OPT_IN_STATUSES = ["opted_in", "pending", "none", "opted_out"] as const;
export type OptInStatus = (typeof OPT_IN_STATUSES)[number];
/** Used when a filter has no `optIn`: only contacts who gave consent. */
export const DEFAULT_OPT_IN: readonly OptInStatus[] = ["opted_in"];

export const PERIOD_FIELDS = ["created_at", "last_interaction_at"] as const;
export type PeriodField = (typeof PERIOD_FIELDS)[number];

const FIELDS = ["version", "tags", "wallets", "period", "cities", "states", "optIn", "chips"] as const;

// ---- building blocks ----

const duplicates = <T>(values: readonly T[], key: (v: T) => unknown = (v) => v) => {
  const seen = new Set<unknown>();
  const dup: T[] = [];
  for (const v of values) {
    const k = key(v);
    if (seen.has(k)) dup.push(v);
    seen.add(k);
  }
  return dup;
};

/** A list of row ids (etiquetas, carteiras, chips): positive integers, 1–200 of them, each once. */
const idList = (label: string, noun: string) =>
  z
    .array(
      z.int({ error: `${label}: use o número (id) de cada ${noun}, um inteiro positivo.` }).positive({
        error: `${label}: use o número (id) de cada ${noun}, um inteiro positivo.`,
      }),
      { error: `${label}: envie uma lista de ids, por exemplo [12, 15].` },
    )
    .min(1, { error: `${label}: escolha ao menos um(a) ${noun} ou remova esta condição.` })
    .max(MAX_LIST, {
      error: (iss) =>
        `${label}: no máximo ${MAX_LIST} itens por condição (recebidos ${(iss.input as unknown[]).length}). ` +
        "Divida o público em mais de uma lista.",
    })
    .superRefine((ids, ctx) => {
      for (const id of new Set(duplicates(ids)))
        ctx.addIssue({ code: "custom", message: `${label}: ${noun} ${id} aparece mais de uma vez; deixe só uma.` });
    });

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Is `s` a real calendar day written YYYY-MM-DD? */
export const isCalendarDate = (s: string) => {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
};

const day = (which: string) =>
  z.string({ error: `Período: a data ${which} deve ser um texto AAAA-MM-DD, por exemplo 2026-03-01.` }).superRefine((s, ctx) => {
    const m = DATE_RE.exec(s);
    if (!m)
      ctx.addIssue({
        code: "custom",
        message: `Período: a data ${which} "${s}" não está no formato AAAA-MM-DD (por exemplo 2026-03-01).`,
      });
    else if (!isCalendarDate(s))
      ctx.addIssue({ code: "custom", message: `Período: a data ${which} ${s} não existe no calendário. Confira dia e mês.` });
    else if (Number(m[1]) < 1900 || Number(m[1]) > 2100)
      ctx.addIssue({ code: "custom", message: `Período: a data ${which} ${s} está fora do intervalo aceito (1900 a 2100).` });
  });

const uf = (label: string) =>
  z
    .string({ error: `${label}: use a sigla da UF, como SP, RJ ou MG.` })
    .trim()
    .toUpperCase()
    .pipe(
      z.enum(UF_CODES, {
        error: (iss) => `${label}: "${String(iss.input)}" não é uma UF. Use uma das 27 siglas, como SP, RJ ou MG.`,
      }),
    );

// ---- the schema ----

const tagsSchema = z
  .strictObject(
    {
      any: idList('Etiquetas ("tem alguma")', "etiqueta").optional(),
      all: idList('Etiquetas ("tem todas")', "etiqueta").optional(),
      none: idList('Etiquetas ("não tem nenhuma")', "etiqueta").optional(),
    },
    {
      error: (iss) =>
        iss.code === "unrecognized_keys"
          ? `Etiquetas: condição desconhecida ${iss.keys.map((k) => `"${k}"`).join(", ")}. Use any (tem alguma), all (tem todas) ou none (não tem nenhuma).`
          : "Etiquetas: envie um objeto com any, all e/ou none.",
    },
  )
  .superRefine((t, ctx) => {
    if (!t.any && !t.all && !t.none)
      ctx.addIssue({
        code: "custom",
        message: "Etiquetas: informe ao menos uma condição (tem alguma, tem todas ou não tem nenhuma) ou remova o filtro de etiquetas.",
      });
    const none = new Set(t.none ?? []);
    for (const id of t.all ?? [])
      if (none.has(id))
        ctx.addIssue({
          code: "custom",
          path: ["none"],
          message: `A etiqueta ${id} está em "tem todas" e em "não tem nenhuma": nenhum contato atenderia. Tire-a de uma das duas.`,
        });
    for (const id of t.any ?? [])
      if (none.has(id))
        ctx.addIssue({
          code: "custom",
          path: ["none"],
          message: `A etiqueta ${id} está em "tem alguma" e em "não tem nenhuma" ao mesmo tempo. Tire-a de uma das duas.`,
        });
  });

const periodSchema = z
  .strictObject(
    {
      field: z.enum(PERIOD_FIELDS, {
        error: "Período: escolha o campo — data de cadastro (created_at) ou última interação (last_interaction_at).",
      }),
      from: day("inicial").optional(),
      to: day("final").optional(),
    },
    {
      error: (iss) =>
        iss.code === "unrecognized_keys"
          ? `Período: campo desconhecido ${iss.keys.map((k) => `"${k}"`).join(", ")}. Use field, from e to.`
          : "Período: envie um objeto com field, from e/ou to.",
    },
  )
  .superRefine((p, ctx) => {
    if (!p.from && !p.to)
      ctx.addIssue({ code: "custom", message: "Período: informe a data inicial, a final ou as duas." });
    if (p.from && p.to && isCalendarDate(p.from) && isCalendarDate(p.to) && p.to < p.from)
      ctx.addIssue({
        code: "custom",
        path: ["to"],
        message: `Período: a data final (${p.to}) é anterior à inicial (${p.from}). Troque as datas.`,
      });
  });

const citySchema = z.strictObject(
  {
    city: z
      .string({ error: "Cidade: informe o nome da cidade." })
      .trim()
      .min(1, { error: "Cidade: informe o nome da cidade." })
      .max(100, { error: "Cidade: nome longo demais (máximo 100 caracteres)." }),
    state: uf("Cidade"),
  },
  { error: "Cidades: cada item precisa de city (nome) e state (UF), como { \"city\": \"Campinas\", \"state\": \"SP\" }." },
);

const citiesSchema = z
  .array(citySchema, { error: "Cidades: envie uma lista de { city, state }." })
  .min(1, { error: "Cidades: escolha ao menos uma cidade ou remova esta condição." })
  .max(MAX_LIST, { error: `Cidades: no máximo ${MAX_LIST} cidades por filtro.` })
  .superRefine((cities, ctx) => {
    for (const c of duplicates(cities, (c) => `${c.state}|${c.city.toLocaleLowerCase("pt-BR")}`))
      ctx.addIssue({ code: "custom", message: `Cidades: ${c.city}/${c.state} aparece mais de uma vez; deixe só uma.` });
  });

const statesSchema = z
  .array(uf("UF"), { error: "UF: envie uma lista de siglas, como [\"SP\", \"RJ\"]." })
  .min(1, { error: "UF: escolha ao menos uma UF ou remova esta condição." })
  .max(UF_CODES.length, { error: `UF: no máximo ${UF_CODES.length} siglas.` })
  .superRefine((states, ctx) => {
    for (const s of new Set(duplicates(states)))
      ctx.addIssue({ code: "custom", message: `UF: ${s} aparece mais de uma vez; deixe só uma.` });
  });

const optInSchema = z
  .array(
    z.enum(OPT_IN_STATUSES, {
      error: (iss) =>
        `Opt-in: situação "${String(iss.input)}" desconhecida. Use opted_in (com opt-in), pending (aguardando), none (sem opt-in) ou opted_out (descadastrado).`,
    }),
    { error: "Opt-in: envie uma lista de situações, como [\"opted_in\"]." },
  )
  .min(1, { error: "Opt-in: escolha ao menos uma situação ou remova a condição (o padrão é somente quem deu opt-in)." })
  .superRefine((list, ctx) => {
    for (const s of new Set(duplicates(list)))
      ctx.addIssue({ code: "custom", message: `Opt-in: "${s}" aparece mais de uma vez; deixe só uma.` });
  });

const versionSchema = z.literal(FILTER_VERSION, {
  error: (iss) =>
    iss.input === undefined
      ? `Informe a versão do filtro ("version": ${FILTER_VERSION}).`
      : `Versão de filtro desconhecida: ${JSON.stringify(iss.input)}. Esta versão do Disparo entende a versão ${FILTER_VERSION}: refaça o filtro na tela de Segmentação.`,
});

export const audienceFilterSchema = z
  .strictObject(
    {
      version: versionSchema,
      tags: tagsSchema.optional(),
      wallets: idList("Carteiras", "carteira").optional(),
      period: periodSchema.optional(),
      cities: citiesSchema.optional(),
      states: statesSchema.optional(),
      optIn: optInSchema.optional(),
      chips: idList("Chips", "chip").optional(),
    },
    {
      error: (iss) =>
        iss.code === "unrecognized_keys"
          ? `Campo desconhecido no filtro: ${iss.keys.map((k) => `"${k}"`).join(", ")}. Campos aceitos: ${FIELDS.join(", ")}.`
          : `O filtro precisa ser um objeto JSON, por exemplo { "version": ${FILTER_VERSION} }.`,
    },
  )
  .superRefine((f, ctx) => {
    // A city outside the chosen UFs can never match: say so instead of silently counting zero.
    if (f.cities && f.states) {
      const states = new Set<string>(f.states);
      for (const c of f.cities)
        if (!states.has(c.state))
          ctx.addIssue({
            code: "custom",
            path: ["cities"],
            message: `A cidade ${c.city}/${c.state} não está nas UFs escolhidas (${f.states.join(", ")}): nenhum contato dela entraria. Inclua ${c.state} nas UFs ou remova a cidade.`,
          });
    }
  });

export type AudienceFilter = z.output<typeof audienceFilterSchema>;
export type AudienceFilterInput = z.input<typeof audienceFilterSchema>;

export type FilterIssue = { path: string; message: string };
export type ParseFilterResult = { ok: true; filter: AudienceFilter } | { ok: false; message: string; issues: FilterIssue[] };

const fail = (issues: FilterIssue[]): ParseFilterResult => ({
  ok: false,
  message: issues.map((i) => i.message).join(" "),
  issues,
});

/**
 * Validates a filter (an object, or its JSON text). The version is checked first, so a filter written by a
 * newer release answers with one clear message instead of a list of unknown fields.
 */
export const parseFilter = (input: unknown): ParseFilterResult => {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch {
      return fail([{ path: "", message: "O filtro não é um JSON válido. Confira aspas, vírgulas e chaves." }]);
    }
  }
  if (value && typeof value === "object" && !Array.isArray(value) && "version" in value) {
    const version = versionSchema.safeParse((value as { version: unknown }).version);
    if (!version.success) return fail([{ path: "version", message: version.error.issues[0]!.message }]);
  }
  const parsed = audienceFilterSchema.safeParse(value);
  if (parsed.success) return { ok: true, filter: parsed.data };
  return fail(parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })));
};

/** Thrown by `assertFilter`; `issues` carries every message. */
export class FilterValidationError extends Error {
  constructor(readonly issues: FilterIssue[]) {
    super(issues.map((i) => i.message).join(" "));
    this.name = "FilterValidationError";
  }
}

export const assertFilter = (input: unknown): AudienceFilter => {
  const result = parseFilter(input);
  if (!result.ok) throw new FilterValidationError(result.issues);
  return result.filter;
};

/** The opt-in statuses a filter selects (the default when it names none). */
export const optInOf = (filter: AudienceFilter): readonly OptInStatus[] => filter.optIn ?? DEFAULT_OPT_IN;

// ---- description ----

export type FilterNames = {
  tags: ReadonlyMap<number, string>;
  wallets: ReadonlyMap<number, string>;
  chips: ReadonlyMap<number, string>;
};

const brDate = (s: string) => `${s.slice(8, 10)}/${s.slice(5, 7)}/${s.slice(0, 4)}`;

const optInDescription: Record<OptInStatus, string> = {
  opted_in: "com opt-in",
  pending: "aguardando confirmação",
  none: "sem opt-in",
  opted_out: "descadastrados",
};

/** A readable Portuguese summary, e.g. "Etiquetas: tem alguma de Cliente VIP, Newsletter · UF: SP, RJ · Somente com opt-in". */
export const describeFilter = (filter: AudienceFilter, names: FilterNames): string => {
  const name = (map: ReadonlyMap<number, string>, noun: string) => (id: number) => map.get(id) ?? `${noun} #${id} (removida)`;
  const tag = name(names.tags, "etiqueta");
  const wallet = name(names.wallets, "carteira");
  const chip = (id: number) => names.chips.get(id) ?? `chip #${id} (removido)`;
  const parts: string[] = [];

  if (filter.tags) {
    const t: string[] = [];
    if (filter.tags.any) t.push(`${filter.tags.any.length === 1 ? "tem" : "tem alguma de"} ${filter.tags.any.map(tag).join(", ")}`);
    if (filter.tags.all) t.push(`${filter.tags.all.length === 1 ? "tem" : "tem todas de"} ${filter.tags.all.map(tag).join(", ")}`);
    if (filter.tags.none) t.push(`não tem ${filter.tags.none.length === 1 ? "" : "nenhuma de "}${filter.tags.none.map(tag).join(", ")}`);
    parts.push(`Etiquetas: ${t.join("; ")}`);
  }
  if (filter.wallets) parts.push(`${filter.wallets.length === 1 ? "Carteira" : "Carteiras"}: ${filter.wallets.map(wallet).join(", ")}`);
  if (filter.period) {
    const { field, from, to } = filter.period;
    const what = field === "created_at" ? "Cadastrados" : "Última interação";
    const range =
      from && to
        ? from === to
          ? `em ${brDate(from)}`
          : `de ${brDate(from)} a ${brDate(to)}`
        : from
          ? `a partir de ${brDate(from)}`
          : `até ${brDate(to!)}`;
    parts.push(`${what} ${range}`);
  }
  if (filter.cities)
    parts.push(`${filter.cities.length === 1 ? "Cidade" : "Cidades"}: ${filter.cities.map((c) => `${c.city}/${c.state}`).join(", ")}`);
  if (filter.states) parts.push(`UF: ${filter.states.join(", ")}`);
  if (filter.chips)
    parts.push(
      filter.chips.length === 1
        ? `Registrados no chip ${chip(filter.chips[0]!)}`
        : `Registrados em algum dos chips ${filter.chips.map(chip).join(", ")}`,
    );
  const optIn = optInOf(filter);
  if (optIn.length === 1 && optIn[0] === "opted_in") parts.push("Somente com opt-in");
  else parts.push(`Opt-in: ${optIn.map((s) => optInDescription[s]).join(", ")}`);
  if (parts.length === 1) parts.unshift("Todos os contatos");
  return parts.join(" · ");
};
