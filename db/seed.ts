import type postgres from "postgres";
import { hashPassword } from "@/lib/auth/password";
import { encryptSecret } from "@/lib/crypto";
import type { Role, TemplateVariable } from "@/db/schema";
import { CITIES, FIRST_NAMES, SURNAMES, TAGS } from "@/db/seed-data";
import { seedDemoCampaigns } from "@/db/seed-campaigns";

// Deterministic demo data. Every random choice is a hash of the row number and the seed computed inside
// PostgreSQL (hashint8extended), so the same seed gives the same contacts and nothing leaves the server
// row by row: contacts, contact_chips and consent_events are set-based INSERT … SELECT statements.

export type SeedOptions = {
  contacts: number;
  encryptionKey: string;
  seed?: number;
  log?: (line: string) => void;
  /** Demo lists and campaigns (db/seed-campaigns.ts); benchmarks leave them out. Default true. */
  campaigns?: boolean;
};

export const DEMO_ORG_NAME = "Loja Exemplo";

export const DEMO_USERS: readonly { name: string; email: string; password: string; role: Role }[] = [
  { name: "Ana Souza", email: "admin@lojaexemplo.com.br", password: "disparo123", role: "admin" },
  { name: "Bruno Lima", email: "gestor@lojaexemplo.com.br", password: "disparo123", role: "gestor" },
  { name: "Carla Dias", email: "operador@lojaexemplo.com.br", password: "disparo123", role: "operador" },
];

export const DEMO_CHIPS = [
  {
    name: "Loja Exemplo - Vendas",
    displayNumber: "+55 11 4000-1000",
    phoneNumberId: "100000000000001",
    wabaId: "200000000000001",
    accessToken: "EAAGdemoLojaExemploVendas0000000000000000000000000001",
    messagesPerSecond: 80,
    messagingLimitTier: "TIER_10K",
    qualityRating: "green",
  },
  {
    name: "Loja Exemplo - Pós-venda",
    displayNumber: "+55 11 4000-2000",
    phoneNumberId: "100000000000002",
    wabaId: "200000000000001",
    accessToken: "EAAGdemoLojaExemploPosVenda000000000000000000000000002",
    messagesPerSecond: 20,
    messagingLimitTier: "TIER_1K",
    qualityRating: "yellow",
  },
] as const;

// A fixed "now" for the generated history, so the data does not depend on the day the seed runs.
export const SEED_REFERENCE_DATE = "2026-11-01T12:00:00-03:00";
const HISTORY_DAYS = 548; // ~18 months of contacts before the reference date
const MAX_CONTACTS = 40_000_000; // phone suffixes are a permutation of [0, 4·10⁷)
const CHUNK = 250_000;

const OPT_IN_TEXT =
  "Olá, {{1}}! Aqui é a Loja Exemplo 👋 Quer receber nossas ofertas, lançamentos e cupons exclusivos por aqui? " +
  'Toque em "Quero receber" para confirmar. Você pode sair quando quiser respondendo SAIR.';

type TemplateSeed = {
  name: string;
  category: "marketing" | "utility" | "authentication";
  status: "approved" | "pending" | "rejected";
  components: unknown[];
  variables: TemplateVariable[];
};

const marketingButtons = {
  type: "BUTTONS",
  buttons: [
    { type: "QUICK_REPLY", text: "Quero saber mais" },
    { type: "QUICK_REPLY", text: "Parar promoções" },
  ],
};
const optOutFooter = { type: "FOOTER", text: "Responda SAIR para não receber mais ofertas" };

const body = (text: string, examples: string[]) => ({
  type: "BODY",
  text,
  ...(examples.length ? { example: { body_text: [examples] } } : {}),
});
const bodyVariables = (examples: string[]): TemplateVariable[] =>
  examples.map((example, i) => ({ index: i + 1, component: "body", example }));

const template = (
  name: string,
  category: TemplateSeed["category"],
  status: TemplateSeed["status"],
  parts: { header?: unknown; body: string; examples: string[]; footer?: unknown; buttons?: unknown },
): TemplateSeed => ({
  name,
  category,
  status,
  components: [parts.header, body(parts.body, parts.examples), parts.footer, parts.buttons].filter(Boolean),
  variables: bodyVariables(parts.examples),
});

/** Marked as the opt-in request in Configurações › Templates (templates.is_opt_in_request). */
export const OPT_IN_TEMPLATE_NAME = "boas_vindas_optin";

export const DEMO_TEMPLATES: readonly TemplateSeed[] = [
  template("promo_black_friday", "marketing", "approved", {
    header: {
      type: "HEADER",
      format: "IMAGE",
      example: { header_handle: ["https://lojaexemplo.com.br/midia/black-friday-2026.jpg"] },
    },
    body:
      "Olá, {{1}}! A Black Friday da Loja Exemplo começou 🖤 Use o cupom {{2}} e ganhe 20% de desconto em todo o site " +
      "e nas lojas físicas até domingo. Frete grátis acima de R$ 199.",
    examples: ["Maria", "BLACK20"],
    footer: optOutFooter,
    buttons: marketingButtons,
  }),
  template("lembrete_carrinho", "marketing", "approved", {
    header: { type: "HEADER", format: "TEXT", text: "Você esqueceu algo no carrinho 🛒" },
    body:
      "Oi, {{1}}! Os produtos que você escolheu ainda estão te esperando. Finalize a compra hoje e aproveite " +
      "o parcelamento em até 10x sem juros.",
    examples: ["João"],
    footer: optOutFooter,
    buttons: marketingButtons,
  }),
  template("boas_vindas_optin", "marketing", "approved", {
    body: OPT_IN_TEXT,
    examples: ["Ana"],
    footer: { type: "FOOTER", text: "Loja Exemplo" },
    buttons: {
      type: "BUTTONS",
      buttons: [
        { type: "QUICK_REPLY", text: "Quero receber" },
        { type: "QUICK_REPLY", text: "Não, obrigado" },
      ],
    },
  }),
  template("aviso_entrega", "utility", "approved", {
    header: { type: "HEADER", format: "TEXT", text: "Seu pedido está a caminho 📦" },
    body: "Olá, {{1}}! O pedido {{2}} saiu para entrega e deve chegar até {{3}}. Acompanhe pelo link do rastreio.",
    examples: ["Carlos", "#48213", "sexta-feira (07/11)"],
    footer: { type: "FOOTER", text: "Loja Exemplo" },
  }),
  template("pesquisa_satisfacao", "utility", "approved", {
    body:
      "Oi, {{1}}! Sua compra do pedido {{2}} foi entregue. Pode nos contar como foi a sua experiência? " +
      "Leva menos de um minuto.",
    examples: ["Fernanda", "#47990"],
    buttons: {
      type: "BUTTONS",
      buttons: [
        { type: "QUICK_REPLY", text: "Responder pesquisa" },
        { type: "QUICK_REPLY", text: "Agora não" },
      ],
    },
  }),
  template("lancamento_colecao", "marketing", "pending", {
    header: {
      type: "HEADER",
      format: "IMAGE",
      example: { header_handle: ["https://lojaexemplo.com.br/midia/colecao-verao-2027.jpg"] },
    },
    body:
      "{{1}}, a coleção {{2}} acabou de chegar! São mais de 300 peças novas, com 10% de desconto na primeira semana " +
      "para clientes cadastrados.",
    examples: ["Juliana", "Verão 2027"],
    footer: optOutFooter,
    buttons: marketingButtons,
  }),
  template("oferta_relampago", "marketing", "rejected", {
    header: { type: "HEADER", format: "TEXT", text: "⚡ Oferta relâmpago" },
    body: "Só hoje, {{1}}: tudo com até 70% OFF! Corra antes que acabe!!!",
    examples: ["Pedro"],
    footer: optOutFooter,
    buttons: marketingButtons,
  }),
];

export const DEMO_FLOWS = [
  {
    name: "Atendimento comercial",
    description: "Encaminha quem responde a uma campanha para a equipe de vendas.",
    active: true,
    entryMessage:
      "Oi! Que bom que você respondeu 😊 Um consultor da Loja Exemplo vai falar com você em instantes. " +
      "Enquanto isso, conta pra gente: o que você está procurando?",
    endpointUrl: null,
  },
  {
    name: "Pesquisa de satisfação",
    description: "Pergunta a nota de 0 a 10 a quem responde à campanha.",
    active: true,
    entryMessage: "Obrigado por responder! De 0 a 10, quanto você recomendaria a Loja Exemplo para um amigo?",
    endpointUrl: null,
  },
  {
    name: "Cupom de desconto",
    description: "Envia um cupom para quem pede mais informações (desativado após a campanha de maio).",
    active: false,
    entryMessage: "Aqui está o seu cupom: BEMVINDO10 — 10% de desconto na próxima compra, válido por 7 dias. 🎁",
    endpointUrl: null,
  },
] as const;

// Per-source text shown to the contact when consent was given (LGPD evidence in consent_events).
const CONSENT_TEXT = {
  import: "Aceito receber ofertas e novidades da Loja Exemplo pelo WhatsApp. (consentimento coletado no caixa)",
  form: "Quero receber ofertas da Loja Exemplo pelo WhatsApp. Posso cancelar quando quiser respondendo SAIR.",
  whatsapp_reply: "Olá! Quer receber nossas ofertas por aqui? Responda SIM para confirmar.",
  optin_template: OPT_IN_TEXT,
  keyword: "Responda SAIR para não receber mais ofertas",
  quick_reply: "Parar promoções",
} as const;

// ---- SQL building blocks (all values below come from this file or seed-data.ts, never from users) ----

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
const textArray = (xs: readonly string[]) => `(ARRAY[${xs.map(lit).join(",")}]::text[])`;
const intArray = (xs: readonly number[]) => `('{${xs.join(",")}}'::int[])`;
const REF = `${lit(SEED_REFERENCE_DATE)}::timestamptz`;
const REF_EPOCH = Date.parse(SEED_REFERENCE_DATE) / 1000;
// Ages are seconds before the reference date; to_timestamp is cheaper than interval arithmetic.
const ago = (seconds: string) => `to_timestamp(${REF_EPOCH} - (${seconds}))`;

// Independent draws: each purpose gets its own hash stream.
const K = {
  first: 1, surname1: 2, surname2: 3, twoSurnames: 4, city: 5, jitter: 6, status: 7, source: 8, delay: 9,
  optOut: 10, hasInteraction: 11, interaction: 12, wallet: 13, tagFallback: 14, tags: 20, feistel: 40,
  chips: 60, secondChipSeen: 61, secondChipLast: 62, optOutChannel: 63,
} as const;

type Draw = { hash: (k: number) => string; uniform: (k: number) => string; int: (k: number, m: number) => string };
const draws = (row: string, seed: number): Draw => {
  const hash = (k: number) => `hashint8extended(${row}, ${seed * 1000 + k})`;
  return {
    hash,
    uniform: (k) => `((${hash(k)} & 4294967295)::float8 / 4294967296.0)`,
    int: (k, m) => `((${hash(k)} & 2147483647) % ${m})::int`,
  };
};

// Buckets so a weighted choice is one array subscript instead of a join (largest-remainder rounding).
const weightedLut = (weights: readonly number[], buckets: number) => {
  const total = weights.reduce((a, b) => a + b, 0);
  const quotas = weights.map((w) => (w / total) * buckets);
  const counts = quotas.map((q) => Math.max(1, Math.floor(q)));
  let left = buckets - counts.reduce((a, b) => a + b, 0);
  const order = quotas.map((q, i) => [q - Math.floor(q), i] as const).sort((a, b) => b[0] - a[0]);
  for (let j = 0; left > 0; j = (j + 1) % order.length, left--) counts[order[j][1]]++;
  for (let j = 0; left < 0; j = (j + 1) % counts.length) {
    if (counts[j] > 1) {
      counts[j]--;
      left++;
    }
  }
  return counts.flatMap((c, i) => Array<number>(c).fill(i + 1));
};

const CITY_BUCKETS = 16384;
const TAG_FALLBACK_BUCKETS = 1024;

type ContactContext = {
  organizationId: string;
  seed: number;
  total: number;
  tagIds: number[]; // in TAGS order
  walletIds: { varejo: number; atacado: number; ecommerce: number };
  chips: ChipIds;
};

// Opt-in mix: 75 % opted_in, 8 % opted_out (after having opted in), 10 % none, 7 % pending.
const OPTED_IN = 0.75;
const OPTED_OUT = 0.83;
const NONE = 0.93;
// Sources of the opt-in: 35 % import, 25 % form, 20 % whatsapp_reply, 20 % optin_template (the last two
// are replies to a message, so they come after the contact was created and imply an interaction).
const REPLY_SOURCE = 0.6;

const cityLut = weightedLut(
  CITIES.map((c) => c.population),
  CITY_BUCKETS,
);
const cityExpr = (d: Draw) => `${intArray(cityLut)}[${d.int(K.city, CITY_BUCKETS)} + 1]`;
const walletExpr = (wl: string, ids: ContactContext["walletIds"]) =>
  `CASE WHEN ${wl} < 0.40 THEN ${ids.varejo} WHEN ${wl} < 0.55 THEN ${ids.atacado} WHEN ${wl} < 0.80 THEN ${ids.ecommerce} END`;

// Contact i gets id i (the database is empty), so every later phase can hash the id to re-derive its draws.
// Ids, and so created_at, grow in insertion order, as contacts arriving over time would.
const contactsInsertSql = (ctx: ContactContext, from: number, to: number) => {
  const d = draws("g.i::bigint", ctx.seed);
  const tagOrder = TAGS.map((t, i) => ({ id: ctx.tagIds[i], share: t.share })).sort((a, b) => a.id - b.id);
  const tagFallback = weightedLut(
    tagOrder.map((t) => t.share),
    TAG_FALLBACK_BUCKETS,
  ).map((i) => tagOrder[i - 1].id);
  const tagHashes = Math.ceil(tagOrder.length / 4);
  // Independent Bernoulli draw per etiqueta on 16 bits of a 64-bit hash; ids ascending, so the array is sorted.
  const tagCases = tagOrder.map(
    (t, j) =>
      `CASE WHEN ((a.t${Math.floor(j / 4)} >> ${(j % 4) * 16}) & 65535) < ${Math.round(t.share * 65536)} ` +
      `THEN ${t.id} END`,
  );
  // Phone suffix: a 3-round Feistel permutation of the row number over [0, 4000) × [0, 10000): distinct rows
  // get distinct numbers whatever the DDD, and they still look random. The first digit lands on 6–9.
  const f = (k: number, v: string, m: number) =>
    `((${draws(`(${v})::bigint`, ctx.seed).hash(K.feistel + k)} & 2147483647) % ${m})`;
  // created_at grows with the id: arrivals accelerate over the 18 months (density 1 + 2·a·t, normalised),
  // so the newest month has ~4× the contacts of the oldest. p is the row's quantile, jittered within its slot.
  const a = 1.5;
  const span = HISTORY_DAYS * 86400;
  const p = `(((g.i - 1) + ${d.uniform(K.jitter)}) / ${ctx.total}.0)`;
  const t = `((sqrt(1 + ${4 * a * (1 + a)} * ${p}) - 1) / ${2 * a})`;
  const optedOut = `(b.st >= ${OPTED_IN} AND b.st < ${OPTED_OUT})`;

  return `
INSERT INTO contacts (id, organization_id, name, phone, city, state, wallet_id, tag_ids, chip_ids, opt_in_status,
  opt_in_source, opt_in_at, opted_out_at, last_interaction_at, created_at, updated_at)
OVERRIDING SYSTEM VALUE
SELECT c.i, ${lit(ctx.organizationId)}::uuid, c.name, c.phone, c.city, c.uf, c.wallet_id,
  CASE WHEN cardinality(c.tags) = 0 THEN ARRAY[c.tag_fallback]
       WHEN cardinality(c.tags) > 5 THEN c.tags[1:5] ELSE c.tags END,
  ${chipIdsExpr("c.chm", ctx.chips)},
  c.status, c.source,
  ${ago("c.oi_age")}, ${ago("c.oo_age")}, ${ago("c.li_age")}, ${ago("c.c_age")},
  ${ago("least(c.c_age, c.oi_age, c.oo_age, c.li_age)")}
FROM (
  SELECT b.*,
    '+55' || b.ddd || '9' || (60000000 + b.r2 * 4000 + (b.r1 + ${f(3, "b.r2", 4000)}) % 4000)::text AS phone,
    CASE WHEN ${optedOut} THEN b.oi_age * (0.02 + 0.93 * b.oo) END AS oo_age,
    -- ~85 % have a last interaction; replies and opt-outs always do, and it is never before them.
    CASE WHEN b.hli < 0.76 OR ${optedOut} OR b.reply
      THEN least(b.c_age * b.lif, CASE WHEN ${optedOut} THEN b.oi_age * (0.02 + 0.93 * b.oo) END,
                 CASE WHEN b.reply THEN b.oi_age END) END AS li_age
  FROM (
    SELECT a.i, a.c_age, a.st, a.oo, a.hli, a.lif, a.tag_fallback, a.r1, a.chm,
      ${textArray(FIRST_NAMES)}[a.fi] || ' ' || ${textArray(SURNAMES)}[a.s1]
        || CASE WHEN a.two AND a.s2 <> a.s1 THEN ' ' || ${textArray(SURNAMES)}[a.s2] ELSE '' END AS name,
      ${textArray(CITIES.map((c) => c.name))}[a.ci] AS city,
      ${textArray(CITIES.map((c) => c.uf))}[a.ci] AS uf,
      ${textArray(CITIES.map((c) => String(c.ddd)))}[a.ci] AS ddd,
      CASE WHEN a.st < ${OPTED_IN} THEN 'opted_in'::opt_in_status WHEN a.st < ${OPTED_OUT} THEN 'opted_out'::opt_in_status
           WHEN a.st < ${NONE} THEN 'none'::opt_in_status ELSE 'pending'::opt_in_status END AS status,
      CASE WHEN a.st < ${OPTED_OUT} THEN
        CASE WHEN a.src < 0.35 THEN 'import'::opt_in_source WHEN a.src < ${REPLY_SOURCE} THEN 'form'::opt_in_source
             WHEN a.src < 0.80 THEN 'whatsapp_reply'::opt_in_source ELSE 'optin_template'::opt_in_source END
      END AS source,
      a.st < ${OPTED_OUT} AND a.src >= ${REPLY_SOURCE} AS reply,
      -- Imports and forms opt in when the contact is created; replies come up to 30 days later.
      CASE WHEN a.st < ${OPTED_OUT} THEN a.c_age - CASE WHEN a.src >= ${REPLY_SOURCE}
        THEN least(2592000, a.c_age / 2) * a.dly * a.dly * a.dly ELSE 0 END END AS oi_age,
      ${walletExpr("a.wl", ctx.walletIds)} AS wallet_id,
      array_remove(ARRAY[${tagCases.join(", ")}]::int[], NULL) AS tags,
      (a.r0 + ${f(2, "a.r1", 10000)}) % 10000 AS r2
    FROM (
      SELECT g.i,
        ${d.int(K.first, FIRST_NAMES.length)} + 1 AS fi,
        floor(${SURNAMES.length} * power(${d.uniform(K.surname1)}, 1.6))::int + 1 AS s1,
        floor(${SURNAMES.length} * power(${d.uniform(K.surname2)}, 1.6))::int + 1 AS s2,
        ${d.uniform(K.twoSurnames)} < 0.3 AS two,
        ${cityExpr(d)} AS ci,
        3600 + (1 - ${t}) * ${span - 3600} AS c_age,
        ${d.uniform(K.status)} AS st,
        ${d.uniform(K.source)} AS src,
        ${d.uniform(K.delay)} AS dly,
        ${d.uniform(K.optOut)} AS oo,
        ${d.uniform(K.hasInteraction)} AS hli,
        ${d.uniform(K.interaction)} AS lif,
        ${d.uniform(K.wallet)} AS wl,
        ${d.uniform(K.chips)} AS chm,
        ${Array.from({ length: tagHashes }, (_, k) => `${d.hash(K.tags + k)} AS t${k}`).join(", ")},
        ${intArray(tagFallback)}[${d.int(K.tagFallback, TAG_FALLBACK_BUCKETS)} + 1] AS tag_fallback,
        (g.i - 1) % 10000 AS r0,
        ((g.i - 1) / 10000 + ${f(1, "(g.i - 1) % 10000", 4000)}) % 4000 AS r1
      FROM generate_series(${from}, ${to}) AS g(i)
      OFFSET 0
    ) a
    OFFSET 0
  ) b
  OFFSET 0
) c`;
};

type ChipIds = [number, number];

// 70 % registered on chip 1 only, 15 % on chip 2 only, 15 % on both (chip 1 first).
const ONLY_FIRST = 0.7;
const ONLY_SECOND = 0.85;
const membership = (seed: number) => draws("c.id", seed).uniform(K.chips);
// contacts.chip_ids from the same membership draw, so the contact_chips inserts below leave it as it is (the
// trigger of migration 0002 finds nothing to change, or is off while the seed skips triggers).
const chipIdsExpr = (m: string, chips: ChipIds) => {
  const [a, b] = [...chips].sort((x, y) => x - y);
  return `CASE WHEN ${m} < ${ONLY_FIRST} THEN ARRAY[${chips[0]}] WHEN ${m} < ${ONLY_SECOND} THEN ARRAY[${chips[1]}] ELSE ARRAY[${a}, ${b}] END::int[]`;
};

// Whole table at once; ORDER BY id keeps the insert order (and consent event ids) deterministic and the
// (contact_id, …) indexes append-only.
const contactChipsInsertSql = (orgId: string, seed: number, chips: ChipIds) => {
  const d = draws("c.id", seed);
  const m = membership(seed);
  const columns = "organization_id, contact_id, chip_id, registered, first_seen_at, last_seen_at";
  const range = `c.organization_id = ${lit(orgId)}::uuid`;
  return [
    `INSERT INTO contact_chips (${columns})
SELECT ${lit(orgId)}::uuid, c.id, ${chips[0]}, true, c.created_at, coalesce(c.last_interaction_at, c.created_at)
FROM contacts c
WHERE ${range} AND NOT (${m} >= ${ONLY_FIRST} AND ${m} < ${ONLY_SECOND})
ORDER BY c.id`,
    // On both chips, the second one was met somewhere between creation and the last interaction.
    `INSERT INTO contact_chips (${columns})
SELECT ${lit(orgId)}::uuid, c.id, ${chips[1]}, true, c.first_seen, c.first_seen + (c.seen - c.first_seen) * c.g
FROM (
  SELECT c.id, c.seen,
    CASE WHEN c.m < ${ONLY_SECOND} THEN c.created_at ELSE c.created_at + (c.seen - c.created_at) * c.f END AS first_seen,
    CASE WHEN c.m < ${ONLY_SECOND} THEN 1 ELSE c.g END AS g
  FROM (
    SELECT c.id, c.created_at, coalesce(c.last_interaction_at, c.created_at) AS seen, ${m} AS m,
      ${d.uniform(K.secondChipSeen)} AS f, ${d.uniform(K.secondChipLast)} AS g
    FROM contacts c
    WHERE ${range} AND ${m} >= ${ONLY_FIRST}
    ORDER BY c.id
  ) c
  OFFSET 0
) c`,
  ];
};

// One opted_in event for every contact that opted in; opted-out contacts also get the opted_out event after it.
const consentInsertSql = (orgId: string, seed: number, chips: ChipIds, importerId: string) => {
  const m = membership(seed);
  const chip = `CASE WHEN ${m} >= ${ONLY_FIRST} AND ${m} < ${ONLY_SECOND} THEN ${chips[1]} ELSE ${chips[0]} END`;
  const text = (source: keyof typeof CONSENT_TEXT) => lit(CONSENT_TEXT[source]);
  const columns = "organization_id, contact_id, status, source, chip_id, user_id, text_shown, occurred_at";
  const range = `c.organization_id = ${lit(orgId)}::uuid`;
  return [
    `INSERT INTO consent_events (${columns})
SELECT ${lit(orgId)}::uuid, c.id, 'opted_in', c.opt_in_source,
  CASE WHEN c.opt_in_source IN ('whatsapp_reply', 'optin_template') THEN ${chip} END,
  CASE WHEN c.opt_in_source = 'import' THEN ${lit(importerId)}::uuid END,
  CASE c.opt_in_source WHEN 'import' THEN ${text("import")} WHEN 'form' THEN ${text("form")}
    WHEN 'whatsapp_reply' THEN ${text("whatsapp_reply")}
    -- The template as the contact read it: {{1}} is the first name it was sent with.
    ELSE replace(${text("optin_template")}, '{{1}}', split_part(c.name, ' ', 1)) END,
  c.opt_in_at
FROM contacts c
WHERE ${range} AND c.opt_in_status IN ('opted_in', 'opted_out')
ORDER BY c.id`,
    // SAIR typed by the contact, the "Parar promoções" button, or Meta's 131050 on a send.
    `INSERT INTO consent_events (${columns})
SELECT ${lit(orgId)}::uuid, c.id, 'opted_out',
  CASE WHEN c.ch < 0.60 THEN 'keyword'::opt_in_source WHEN c.ch < 0.90 THEN 'whatsapp_reply'::opt_in_source
       ELSE 'api_error'::opt_in_source END,
  c.chip_id, NULL,
  CASE WHEN c.ch < 0.60 THEN ${text("keyword")} WHEN c.ch < 0.90 THEN ${text("quick_reply")} END,
  c.opted_out_at
FROM (
  SELECT c.id, c.opted_out_at, ${chip} AS chip_id, ${draws("c.id", seed).uniform(K.optOutChannel)} AS ch
  FROM contacts c
  WHERE ${range} AND c.opt_in_status = 'opted_out'
  ORDER BY c.id
) c`,
  ];
};

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export const seedDemo = async (
  sql: postgres.Sql,
  options: SeedOptions,
): Promise<{ organizationId: string; contacts: number; ms: number }> => {
  const total = options.contacts;
  const seed = options.seed ?? 42;
  const log = options.log ?? (() => {});
  if (!Number.isInteger(total) || total < 0 || total > MAX_CONTACTS)
    throw new Error(`Quantidade de contatos inválida (${total}): use um inteiro entre 0 e ${MAX_CONTACTS}.`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 31)
    throw new Error(`Semente inválida (${seed}): use um inteiro entre 0 e ${2 ** 31}.`);

  const started = performance.now();
  let phaseStart = started;
  const phase = (name: string, detail = "") => {
    const now = performance.now();
    log(`${name}: ${seconds(now - phaseStart)}${detail ? ` (${detail})` : ""}`);
    phaseStart = now;
  };

  // Before the transaction: scrypt takes ~60 ms per hash and the key must be valid before anything is written.
  const tokens = DEMO_CHIPS.map((c) => encryptSecret(c.accessToken, options.encryptionKey));
  const hashes = await Promise.all(DEMO_USERS.map((u) => hashPassword(u.password)));
  phase("senhas e tokens");

  const organizationId = await sql.begin(async (tx) => {
    // Two seeds started at once must not both see an empty database.
    await tx`select pg_advisory_xact_lock(hashtext('disparo:seed'))`;
    const [existing] = await tx`select name from organizations limit 1`;
    if (existing)
      throw new Error(
        `O banco já tem uma organização ("${existing.name}"): o seed de demonstração só roda num banco vazio. ` +
          "Apague os dados (ou use outro DATABASE_URL) e rode o seed de novo.",
      );
    // Safe here: a crash loses the whole seed anyway, and the transaction is all-or-nothing.
    await tx`set local synchronous_commit = off`;
    // The ORDER BY id sorts below stay in memory for 1M contacts.
    await tx`set local work_mem = '256MB'`;
    // Fewer, larger merges of the GIN pending list on contacts.tag_ids.
    await tx`set local gin_pending_list_limit = '64MB'`;
    // Per-row foreign-key triggers cost more than the inserts themselves (~4 µs per check, 7 checks per
    // contact). Every referenced id below is a row this transaction just inserted or read, so when the role
    // may (superuser, as in development) they are skipped, like pg_restore --disable-triggers does.
    const fkTriggersSkipped = await tx
      .savepoint(async (sp) => {
        await sp`set local session_replication_role = replica`;
        return true;
      })
      .catch(() => false);

    const orgCreated = `${REF} - interval '${HISTORY_DAYS + 10} days'`;
    const [org] = await tx.unsafe<{ id: string }[]>(
      `insert into organizations (name, time_zone, package_balance, auto_increase_size, created_at, updated_at)
       values ($1, 'America/Sao_Paulo', 50000, 10000, ${orgCreated}, ${REF}) returning id`,
      [DEMO_ORG_NAME],
    );
    const orgId = org.id;

    const userIds: Record<Role, string> = { admin: "", gestor: "", operador: "" };
    for (const [i, u] of DEMO_USERS.entries()) {
      const [row] = await tx.unsafe<{ id: string }[]>(
        `insert into users (organization_id, name, email, password_hash, role, created_at, updated_at)
         values ($1, $2, $3, $4, $5, ${orgCreated}, ${orgCreated}) returning id`,
        [orgId, u.name, u.email, hashes[i], u.role],
      );
      userIds[u.role] = row.id;
    }

    await tx.unsafe(
      `insert into package_ledger (organization_id, kind, amount, balance_after, user_id, note, created_at)
       values ($1, 'manual_credit', 50000, 50000, $2, 'Pacote inicial da demonstração', ${orgCreated})`,
      [orgId, userIds.admin],
    );

    const walletIds = { varejo: 0, atacado: 0, ecommerce: 0 };
    for (const [key, name, owner] of [
      ["varejo", "Varejo", userIds.gestor],
      ["atacado", "Atacado", userIds.admin],
      ["ecommerce", "E-commerce", userIds.operador],
    ] as const) {
      const [row] = await tx.unsafe<{ id: number }[]>(
        `insert into wallets (organization_id, name, owner_user_id, created_at) values ($1, $2, $3, ${orgCreated})
         returning id`,
        [orgId, name, owner],
      );
      walletIds[key] = row.id;
    }

    const tagIds: number[] = [];
    for (const tag of TAGS) {
      const [row] = await tx.unsafe<{ id: number }[]>(
        `insert into tags (organization_id, name, color, created_at) values ($1, $2, $3, ${orgCreated}) returning id`,
        [orgId, tag.name, tag.color],
      );
      tagIds.push(row.id);
    }

    const chipIds: number[] = [];
    for (const [i, c] of DEMO_CHIPS.entries()) {
      const [row] = await tx.unsafe<{ id: number }[]>(
        `insert into chips (organization_id, name, display_number, phone_number_id, waba_id, access_token_encrypted,
           status, quality_rating, messaging_limit_tier, messages_per_second, created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, 'active', $7, $8, $9, ${orgCreated}, ${REF}) returning id`,
        [orgId, c.name, c.displayNumber, c.phoneNumberId, c.wabaId, tokens[i], c.qualityRating, c.messagingLimitTier,
          c.messagesPerSecond],
      );
      chipIds.push(row.id);
    }
    const chips: ChipIds = [chipIds[0], chipIds[1]];

    for (const [i, t] of DEMO_TEMPLATES.entries()) {
      await tx.unsafe(
        `insert into templates (organization_id, waba_id, meta_template_id, name, language, category, status,
           components, variables, variable_count, is_opt_in_request, synced_at)
         values ($1, $2, $3, $4, 'pt_BR', $5, $6, $7, $8, $9, $10, ${REF} - interval '2 hours')`,
        [orgId, DEMO_CHIPS[0].wabaId, String(900000000000001 + i), t.name, t.category, t.status,
          tx.json(t.components as postgres.JSONValue), tx.json(t.variables), t.variables.length, t.name === OPT_IN_TEMPLATE_NAME],
      );
    }

    for (const flow of DEMO_FLOWS) {
      await tx.unsafe(
        `insert into chatbot_flows (organization_id, name, description, active, entry_message, endpoint_url,
           created_at, updated_at)
         values ($1, $2, $3, $4, $5, $6, ${orgCreated}, ${orgCreated})`,
        [orgId, flow.name, flow.description, flow.active, flow.entryMessage, flow.endpointUrl],
      );
    }
    phase(
      "organização, usuários, carteiras, etiquetas, chips, templates e fluxos",
      fkTriggersSkipped ? "chaves estrangeiras conferidas pelo próprio seed" : "chaves estrangeiras verificadas linha a linha",
    );

    const ctx: ContactContext = { organizationId: orgId, seed, total, tagIds, walletIds, chips };
    for (let from = 1; from <= total; from += CHUNK) {
      await tx.unsafe(contactsInsertSql(ctx, from, Math.min(total, from + CHUNK - 1)));
    }
    phase("contatos", `${total.toLocaleString("pt-BR")} linhas`);
    if (total === 0) return orgId;

    // Segment buckets (contact_segment_counts): the seed may run with triggers off (session_replication_role),
    // so it writes them itself; with triggers on they already hold these numbers.
    await tx.unsafe(`
      insert into contact_segment_counts (organization_id, tag_id, chip_id, opt_in_status, wallet_id, state, n)
      select c.organization_id, f.tag_id, f.chip_id, c.opt_in_status, c.wallet_id, c.state, count(*)
        from contacts c cross join lateral contact_count_facets(c.tag_ids, c.chip_ids) f
       where c.organization_id = ${lit(orgId)}::uuid group by 1, 2, 3, 4, 5, 6
      on conflict on constraint contact_segment_counts_bucket do update set n = excluded.n`);
    // The same for the city suggestions' pairs (contact_city_counts).
    await tx.unsafe(`
      insert into contact_city_counts (organization_id, state, city, n)
      select organization_id, state, city, count(*) from contacts
       where organization_id = ${lit(orgId)}::uuid and city is not null and state is not null group by 1, 2, 3
      on conflict (organization_id, state, city) do update set n = excluded.n`);

    // Ids were given explicitly: move the identity past them.
    await tx.unsafe(`select setval(pg_get_serial_sequence('contacts', 'id'), ${total})`);

    let chipRows = 0;
    for (const statement of contactChipsInsertSql(orgId, seed, chips)) chipRows += (await tx.unsafe(statement)).count;
    phase("contact_chips", `${chipRows.toLocaleString("pt-BR")} linhas`);

    let consentRows = 0;
    for (const statement of consentInsertSql(orgId, seed, chips, userIds.gestor))
      consentRows += (await tx.unsafe(statement)).count;
    phase("consent_events", `${consentRows.toLocaleString("pt-BR")} linhas`);
    return orgId;
  });
  phase("commit");

  // Fresh statistics and a visibility map: segment counts right after the seed use index-only scans.
  await sql`vacuum (analyze) contacts, contact_chips, consent_events, tags, wallets`;
  phase("vacuum analyze");

  if (total > 0 && options.campaigns !== false) {
    await seedDemoCampaigns(sql, organizationId);
    phase("listas e campanhas de demonstração");
  }

  const ms = Math.round(performance.now() - started);
  log(`total: ${seconds(ms)}`);
  return { organizationId, contacts: total, ms };
};
