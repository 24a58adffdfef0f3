import { createHash } from "node:crypto";
import { and, eq, inArray, sql, type SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "@/db/schema";
import { audiences, auditLog, campaigns, chatbotFlows, chips, contacts, organizations, tags, templates, users } from "@/db/schema";
import { recipientRules, SKIP_REASONS, type ChipScope } from "@/lib/campaigns/audience";
import { confirmationData, confirmCampaign, saveCampaign, freezeTemplate, type CampaignInput } from "@/lib/campaigns/campaigns";
import { dateToZonedLocal, zonedLocalToDate } from "@/lib/campaigns/time";
import { renderVariables, type VariableMapping } from "@/lib/campaigns/variables";
import { countAudience } from "@/lib/segments/queries";
import type { AudienceFilter } from "@/lib/segments/filter";

// The demo's lists and campaigns, so a newcomer sees the panel in use: three listas de público, two campaigns that
// already ran (Relatórios has something to show), a draft, a campaign waiting for a gestor and a scheduled one
// (confirmed through the same code as the app, so its frozen filter and estimate are real). Runs after the contacts
// are committed. Moments are relative to today on São Paulo's clock (the finished campaigns ran 9 and 3 days ago,
// the scheduled one is next Saturday at 10:00); everything else is deterministic. Running it again on the same
// organization adds nothing: every list and campaign is looked up by name first.

const TZ = "America/Sao_Paulo";

export const DEMO_LISTS = [
  { name: "Oferta especial maio", tags: ["Campanha teste 22/05"] },
  // Every opt-in status, as a team that lists "all active customers" would: the confirmation shows who is skipped.
  { name: "Clientes ativos de SP", tags: ["Cliente ativo"], states: ["SP"], optIn: ["opted_in", "pending", "none", "opted_out"] },
  { name: "Sem opt-in ainda (pedido de consentimento)", optIn: ["pending", "none"] as const },
] as const;

const nextSaturdayAt10 = (now: Date) => {
  const local = dateToZonedLocal(now, TZ);
  const day = new Date(`${local.slice(0, 10)}T12:00:00Z`);
  const ahead = ((6 - day.getUTCDay() + 7) % 7) || 7;
  day.setUTCDate(day.getUTCDate() + ahead);
  return `${day.toISOString().slice(0, 10)}T10:00`;
};

type Db = ReturnType<typeof drizzle<typeof schema>>;

export const seedDemoCampaigns = async (sql: postgres.Sql, organizationId: string, now = new Date()) => {
  // A client of its own: drizzle changes the type parsers and serializers of the client it wraps, and the
  // caller's client must keep postgres.js's own (Dates in, Dates out).
  const o = sql.options;
  const own = postgres({ host: o.host as unknown as string, port: o.port as unknown as number, database: o.database, user: o.user, pass: o.pass ?? undefined, max: 2, onnotice: () => {} });
  try {
    await seedWith(drizzle(own, { schema }), organizationId, now);
  } finally {
    await own.end({ timeout: 5 });
  }
};

// ---- Moments on the organization's clock, relative to the day of `now` ----

type Moment = { day: number; time: string; seconds?: number };

const dayOf = (now: Date, offset: number) => {
  const d = new Date(`${dateToZonedLocal(now, TZ).slice(0, 10)}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
};
const momentOf = (now: Date, m: Moment) => new Date(zonedLocalToDate(`${dayOf(now, m.day)}T${m.time}`, TZ)!.getTime() + (m.seconds ?? 0) * 1000);
const plus = (at: Date, seconds: number) => new Date(at.getTime() + Math.round(seconds * 1000));
const iso = (at: Date | null) => (at ? at.toISOString() : null);

// The lists were saved three weeks before today (their counts are those of the seed, as if nothing changed since).
const LISTS_SAVED: Moment = { day: -21, time: "11:15" };

// ---- The two campaigns that already ran ----

/** Outcomes given on purpose to the first recipients of a draw, so every kind shows up however small the seed. */
type Special =
  | "opt_out_131050"
  | "undeliverable_131026"
  | "ecosystem_131049"
  | "experiment_130472"
  | "server_error_131000"
  | "timeout"
  | "interrupted"
  | "reply_sair"
  | "reply_parar"
  | "reply_button"
  | "reply_text"
  | "free_entry_point";

type FinishedCampaign = {
  /** Hash stream of the campaign's draws. */
  key: number;
  name: string;
  /** The chip's phone_number_id (db/seed.ts DEMO_CHIPS). */
  chip: string;
  list: (typeof DEMO_LISTS)[number]["name"];
  template: string;
  flow: string | null;
  headerMediaUrl: string | null;
  variables: VariableMapping[];
  scope: ChipScope;
  created: Moment;
  confirmed: Moment;
  /** Scheduled sends start at this moment; immediate ones a moment after the confirmation. */
  scheduled: Moment | null;
  specials: Special[];
  /** Free-text replies. */
  replies: string[];
};

export const FINISHED_CAMPAIGNS: readonly FinishedCampaign[] = [
  {
    key: 71,
    name: "Black Friday antecipada",
    chip: "100000000000001",
    list: "Oferta especial maio",
    template: "promo_black_friday",
    flow: "Atendimento comercial",
    headerMediaUrl: "https://lojaexemplo.com.br/midia/black-friday-2026.jpg",
    variables: [
      { component: "body", index: 1, source: "field", field: "first_name", fallback: "cliente" },
      { component: "body", index: 2, source: "text", text: "BLACK20" },
    ],
    scope: "this_chip",
    created: { day: -10, time: "16:20" },
    confirmed: { day: -10, time: "16:34", seconds: 12 },
    scheduled: { day: -9, time: "10:00" },
    specials: ["opt_out_131050", "undeliverable_131026", "ecosystem_131049", "experiment_130472", "timeout", "reply_sair", "reply_button", "reply_text", "reply_button"],
    replies: ["Tem no tamanho M?", "O cupom vale na loja física também?", "Qual o prazo de entrega para o meu CEP?", "Quero saber mais!"],
  },
  {
    key: 72,
    name: "Lembrete de carrinho – clientes de SP",
    chip: "100000000000002",
    list: "Clientes ativos de SP",
    template: "lembrete_carrinho",
    flow: null,
    headerMediaUrl: null,
    variables: [{ component: "body", index: 1, source: "field", field: "first_name", fallback: "cliente" }],
    scope: "this_chip",
    created: { day: -3, time: "13:48" },
    confirmed: { day: -3, time: "14:02", seconds: 9 },
    scheduled: null,
    specials: ["undeliverable_131026", "ecosystem_131049", "server_error_131000", "interrupted", "reply_parar", "reply_button", "reply_text", "free_entry_point", "free_entry_point"],
    replies: ["Ainda tem o tênis no tamanho 39?", "Consigo parcelar em 10x?", "Já finalizei a compra, obrigada!"],
  },
];

// What Meta's status webhooks carry for these failures; lib/whatsapp/status-batcher.ts stores "title: message".
const META_FAILURES: Record<number, string> = {
  131026: "Message undeliverable",
  131049: "This message was not delivered to maintain healthy ecosystem engagement.",
  130472: "User's number is part of an experiment",
  131050: "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business",
};
const failureText = (code: number) => `${META_FAILURES[code]}: ${META_FAILURES[code]}`.slice(0, 500);
const SPECIAL_CODES: Partial<Record<Special, number>> = {
  opt_out_131050: 131050,
  undeliverable_131026: 131026,
  ecosystem_131049: 131049,
  experiment_130472: 130472,
};
// What recordResults stores for a send answered with an error (describe(): code, Meta's message and details).
const THROUGHPUT_RETRY = { code: 130429, message: "130429 (#130429) Rate limit hit — Cloud API message throughput has been reached." };
const SERVER_ERROR = "131000 (#131000) Something went wrong — Message failed to send because of an unknown error. (após 5 tentativas)";
const TIMEOUT_MESSAGE = "TIMEOUT The operation was aborted due to timeout";
// recoverStale's words for a row left in sending (the worker was restarted mid-send).
const INTERRUPTED_MESSAGE = "Envio interrompido sem resposta: pode ter sido entregue. Não é reenviado automaticamente.";
// The status batcher's words for a 131050 opt-out (lib/whatsapp/status-batcher.ts).
const API_OPT_OUT_TEXT = "O contato parou de receber mensagens de marketing no WhatsApp (erro 131050)";
const MORE_BUTTON = "Quero saber mais";
const STOP_BUTTON = "Parar promoções";
const AD_MESSAGE = "Olá! Vi o anúncio de vocês no Instagram e quero saber mais sobre as promoções.";

/** A wamid shaped like Meta's (base64 of the number and an id), the id a hash of `key`: the same on every run. */
const wamidOf = (phone: string, key: string) => {
  const digits = Buffer.from(phone.replace(/\D/g, ""));
  const id = createHash("sha1").update(`disparo-demo:${key}`).digest("hex").slice(0, 18).toUpperCase();
  return `wamid.${Buffer.concat([Buffer.from([0x1c, 0x18, digits.length]), digits, Buffer.from([0x15, 0x02, 0x00, 0x11, 0x18, 0x12]), Buffer.from(id), Buffer.from([0x00])]).toString("base64")}`;
};

/** Log-uniform between a and b seconds: most delays short, a long tail. */
const between = (u: number, a: number, b: number) => a * (b / a) ** u;

const DRAWS = 12;

type Candidate = { contactId: number; phone: string; name: string; city: string | null; state: string | null; wallet: string | null; reason: number; u: number[] };

type PlannedRow = {
  contact_id: number;
  phone: string;
  variables: { header: string[]; body: string[] };
  status: "skipped" | "sent" | "delivered" | "read" | "failed" | "indeterminate";
  skip_reason: string | null;
  wamid: string | null;
  attempts: number;
  last_attempt_at: string | null;
  error_code: number | null;
  error_message: string | null;
  sent_at: string | null;
  delivered_at: string | null;
  read_at: string | null;
  failed_at: string | null;
  replied_at: string | null;
  billable: boolean | null;
  routed_flow_id: number | null;
};

type Inbound = {
  contact_id: number;
  phone: string;
  wamid: string;
  type: "text" | "button";
  text: string;
  context: string | null;
  /** A reply to this campaign's message (else a message before it). */
  reply: boolean;
  payload: { payload: string } | null;
  at: string;
  /** The chatbot flow start it caused: the entry message's wamid. */
  entry_wamid: string | null;
};

type Plan = {
  rows: PlannedRow[];
  inbound: Inbound[];
  optOuts: { contact_id: number; at: string; source: "api_error" | "keyword"; text: string }[];
  /** Contacts whose last interaction (and chip last seen) moves to `at`. */
  seen: { contact_id: number; at: string }[];
  finishedAt: Date;
  /** Counts per status when the campaign finished (the audit entry of campaign.complete). */
  progressAtFinish: Record<string, number>;
};

/**
 * The outcome of every snapshotted contact, as the dispatch core and the webhooks would have left it: sends in
 * contact order at the chip's pace (a few retried after a 130429), Meta's statuses over the following hours,
 * failures of each kind, replies (routed to the flow, or opt-outs by keyword), debits for what Meta accepted.
 */
const planOutcomes = (spec: FinishedCampaign, candidates: Candidate[], ctx: { start: Date; mps: number; flowId: number | null; orgKey: string }): Plan => {
  const { start, mps, flowId } = ctx;
  const key = (contactId: number, what: string) => `${ctx.orgKey}:${spec.key}:${contactId}:${what}`;
  const pending = candidates.filter((c) => c.reason === 0);
  // The specials go to the first contacts of an independent draw, not to the first ids.
  const special = new Map<number, Special>();
  [...pending].sort((a, b) => a.u[0]! - b.u[0]! || a.contactId - b.contactId).forEach((c, i) => {
    const s = spec.specials[i];
    if (s) special.set(c.contactId, s);
  });
  const passEnd = plus(start, 0.6 + pending.length / mps + 0.3);
  const rows: PlannedRow[] = [];
  const inbound: Inbound[] = [];
  const optOuts: Plan["optOuts"] = [];
  const seen: Plan["seen"] = [];
  const finishes: Date[] = [];
  // Status of each accepted row at a moment, for the campaign.complete progress.
  const timelines: { sent: Date | null; delivered: Date | null; read: Date | null; failed: Date | null; final: PlannedRow["status"] }[] = [];
  let order = 0;
  for (const c of candidates) {
    const values = renderVariables(spec.variables, { name: c.name, city: c.city, state: c.state, wallet: c.wallet });
    const base: PlannedRow = {
      contact_id: c.contactId,
      phone: c.phone,
      variables: { header: values.header, body: values.body },
      status: "skipped",
      skip_reason: c.reason === 0 ? null : SKIP_REASONS[c.reason - 1]!,
      wamid: null,
      attempts: 0,
      last_attempt_at: null,
      error_code: null,
      error_message: null,
      sent_at: null,
      delivered_at: null,
      read_at: null,
      failed_at: null,
      replied_at: null,
      billable: null,
      routed_flow_id: null,
    };
    if (c.reason !== 0) {
      rows.push(base);
      timelines.push({ sent: null, delivered: null, read: null, failed: null, final: "skipped" });
      continue;
    }
    const u = c.u;
    const s = special.get(c.contactId);
    const first = plus(start, 0.6 + order++ / mps + u[5]! * 0.2);
    const latency = 0.12 + u[6]! * 0.25;
    const row: PlannedRow = { ...base, attempts: 1, last_attempt_at: iso(first) };

    if (s === "server_error_131000") {
      // Refused five times (backoff 2, 4, 8, 16 s): never accepted, so never debited; "Reenviar falhas" may retry it.
      let attempt = first;
      for (let k = 1; k < 5; k++) attempt = plus(attempt, latency + 2 * 2 ** (k - 1));
      const failed = plus(attempt, latency);
      Object.assign(row, { status: "failed", attempts: 5, last_attempt_at: iso(attempt), error_code: 131000, error_message: SERVER_ERROR, failed_at: iso(failed) });
      finishes.push(failed);
      rows.push(row);
      timelines.push({ sent: null, delivered: null, read: null, failed, final: "failed" });
      continue;
    }
    if (s === "timeout" || s === "interrupted") {
      // Written, never answered: it may have gone out, so it is never sent again automatically.
      const resolved = s === "timeout" ? plus(first, 10 + latency) : plus(first, 120 + 1.5 + u[8]! * 5);
      Object.assign(row, { status: "indeterminate", error_message: s === "timeout" ? TIMEOUT_MESSAGE : INTERRUPTED_MESSAGE });
      finishes.push(resolved);
      rows.push(row);
      timelines.push({ sent: null, delivered: null, read: null, failed: null, final: "indeterminate" });
      continue;
    }

    // Accepted by the API (a wamid, debited), possibly after a 130429 on the first try.
    const specialCode = s ? SPECIAL_CODES[s] : undefined;
    const kind: "read" | "delivered" | "sent" | "failed" = specialCode
      ? "failed"
      : s?.startsWith("reply_")
        ? "read"
        : s === "free_entry_point"
          ? u[1]! < 0.6
            ? "read"
            : "delivered"
          : u[1]! < 0.6
            ? "read"
            : u[1]! < 0.86
              ? "delivered"
              : u[1]! < 0.94
                ? "sent"
                : "failed";
    const code = specialCode ?? (kind === "failed" ? (u[1]! < 0.97 ? 131026 : 131049) : null);
    const retried = !s && kind !== "failed" && u[4]! < 0.05;
    const attemptAt = retried ? plus(passEnd, 0.5 + u[6]! * 1.5) : first;
    const sent = plus(attemptAt, latency);
    Object.assign(row, { wamid: wamidOf(c.phone, key(c.contactId, "out")), sent_at: iso(sent), last_attempt_at: iso(attemptAt) });
    if (retried) Object.assign(row, { attempts: 2, error_code: THROUGHPUT_RETRY.code, error_message: THROUGHPUT_RETRY.message });
    finishes.push(sent);
    if (kind === "failed") {
      // Meta accepted it, then a status webhook said it failed (no sent/delivered status, so no pricing).
      const failed = plus(sent, between(u[8]!, 0.8, 4));
      Object.assign(row, { status: "failed", error_code: code, error_message: failureText(code!), failed_at: iso(failed) });
      if (code === 131050) optOuts.push({ contact_id: c.contactId, at: iso(plus(failed, 0.05))!, source: "api_error", text: API_OPT_OUT_TEXT });
      rows.push(row);
      timelines.push({ sent, delivered: null, read: null, failed, final: "failed" });
      continue;
    }
    // Meta's sent and delivered statuses carry pricing.billable: true, except inside a free entry point (the
    // contact wrote from a click-to-WhatsApp ad less than 72 h before).
    row.billable = s !== "free_entry_point";
    row.status = kind;
    let delivered: Date | null = null;
    let read: Date | null = null;
    if (kind !== "sent") {
      delivered = plus(sent, u[7]! < 0.82 ? between(u[8]!, 1.5, 9) : u[7]! < 0.95 ? between(u[8]!, 20, 2400) : between(u[8]!, 5400, 39600));
      row.delivered_at = iso(delivered);
    }
    if (kind === "read") {
      read = plus(delivered!, u[9]! < 0.35 ? between(u[10]!, 15, 600) : u[9]! < 0.75 ? between(u[10]!, 600, 10800) : between(u[10]!, 10800, 72000));
      row.read_at = iso(read);
    }
    timelines.push({ sent, delivered, read, failed: null, final: kind });
    if (s === "free_entry_point") {
      const wrote = plus(start, -between(u[11]!, 3 * 3600, 40 * 3600));
      inbound.push({ contact_id: c.contactId, phone: c.phone, wamid: wamidOf(c.phone, key(c.contactId, "ad")), type: "text", text: AD_MESSAGE, context: null, reply: false, payload: null, at: iso(wrote)!, entry_wamid: null });
      seen.push({ contact_id: c.contactId, at: iso(wrote)! });
    }
    // Replies, to read messages: a quick-reply button or a text, some of them an opt-out.
    const reply: Special | null = s?.startsWith("reply_") ? s : kind === "read" && !s && u[2]! < 0.1 ? (u[3]! < 0.6 ? "reply_button" : "reply_text") : null;
    if (reply) {
      const at = plus(read!, between(u[11]!, 8, 1500));
      const text =
        reply === "reply_sair" ? "SAIR" : reply === "reply_parar" ? STOP_BUTTON : reply === "reply_button" ? MORE_BUTTON : spec.replies[Math.floor(u[3]! * spec.replies.length) % spec.replies.length]!;
      const button = reply === "reply_parar" || reply === "reply_button";
      const optOut = reply === "reply_sair" || reply === "reply_parar";
      const routed = !optOut && flowId !== null;
      row.replied_at = iso(at);
      if (routed) row.routed_flow_id = flowId;
      inbound.push({
        contact_id: c.contactId,
        phone: c.phone,
        wamid: wamidOf(c.phone, key(c.contactId, "in")),
        type: button ? "button" : "text",
        text,
        context: row.wamid,
        reply: true,
        payload: button ? { payload: text } : null,
        at: iso(at)!,
        entry_wamid: routed ? wamidOf(c.phone, key(c.contactId, "flow")) : null,
      });
      seen.push({ contact_id: c.contactId, at: iso(at)! });
      if (optOut) optOuts.push({ contact_id: c.contactId, at: iso(plus(at, 0.4))!, source: "keyword", text: `Respondeu “${text}”` });
    }
    rows.push(row);
  }
  // The worker finishes the campaign at its next look once nothing is pending or in flight.
  const finishedAt = plus(new Date(finishes.reduce((m, f) => Math.max(m, f.getTime()), start.getTime())), 0.7);
  const progressAtFinish: Record<string, number> = { pending: 0, sending: 0, sent: 0, delivered: 0, read: 0, failed: 0, skipped: 0, indeterminate: 0, total: rows.length };
  const by = (at: Date | null) => at !== null && at.getTime() <= finishedAt.getTime();
  for (const t of timelines) {
    const status =
      t.final === "skipped" || t.final === "indeterminate" || (t.final === "failed" && !t.sent)
        ? t.final
        : by(t.failed)
          ? "failed"
          : by(t.read)
            ? "read"
            : by(t.delivered)
              ? "delivered"
              : "sent";
    progressAtFinish[status]!++;
  }
  return { rows, inbound, optOuts, seen, finishedAt, progressAtFinish };
};

const scopeSql = (scope: ChipScope, chipId: number): SQL =>
  scope === "this_chip"
    ? sql`${contacts.chipIds} @> array[${chipId}::int]`
    : scope === "other_chips"
      ? sql`(cardinality(${contacts.chipIds}) > 0 and not ${contacts.chipIds} @> array[${chipId}::int])`
      : sql`true`;

class NobodyToReach extends Error {}

/**
 * One campaign that already ran, in one transaction: created and confirmed by the gestor (the confirmation's
 * numbers from confirmationData, as "Confirmar envio" freezes them), the audience snapshotted with the dispatch
 * core's rules (recipientRules: who is skipped and why), every recipient's outcome, the package debits, the replies
 * with their flow starts, the opt-outs with their consent events, and the audit trail, each at its moment.
 * Skipped when a campaign of that name exists, or when nobody of the list would be reached (tiny seeds).
 */
const seedFinishedCampaign = async (db: Db, organizationId: string, spec: FinishedCampaign, now: Date, ids: { gestor: string }) => {
  try {
    return await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext('disparo:seed'))`);
      const [existing] = await tx.select({ id: campaigns.id }).from(campaigns).where(and(eq(campaigns.organizationId, organizationId), eq(campaigns.name, spec.name)));
      if (existing) return null;
      const [org] = await tx.select().from(organizations).where(eq(organizations.id, organizationId));
      const [chip] = await tx.select().from(chips).where(and(eq(chips.organizationId, organizationId), eq(chips.phoneNumberId, spec.chip)));
      const [list] = await tx.select().from(audiences).where(and(eq(audiences.organizationId, organizationId), eq(audiences.name, spec.list)));
      const [template] = await tx.select().from(templates).where(and(eq(templates.organizationId, organizationId), eq(templates.name, spec.template)));
      const [flow] = spec.flow
        ? await tx.select().from(chatbotFlows).where(and(eq(chatbotFlows.organizationId, organizationId), eq(chatbotFlows.name, spec.flow)))
        : [null];
      if (!org || !chip || !list || !template || flow === undefined) throw new Error(`seed: referências da campanha “${spec.name}” não encontradas`);

      const created = momentOf(now, spec.created);
      const confirmed = momentOf(now, spec.confirmed);
      const scheduledAt = spec.scheduled ? momentOf(now, spec.scheduled) : null;
      const start = scheduledAt ? plus(scheduledAt, 1.4) : plus(confirmed, 2.3);

      // "Enviar Campanha" by a gestor: the campaign stays a draft and goes on to the confirmation screen.
      const [draft] = await tx
        .insert(campaigns)
        .values({
          organizationId,
          name: spec.name,
          chipId: chip.id,
          audienceId: list.id,
          templateId: template.id,
          templateVariables: spec.variables,
          flowId: flow?.id ?? null,
          headerMediaUrl: spec.headerMediaUrl,
          sendMode: scheduledAt ? "scheduled" : "immediate",
          scheduledAt,
          status: "draft",
          packageConsent: true,
          packageConsentAt: created,
          packageConsentByUserId: ids.gestor,
          submittedByUserId: ids.gestor,
          submittedAt: created,
          createdByUserId: ids.gestor,
          createdAt: created,
          updatedAt: created,
        })
        .returning();
      const campaign = draft!;

      // "Confirmar envio", as confirmCampaign computes and freezes it.
      const data = await confirmationData(tx, organizationId, campaign, { timeZone: org.timeZone, now: confirmed });
      if (data.problems.length) throw new Error(`seed: a campanha “${spec.name}” não pode ser confirmada: ${data.problems[0]}`);
      const chosen = data.options[spec.scope];
      if (chosen.recipients === 0) throw new NobodyToReach();
      const t = data.refs.template;
      const frozenTemplate = freezeTemplate(t);
      const estimate = {
        ...chosen.estimate,
        chipScope: spec.scope,
        inScope: chosen.inScope,
        skipped: data.breakdown.scopes[spec.scope].skipped,
        listCount: data.breakdown.listCount,
        listSavedCount: data.listChange.savedCount,
      };

      // The snapshot when sending started: startCampaign's rules, on the contacts that existed then.
      const rules = recipientRules({
        organizationId,
        filter: data.filter,
        timeZone: org.timeZone,
        chipId: chip.id,
        mapping: spec.variables,
        optInRequest: template.isOptInRequest,
        frequencyCap:
          template.category === "marketing" && org.frequencyCapMessages && org.frequencyCapDays
            ? { messages: org.frequencyCapMessages, days: org.frequencyCapDays }
            : null,
        campaignId: campaign.id,
      });
      const capped = rules.recent ? sql`${contacts.id} in (select contact_id from recent)` : sql`false`;
      // Independent draws per contact from the database's hash, as db/seed.ts draws its contacts.
      const draws = sql.join(
        Array.from({ length: DRAWS }, (_, k) => sql.raw(`(hashint8extended(contacts.id, ${spec.key * 100 + k}) & 4294967295)::float8 / 4294967296.0`)),
        sql`, `,
      );
      const found = await tx.execute<{ contact_id: string | number; phone: string; name: string; city: string | null; state: string | null; wallet: string | null; reason: number; u: (string | number)[] }>(sql`
        with recent as materialized (${rules.recent ?? sql`select null::bigint as contact_id where false`})
        select ${contacts.id} as contact_id, ${contacts.phone} as phone, ${contacts.name} as name, ${contacts.city} as city,
               ${contacts.state} as state, (select w.name from wallets w where w.id = ${contacts.walletId}) as wallet,
               case when ${rules.rowReason} = 0 and ${capped} then ${rules.code("frequency_cap")} else ${rules.rowReason} end as reason,
               array[${draws}] as u
          from ${contacts}
         where ${rules.where} and ${scopeSql(spec.scope, chip.id)} and ${contacts.createdAt} <= ${iso(start)}::timestamptz
         order by ${contacts.id}`);
      const candidates: Candidate[] = found.map((r) => ({
        contactId: Number(r.contact_id),
        phone: r.phone,
        name: r.name,
        city: r.city,
        state: r.state,
        wallet: r.wallet,
        reason: Number(r.reason),
        u: r.u.map(Number),
      }));
      const plan = planOutcomes(spec, candidates, { start, mps: chip.messagesPerSecond, flowId: flow?.id ?? null, orgKey: organizationId });

      const inserted = await tx.execute<{ id: string | number; contact_id: string | number }>(sql`
        insert into campaign_recipients (organization_id, campaign_id, contact_id, chip_id, phone, variables, status, skip_reason,
          wamid, attempts, last_attempt_at, error_code, error_message, sent_at, delivered_at, read_at, failed_at, replied_at,
          billable, routed_flow_id, created_at)
        select ${organizationId}::uuid, ${campaign.id}, v.contact_id, ${chip.id}, v.phone, v.variables, v.status::recipient_status,
               v.skip_reason::skip_reason, v.wamid, v.attempts, v.last_attempt_at, v.error_code, v.error_message, v.sent_at,
               v.delivered_at, v.read_at, v.failed_at, v.replied_at, v.billable, v.routed_flow_id, ${iso(start)}::timestamptz
          from jsonb_to_recordset(${JSON.stringify(plan.rows)}::jsonb) as v(contact_id bigint, phone text, variables jsonb,
               status text, skip_reason text, wamid text, attempts int, last_attempt_at timestamptz, error_code int,
               error_message text, sent_at timestamptz, delivered_at timestamptz, read_at timestamptz, failed_at timestamptz,
               replied_at timestamptz, billable boolean, routed_flow_id int)
         order by v.contact_id
        returning id, contact_id`);

      await tx
        .update(campaigns)
        .set({
          status: "completed",
          chipScope: spec.scope,
          optInConfirmed: false,
          frozenFilter: data.filter,
          frozenAudienceName: list.name,
          frozenTemplate,
          estimate,
          confirmedByUserId: ids.gestor,
          confirmedAt: confirmed,
          startedAt: start,
          snapshotAt: start,
          snapshotCount: inserted.length,
          finishedAt: plan.finishedAt,
          updatedAt: plan.finishedAt,
        })
        .where(eq(campaigns.id, campaign.id));

      // One debit per message Meta accepted (recordResults → debit), in the order they were accepted.
      const [balance] = await tx.execute<{ b: number }>(sql`select package_balance as b from organizations where id = ${organizationId}::uuid for update`);
      const debits = await tx.execute<{ at: string }>(sql`
        insert into package_ledger (organization_id, kind, amount, balance_after, campaign_id, recipient_id, created_at)
        select ${organizationId}::uuid, 'debit', -1, ${Number(balance!.b)} - row_number() over (order by r.sent_at, r.id), ${campaign.id}, r.id, r.sent_at
          from campaign_recipients r
         where r.campaign_id = ${campaign.id} and r.wamid is not null
         order by r.sent_at, r.id
        returning created_at as at`);
      if (debits.length) {
        const last = debits.reduce((m, d) => (new Date(d.at) > m ? new Date(d.at) : m), new Date(0));
        await tx.execute(sql`
          update organizations set package_balance = package_balance - ${debits.length}, updated_at = greatest(updated_at, ${iso(last)}::timestamptz)
           where id = ${organizationId}::uuid`);
      }

      // Replies (and the messages from an ad before the campaign), as the webhook stores them.
      if (plan.inbound.length) {
        await tx.execute(sql`
          with v as (
            select * from jsonb_to_recordset(${JSON.stringify(plan.inbound)}::jsonb) as v(contact_id bigint, phone text, wamid text,
              type text, text text, context text, reply boolean, payload jsonb, at timestamptz, entry_wamid text)
          )
          insert into inbound_messages (organization_id, chip_id, contact_id, wamid, from_phone, type, text, context_wamid, payload,
            received_at, campaign_recipient_id)
          select ${organizationId}::uuid, ${chip.id}, v.contact_id, v.wamid, v.phone, v.type, v.text, v.context, v.payload, v.at, r.id
            from v left join campaign_recipients r on v.reply and r.campaign_id = ${campaign.id} and r.contact_id = v.contact_id
           order by v.at`);
        const routed = plan.inbound.filter((m) => m.entry_wamid);
        if (routed.length && flow)
          // The flow started at once (lib/whatsapp/flow-routing.ts): its entry message sent, handed over to the external
          // bot in one attempt when the flow has one → done.
          await tx.execute(sql`
            insert into flow_starts (organization_id, campaign_recipient_id, flow_id, chip_id, contact_id, inbound_message_id, status,
              entry_result, entry_wamid, handoff_attempts, next_attempt_at, created_at, updated_at)
            select ${organizationId}::uuid, m.campaign_recipient_id, ${flow.id}, ${chip.id}, m.contact_id, m.id,
                   'done', 'sent', v.entry_wamid, ${flow.endpointUrl ? 1 : 0}, m.received_at,
                   m.received_at + interval '50 milliseconds', m.received_at + interval '1200 milliseconds'
              from jsonb_to_recordset(${JSON.stringify(routed.map((m) => ({ wamid: m.wamid, entry_wamid: m.entry_wamid })))}::jsonb)
                   as v(wamid text, entry_wamid text)
              join inbound_messages m on m.wamid = v.wamid
             order by m.received_at`);
      }

      // Contacts: last interaction (and the chip's last seen) at their messages; opt-outs with their consent event.
      const touched = new Map<number, { seen: string | null; out: string | null }>();
      for (const s of plan.seen) {
        const t0 = touched.get(s.contact_id) ?? { seen: null, out: null };
        t0.seen = t0.seen && t0.seen > s.at ? t0.seen : s.at;
        touched.set(s.contact_id, t0);
      }
      for (const o of plan.optOuts) touched.set(o.contact_id, { seen: touched.get(o.contact_id)?.seen ?? null, out: o.at });
      if (touched.size) {
        const payload = JSON.stringify([...touched].map(([id, v]) => ({ id, seen: v.seen, out_at: v.out })));
        // opt_in_source stays how the contact opted in (what its opted_in consent event says); the opt-out's source
        // is on its own consent event.
        await tx.execute(sql`
          update contacts c set
            last_interaction_at = greatest(c.last_interaction_at, v.seen),
            opt_in_status = case when v.out_at is not null then 'opted_out'::opt_in_status else c.opt_in_status end,
            opted_out_at = coalesce(v.out_at, c.opted_out_at),
            updated_at = greatest(c.updated_at, v.out_at)
            from jsonb_to_recordset(${payload}::jsonb) as v(id bigint, seen timestamptz, out_at timestamptz)
           where c.id = v.id and c.organization_id = ${organizationId}::uuid`);
        await tx.execute(sql`
          update contact_chips cc set last_seen_at = greatest(cc.last_seen_at, v.seen)
            from jsonb_to_recordset(${payload}::jsonb) as v(id bigint, seen timestamptz, out_at timestamptz)
           where cc.contact_id = v.id and cc.chip_id = ${chip.id} and v.seen is not null`);
      }
      if (plan.optOuts.length)
        await tx.execute(sql`
          insert into consent_events (organization_id, contact_id, status, source, chip_id, campaign_id, text_shown, occurred_at)
          select ${organizationId}::uuid, v.contact_id, 'opted_out', v.source::opt_in_source, ${chip.id}, ${campaign.id}, v.text, v.at
            from jsonb_to_recordset(${JSON.stringify(plan.optOuts)}::jsonb) as v(contact_id bigint, at timestamptz, source text, text text)
           order by v.at`);

      const entry = (action: string, userId: string | null, createdAt: Date, data: unknown) => ({
        organizationId,
        userId,
        action,
        entityType: "campaign",
        entityId: String(campaign.id),
        data,
        createdAt,
      });
      await tx.insert(auditLog).values([
        entry("campaign.submit", ids.gestor, created, { name: spec.name, status: "draft" }),
        entry("campaign.confirm", ids.gestor, confirmed, { status: scheduledAt ? "scheduled" : "queued", chipScope: spec.scope, recipients: chosen.recipients, scheduledAt: iso(scheduledAt) }),
        entry("campaign.start", null, start, { recipients: inserted.length, late: 0 }),
        entry("campaign.complete", null, plan.finishedAt, plan.progressAtFinish),
      ]);
      return campaign.id;
    });
  } catch (err) {
    if (err instanceof NobodyToReach) return null;
    throw err;
  }
};

const seedWith = async (db: Db, organizationId: string, now: Date) => {
  const tagRows = await db.select({ id: tags.id, name: tags.name }).from(tags).where(eq(tags.organizationId, organizationId));
  const tagId = (name: string) => tagRows.find((t) => t.name === name)!.id;
  const people = await db.select({ id: users.id, role: users.role }).from(users).where(eq(users.organizationId, organizationId));
  const userOf = (role: "gestor" | "operador") => people.find((u) => u.role === role)!.id;
  const actor = (role: "gestor" | "operador") => ({ organizationId, userId: userOf(role), role });
  const listsSaved = momentOf(now, LISTS_SAVED);
  const listIds: number[] = [];
  for (const l of DEMO_LISTS) {
    const [existing] = await db.select({ id: audiences.id }).from(audiences).where(and(eq(audiences.organizationId, organizationId), eq(audiences.name, l.name)));
    if (existing) {
      listIds.push(existing.id);
      continue;
    }
    const filter: AudienceFilter = {
      version: 1,
      ...("tags" in l ? { tags: { any: l.tags.map(tagId) } } : {}),
      ...("states" in l ? { states: [...l.states] } : {}),
      ...("optIn" in l ? { optIn: [...l.optIn] } : {}),
    };
    const savedCount = await countAudience(db, organizationId, filter, { timeZone: TZ });
    const [row] = await db
      .insert(audiences)
      .values({ organizationId, name: l.name, filter, savedCount, createdByUserId: userOf("operador"), createdAt: listsSaved, updatedAt: listsSaved })
      .returning({ id: audiences.id });
    listIds.push(row!.id);
  }

  // What already happened, oldest first: each one's confirmation sees the package and opt-outs the one before left.
  for (const spec of FINISHED_CAMPAIGNS) await seedFinishedCampaign(db, organizationId, spec, now, { gestor: userOf("gestor") });

  const existing = new Set(
    (await db.select({ name: campaigns.name }).from(campaigns).where(eq(campaigns.organizationId, organizationId))).map((c) => c.name),
  );
  const [vendas] = await db.select({ id: chips.id }).from(chips).where(and(eq(chips.organizationId, organizationId), eq(chips.phoneNumberId, "100000000000001")));
  const tpl = await db
    .select({ id: templates.id, name: templates.name })
    .from(templates)
    .where(and(eq(templates.organizationId, organizationId), inArray(templates.name, ["promo_black_friday", "lembrete_carrinho", "boas_vindas_optin"])));
  const templateId = (name: string) => tpl.find((t) => t.name === name)!.id;
  const [flow] = await db.select({ id: chatbotFlows.id }).from(chatbotFlows).where(and(eq(chatbotFlows.organizationId, organizationId), eq(chatbotFlows.active, true))).limit(1);
  const base = { id: null, chipId: vendas!.id, flowId: flow?.id ?? null, headerMediaUrl: null, packageConsent: true } satisfies Partial<CampaignInput>;

  if (!existing.has("Black Friday 2026"))
    await saveCampaign(
      db,
      actor("operador"),
      {
        ...base,
        name: "Black Friday 2026",
        audienceId: listIds[0]!,
        templateId: templateId("promo_black_friday"),
        sendMode: "immediate",
        scheduledAt: null,
        headerMediaUrl: "https://lojaexemplo.com.br/midia/black-friday-2026.jpg",
        variables: [
          { component: "body", index: 1, source: "field", field: "first_name", fallback: "cliente" },
          { component: "body", index: 2, source: "text", text: "BLACK20" },
        ],
        packageConsent: false,
      },
      { intent: "draft", timeZone: TZ, now },
    );
  if (!existing.has("Convite para receber ofertas"))
    await saveCampaign(
      db,
      actor("operador"),
      {
        ...base,
        name: "Convite para receber ofertas",
        audienceId: listIds[2]!,
        templateId: templateId("boas_vindas_optin"),
        sendMode: "immediate",
        scheduledAt: null,
        variables: [{ component: "body", index: 1, source: "field", field: "first_name", fallback: "tudo bem" }],
      },
      { intent: "submit", timeZone: TZ, now },
    );
  if (!existing.has("Lembrete de carrinho – sábado")) {
    const scheduled = await saveCampaign(
      db,
      actor("gestor"),
      {
        ...base,
        name: "Lembrete de carrinho – sábado",
        audienceId: listIds[1]!,
        templateId: templateId("lembrete_carrinho"),
        sendMode: "scheduled",
        scheduledAt: nextSaturdayAt10(now),
        variables: [{ component: "body", index: 1, source: "field", field: "first_name", fallback: "cliente" }],
      },
      { intent: "submit", timeZone: TZ, now },
    );
    await confirmCampaign(db, actor("gestor"), { id: scheduled.id, chipScope: "this_chip", optInConfirmed: false }, { timeZone: TZ, now });
  }
};
