import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Db, DbOrTx } from "@/db/client";
import { audiences, campaigns, chatbotFlows, chips, organizations, templates, type Role, type Template } from "@/db/schema";
import { ActionError } from "@/lib/action-error";
import { hasRole } from "@/lib/auth/roles";
import { audit } from "@/lib/audit";
import { parseFilter, type AudienceFilter } from "@/lib/segments/filter";
import { audienceBreakdown, type AudienceBreakdown, type ChipScope } from "./audience";
import { estimateCampaign, portfolioUsageLast24h, type Estimate } from "./estimate";
import { sendWindowSchema, type SendWindow } from "./send-window";
import { zonedLocalToDate } from "./time";
import { checkMappingCovers, variableMappingSchema, type TemplateVariableRef, type VariableMapping } from "./variables";

// The campaign panel's writes: drafts, "Enviar Campanha", the confirmation (which freezes what the engines will
// use), reschedule, cancel and duplicate. Every function takes the organization first and checks every id
// against it; every write is one transaction with its audit entry.

type Actor = { organizationId: string; userId: string; role: Role };

/** States in which the panel may still edit the campaign. */
export const EDITABLE_STATUSES = ["draft", "awaiting_confirmation"] as const;
export const CANCELLABLE_STATUSES = ["draft", "awaiting_confirmation", "scheduled", "queued", "sending", "paused"] as const;

const id = (message: string) => z.coerce.number({ error: message }).int(message).positive(message);
const optionalId = (message: string) =>
  z
    .union([z.literal(""), z.literal("none"), z.null(), id(message)])
    .optional()
    .transform((v) => (typeof v === "number" ? v : null));
const checkbox = z
  .union([z.boolean(), z.literal("on"), z.literal("true"), z.literal("false"), z.literal("")])
  .optional()
  .transform((v) => v === true || v === "on" || v === "true");

export const campaignNameSchema = z
  .string({ error: "Dê um nome à campanha." })
  .trim()
  .min(1, "Dê um nome à campanha.")
  .max(120, "O nome da campanha pode ter no máximo 120 caracteres.");

const mappingJson = z
  .union([z.string(), z.array(z.unknown())])
  .optional()
  .transform((value, ctx): VariableMapping[] => {
    let raw: unknown = value ?? [];
    if (typeof raw === "string") {
      try {
        raw = raw.trim() ? JSON.parse(raw) : [];
      } catch {
        ctx.addIssue({ code: "custom", message: "As variáveis não chegaram em JSON válido. Recarregue a página." });
        return z.NEVER;
      }
    }
    const parsed = z.array(variableMappingSchema).max(40).safeParse(raw);
    if (!parsed.success) {
      ctx.addIssue({ code: "custom", message: parsed.error.issues[0]?.message ?? "Confira as variáveis do template." });
      return z.NEVER;
    }
    return parsed.data;
  });

export const campaignInputSchema = z.object({
  id: optionalId("Campanha inválida."),
  name: campaignNameSchema,
  chipId: id("Escolha o chip que vai enviar a campanha."),
  audienceId: id("Escolha a lista alvo (uma lista de público de Segmentação)."),
  templateId: id("Escolha o template aprovado que será enviado."),
  flowId: optionalId("Fluxo de chatbot inválido."),
  sendMode: z.enum(["immediate", "scheduled"], { error: "Escolha Envio imediato ou Agendar envio." }),
  scheduledAt: z.string().trim().max(40).optional().transform((v) => v || null),
  variables: mappingJson,
  headerMediaUrl: z.string().trim().max(2000, "Link longo demais (máximo 2.000 caracteres).").optional().transform((v) => v || null),
  packageConsent: checkbox,
  // The optional send window (send-window.ts), as the panel posts it; read with sendWindowOf.
  sendWindowEnabled: checkbox.optional(),
  sendWindowStart: z.string().trim().max(5).optional(),
  sendWindowEnd: z.string().trim().max(5).optional(),
  sendWindowDays: z.optional(z.union([z.array(z.coerce.number()), z.coerce.number()]).transform((v) => (Array.isArray(v) ? v : [v]))),
});
export type CampaignInput = z.output<typeof campaignInputSchema>;

/** The window the input asks for (null = send at any time), or the fields to fix. */
export const sendWindowOf = (input: CampaignInput): SendWindow | null => {
  if (!input.sendWindowEnabled) return null;
  const parsed = sendWindowSchema.safeParse({ start: input.sendWindowStart, end: input.sendWindowEnd, days: input.sendWindowDays ?? [] });
  if (parsed.success) return parsed.data;
  const errors: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) (errors[`sendWindow${issue.path[0] === "days" ? "Days" : issue.path[0] === "end" ? "End" : "Start"}`] ??= []).push(issue.message);
  throw new ActionError("invalid", parsed.error.issues[0]!.message, errors);
};

export type FrozenTemplate = {
  id: number;
  name: string;
  language: string;
  category: Template["category"];
  components: unknown;
  variables: TemplateVariableRef[];
  isOptInRequest: boolean;
  syncedAt: string;
};

const MEDIA_FORMATS = ["IMAGE", "VIDEO", "DOCUMENT"] as const;
export type MediaFormat = (typeof MEDIA_FORMATS)[number];

/** The template's media header format (image, video, document), if it has one: it needs a link per campaign. */
export const mediaHeaderOf = (components: unknown): MediaFormat | null => {
  const list = Array.isArray(components) ? (components as { type?: string; format?: string }[]) : [];
  const header = list.find((c) => c.type?.toUpperCase() === "HEADER");
  const format = header?.format?.toUpperCase();
  return (MEDIA_FORMATS as readonly string[]).includes(format ?? "") ? (format as MediaFormat) : null;
};

const fieldError = (field: string, message: string) => new ActionError("invalid", message, { [field]: [message] });

type Refs = {
  chip: typeof chips.$inferSelect;
  audience: typeof audiences.$inferSelect;
  template: Template;
  flow: typeof chatbotFlows.$inferSelect | null;
};

/** The chip, list, template and flow the input names, each of this organization, or a message per field. */
const loadRefs = async (db: DbOrTx, organizationId: string, input: Pick<CampaignInput, "chipId" | "audienceId" | "templateId" | "flowId">): Promise<Refs> => {
  const [[chip], [audience], [template], [flow]] = await Promise.all([
    db.select().from(chips).where(and(eq(chips.organizationId, organizationId), eq(chips.id, input.chipId))),
    db.select().from(audiences).where(and(eq(audiences.organizationId, organizationId), eq(audiences.id, input.audienceId))),
    db.select().from(templates).where(and(eq(templates.organizationId, organizationId), eq(templates.id, input.templateId))),
    input.flowId
      ? db.select().from(chatbotFlows).where(and(eq(chatbotFlows.organizationId, organizationId), eq(chatbotFlows.id, input.flowId)))
      : Promise.resolve([null]),
  ]);
  const errors: Record<string, string[]> = {};
  if (!chip) errors.chipId = ["Este chip não existe nesta organização (foi excluído?). Escolha outro."];
  if (!audience) errors.audienceId = ["Esta lista não existe nesta organização (foi apagada?). Escolha outra lista alvo."];
  if (!template) errors.templateId = ["Este template não existe nesta organização. Sincronize os templates e escolha outro."];
  if (input.flowId && !flow) errors.flowId = ["Este fluxo de chatbot não existe nesta organização. Escolha outro ou nenhum."];
  if (Object.keys(errors).length) throw new ActionError("invalid", Object.values(errors)[0]![0]!, errors);
  return { chip: chip!, audience: audience!, template: template!, flow: flow ?? null };
};

const templateRefs = (t: Template): TemplateVariableRef[] =>
  (t.variables ?? []).map((v) => ({ index: v.index, component: v.component }));

/** The template as a confirmed campaign keeps it: what was approved then, whatever Meta syncs later. */
export const freezeTemplate = (t: Template): FrozenTemplate => ({
  id: t.id,
  name: t.name,
  language: t.language,
  category: t.category,
  components: t.components,
  variables: templateRefs(t),
  isOptInRequest: t.isOptInRequest,
  syncedAt: t.syncedAt.toISOString(),
});

/**
 * What "Enviar Campanha" and "Confirmar envio" require, beyond the references existing: a connected chip, an
 * approved template with every variable mapped, a https link for a media header, a future moment in the
 * organization's zone, the package consent. Messages per field, in Portuguese.
 */
const readinessErrors = (refs: Refs, input: CampaignInput, timeZone: string, now: Date) => {
  const errors: Record<string, string[]> = {};
  const add = (field: string, message: string) => (errors[field] ??= []).push(message);
  if (refs.chip.status !== "active")
    add("chipId", `O chip “${refs.chip.name}” não está conectado (status: ${refs.chip.status}). Escolha um chip ativo ou reative-o em Configurações › Chips.`);
  if (refs.template.status !== "approved")
    add("templateId", `O template “${refs.template.name}” não está aprovado pela Meta (status atual: ${refs.template.status}). Escolha um template aprovado ou sincronize os templates.`);
  else if (refs.template.wabaId !== refs.chip.wabaId)
    add("templateId", `O template “${refs.template.name}” pertence a outra conta do WhatsApp (WABA) que não a do chip escolhido.`);
  for (const issue of checkMappingCovers(templateRefs(refs.template), input.variables)) add("variables", issue);
  const media = mediaHeaderOf(refs.template.components);
  if (media) {
    const label = { IMAGE: "da imagem", VIDEO: "do vídeo", DOCUMENT: "do documento" }[media];
    if (!input.headerMediaUrl) add("headerMediaUrl", `O template tem um cabeçalho com mídia: informe o link ${label} (https://…).`);
    else if (!/^https:\/\/[^\s/$.?#][^\s]*$/i.test(input.headerMediaUrl) || !URL.canParse(input.headerMediaUrl))
      add("headerMediaUrl", "O link da mídia precisa começar com https:// e ser um endereço válido (a Meta baixa a mídia desse link).");
  }
  if (refs.flow && !refs.flow.active) add("flowId", `O fluxo “${refs.flow.name}” está desativado. Ative-o em Configurações › Fluxos ou escolha outro.`);
  if (input.sendMode === "scheduled") {
    if (!input.scheduledAt) add("scheduledAt", "Escolha o dia e o horário do envio agendado.");
    else {
      const at = zonedLocalToDate(input.scheduledAt, timeZone);
      if (!at) add("scheduledAt", "Data e horário inválidos. Use o seletor para escolher o dia e a hora.");
      else if (at.getTime() <= now.getTime() + 60_000)
        add("scheduledAt", "Escolha um momento no futuro (pelo menos 1 minuto a partir de agora, no horário da organização).");
    }
  }
  if (!input.packageConsent)
    add("packageConsent", "Marque a caixa de consentimento do Aumento Automático do Pacote de Conversas para enviar a campanha.");
  return errors;
};

const throwIfErrors = (errors: Record<string, string[]>) => {
  const first = Object.values(errors)[0]?.[0];
  if (first) throw new ActionError("invalid", first, errors);
};

const scheduledInstant = (input: CampaignInput, timeZone: string) =>
  input.sendMode === "scheduled" && input.scheduledAt ? zonedLocalToDate(input.scheduledAt, timeZone) : null;

/**
 * "Salvar rascunho" (intent "draft") or "Enviar Campanha" (intent "submit"). A draft needs a name and its
 * references; submitting needs everything ready. An operador's submission waits for a gestor ("aguardando
 * confirmação"); a gestor's stays a draft and goes on to the confirmation screen.
 */
export const saveCampaign = async (
  db: Db,
  actor: Actor,
  input: CampaignInput,
  options: { intent: "draft" | "submit"; timeZone: string; now?: Date },
) => {
  const now = options.now ?? new Date();
  const refs = await loadRefs(db, actor.organizationId, input);
  if (options.intent === "submit") throwIfErrors(readinessErrors(refs, input, options.timeZone, now));
  const awaiting = options.intent === "submit" && !hasRole(actor.role, "gestor");
  const values = {
    name: input.name,
    chipId: input.chipId,
    audienceId: input.audienceId,
    templateId: input.templateId,
    flowId: input.flowId,
    sendMode: input.sendMode,
    scheduledAt: scheduledInstant(input, options.timeZone),
    templateVariables: input.variables,
    headerMediaUrl: mediaHeaderOf(refs.template.components) ? input.headerMediaUrl : null,
    sendWindow: sendWindowOf(input),
    packageConsent: input.packageConsent,
    packageConsentAt: input.packageConsent ? now : null,
    packageConsentByUserId: input.packageConsent ? actor.userId : null,
    status: awaiting ? ("awaiting_confirmation" as const) : ("draft" as const),
    submittedByUserId: options.intent === "submit" ? actor.userId : null,
    submittedAt: options.intent === "submit" ? now : null,
    updatedAt: now,
  };
  return db.transaction(async (tx) => {
    const [row] = input.id
      ? await tx
          .update(campaigns)
          .set(values)
          .where(and(eq(campaigns.organizationId, actor.organizationId), eq(campaigns.id, input.id), inArray(campaigns.status, [...EDITABLE_STATUSES])))
          .returning({ id: campaigns.id, status: campaigns.status })
      : await tx
          .insert(campaigns)
          .values({ ...values, organizationId: actor.organizationId, createdByUserId: actor.userId })
          .returning({ id: campaigns.id, status: campaigns.status });
    if (!row) {
      const [existing] = input.id
        ? await tx.select({ status: campaigns.status }).from(campaigns).where(and(eq(campaigns.organizationId, actor.organizationId), eq(campaigns.id, input.id)))
        : [];
      if (!existing) throw new ActionError("not_found", "Campanha não encontrada.");
      throw new ActionError("conflict", "Esta campanha já foi confirmada e não pode mais ser editada. Use “Duplicar” para criar uma nova a partir dela.");
    }
    await audit(tx, {
      ...actor,
      action: input.id ? (options.intent === "submit" ? "campaign.submit" : "campaign.update") : options.intent === "submit" ? "campaign.submit" : "campaign.create",
      entityType: "campaign",
      entityId: row.id,
      data: { name: input.name, status: row.status },
    });
    return row;
  });
};

export const loadCampaign = async (db: DbOrTx, organizationId: string, campaignId: number, lock = false) => {
  const query = db.select().from(campaigns).where(and(eq(campaigns.organizationId, organizationId), eq(campaigns.id, campaignId)));
  const [row] = lock ? await query.for("update") : await query;
  if (!row) throw new ActionError("not_found", "Campanha não encontrada nesta organização.");
  return row;
};

export const inputOfCampaign = (c: typeof campaigns.$inferSelect, scheduledLocal: string | null): CampaignInput => ({
  id: c.id,
  name: c.name,
  chipId: c.chipId,
  audienceId: c.audienceId ?? 0,
  templateId: c.templateId,
  flowId: c.flowId,
  sendMode: c.sendMode,
  scheduledAt: scheduledLocal,
  variables: (c.templateVariables as VariableMapping[]) ?? [],
  headerMediaUrl: c.headerMediaUrl,
  packageConsent: c.packageConsent,
  ...(c.sendWindow
    ? { sendWindowEnabled: true, sendWindowStart: (c.sendWindow as SendWindow).start, sendWindowEnd: (c.sendWindow as SendWindow).end, sendWindowDays: (c.sendWindow as SendWindow).days }
    : {}),
});

export type ScopeOption = { scope: ChipScope; recipients: number; inScope: number; estimate: Estimate };

export type ConfirmationData = {
  breakdown: AudienceBreakdown;
  options: Record<ChipScope, ScopeOption>;
  /** The list's count when it was saved and now (null when it was saved before counts were kept). */
  listChange: { savedCount: number | null; now: number };
  /** Why the campaign cannot be confirmed as it is (template lost its approval, chip disconnected…). */
  problems: string[];
  refs: Refs;
  filter: AudienceFilter;
};

/** The confirmation screen: counts per chip scope, skip reasons, estimates, and what blocks confirming. */
export const confirmationData = async (
  db: DbOrTx,
  organizationId: string,
  campaign: typeof campaigns.$inferSelect,
  options: { timeZone: string; now?: Date },
): Promise<ConfirmationData> => {
  const now = options.now ?? new Date();
  if (!campaign.audienceId) throw new ActionError("invalid", "A campanha está sem lista alvo: edite-a e escolha uma lista.");
  const refs = await loadRefs(db, organizationId, { chipId: campaign.chipId, audienceId: campaign.audienceId, templateId: campaign.templateId, flowId: campaign.flowId });
  const parsed = parseFilter(refs.audience.filter);
  if (!parsed.ok) throw new ActionError("invalid", `O filtro da lista “${refs.audience.name}” não é mais válido: ${parsed.message}`);
  const [org] = await db.select().from(organizations).where(eq(organizations.id, organizationId));
  if (!org) throw new ActionError("not_found", "Organização não encontrada.");
  const cap =
    refs.template.category === "marketing" && org.frequencyCapMessages && org.frequencyCapDays
      ? { messages: org.frequencyCapMessages, days: org.frequencyCapDays }
      : null;
  const [breakdown, used] = await Promise.all([
    audienceBreakdown(db, {
      organizationId,
      filter: parsed.filter,
      timeZone: options.timeZone,
      chipId: campaign.chipId,
      mapping: (campaign.templateVariables as VariableMapping[]) ?? [],
      optInRequest: refs.template.isOptInRequest,
      frequencyCap: cap,
      campaignId: campaign.id,
    }),
    portfolioUsageLast24h(db, organizationId),
  ]);
  const startsAt = campaign.sendMode === "scheduled" && campaign.scheduledAt ? campaign.scheduledAt : now;
  const option = (scope: ChipScope): ScopeOption => {
    const n = breakdown.scopes[scope];
    return {
      scope,
      recipients: n.recipients,
      inScope: n.inScope,
      estimate: estimateCampaign({
        recipients: n.recipients,
        category: refs.template.category,
        prices: { marketing: org.priceMarketing, utility: org.priceUtility, authentication: org.priceAuthentication },
        messagesPerSecond: refs.chip.messagesPerSecond,
        packageBalance: org.packageBalance,
        autoIncreaseSize: org.autoIncreaseSize,
        messagingLimitTier: org.messagingLimitTier,
        usedLast24h: used,
        startsAt,
      }),
    };
  };
  const input = inputOfCampaign(campaign, null);
  const readiness = readinessErrors(refs, { ...input, sendMode: "immediate" }, options.timeZone, now);
  const problems = Object.values(readiness).flat();
  if (campaign.sendMode === "scheduled" && (!campaign.scheduledAt || campaign.scheduledAt.getTime() <= now.getTime()))
    problems.push("O horário agendado já passou. Reagende a campanha para um momento no futuro.");
  return {
    breakdown,
    options: { this_chip: option("this_chip"), other_chips: option("other_chips"), both: option("both") },
    listChange: { savedCount: refs.audience.savedCount, now: breakdown.listCount },
    problems,
    refs,
    filter: parsed.filter,
  };
};

export const confirmSchema = z.object({
  id: id("Campanha inválida."),
  chipScope: z.enum(["this_chip", "other_chips", "both"], { error: "Escolha quem recebe a campanha: contatos deste chip, de outros chips ou ambos." }),
  optInConfirmed: checkbox,
});

/**
 * "Confirmar envio" (gestor or admin): locks the campaign row, checks everything again, and freezes onto it what
 * the engines will use — the list's filter as it is now, the chip scope, the mapping (already on the row), the
 * template as approved now, the estimate shown, who confirmed and when — then queues or schedules it. A second
 * confirmation (double click, another gestor) waits on the lock and finds it no longer editable.
 */
export const confirmCampaign = async (db: Db, actor: Actor, input: z.output<typeof confirmSchema>, options: { timeZone: string; now?: Date }) => {
  if (!hasRole(actor.role, "gestor"))
    throw new ActionError("forbidden", "Só um gestor ou administrador confirma o envio. A campanha fica aguardando confirmação.");
  if (input.chipScope === "both" && !input.optInConfirmed)
    throw new ActionError("invalid", "Para enviar a contatos de todos os chips, confirme que todos eles já deram opt-in à sua empresa.", {
      optInConfirmed: ["Marque a confirmação de opt-in para enviar a ambos."],
    });
  const now = options.now ?? new Date();
  return db.transaction(async (tx) => {
    const campaign = await loadCampaign(tx, actor.organizationId, input.id, true);
    if (!(EDITABLE_STATUSES as readonly string[]).includes(campaign.status))
      throw new ActionError("conflict", `Esta campanha já foi confirmada${campaign.confirmedAt ? ` em ${campaign.confirmedAt.toISOString()}` : ""} e está “${campaign.status}”. Nada foi alterado.`);
    if (!campaign.packageConsent)
      throw new ActionError("invalid", "Falta o consentimento do Aumento Automático do Pacote de Conversas: edite a campanha e marque a caixa.");
    const data = await confirmationData(tx, actor.organizationId, campaign, { timeZone: options.timeZone, now });
    if (data.problems.length) throw new ActionError("invalid", data.problems[0]!, { _form: data.problems });
    const chosen = data.options[input.chipScope];
    if (chosen.recipients === 0)
      throw new ActionError("invalid", "Nenhum contato receberá a campanha com esta opção. Escolha outra opção de chip ou outra lista.");
    const t = data.refs.template;
    const frozenTemplate = freezeTemplate(t);
    const status = campaign.sendMode === "scheduled" ? ("scheduled" as const) : ("queued" as const);
    const estimate = { ...chosen.estimate, chipScope: input.chipScope, inScope: chosen.inScope, skipped: data.breakdown.scopes[input.chipScope].skipped, listCount: data.breakdown.listCount, listSavedCount: data.listChange.savedCount };
    await tx
      .update(campaigns)
      .set({
        status,
        chipScope: input.chipScope,
        optInConfirmed: input.chipScope === "both" ? input.optInConfirmed : false,
        frozenFilter: data.filter,
        frozenAudienceName: data.refs.audience.name,
        frozenTemplate,
        estimate,
        confirmedByUserId: actor.userId,
        confirmedAt: now,
        updatedAt: now,
      })
      .where(eq(campaigns.id, campaign.id));
    await audit(tx, { ...actor, action: "campaign.confirm", entityType: "campaign", entityId: campaign.id, data: { status, chipScope: input.chipScope, recipients: chosen.recipients, scheduledAt: campaign.scheduledAt } });
    return { id: campaign.id, status, recipients: chosen.recipients };
  });
};

/** Reschedules a scheduled campaign (gestor) to a future moment in the organization's zone. */
export const rescheduleCampaign = async (db: Db, actor: Actor, input: { id: number; scheduledAt: string }, options: { timeZone: string; now?: Date }) => {
  const now = options.now ?? new Date();
  const at = zonedLocalToDate(input.scheduledAt, options.timeZone);
  if (!at) throw fieldError("scheduledAt", "Data e horário inválidos. Use o seletor para escolher o dia e a hora.");
  if (at.getTime() <= now.getTime() + 60_000)
    throw fieldError("scheduledAt", "Escolha um momento no futuro (pelo menos 1 minuto a partir de agora, no horário da organização).");
  return db.transaction(async (tx) => {
    const campaign = await loadCampaign(tx, actor.organizationId, input.id, true);
    if (campaign.status !== "scheduled") throw new ActionError("conflict", "Só uma campanha agendada pode ser reagendada.");
    await tx.update(campaigns).set({ scheduledAt: at, updatedAt: now }).where(eq(campaigns.id, campaign.id));
    await audit(tx, { ...actor, action: "campaign.reschedule", entityType: "campaign", entityId: campaign.id, data: { from: campaign.scheduledAt, to: at } });
    return { scheduledAt: at };
  });
};

/** Cancels a campaign (gestor): nothing more is claimed; messages already in flight finish and are recorded. */
export const cancelCampaign = async (db: Db, actor: Actor, campaignId: number) =>
  db.transaction(async (tx) => {
    const campaign = await loadCampaign(tx, actor.organizationId, campaignId, true);
    if (!(CANCELLABLE_STATUSES as readonly string[]).includes(campaign.status))
      throw new ActionError("conflict", "Esta campanha já terminou: não há o que cancelar.");
    await tx.update(campaigns).set({ status: "cancelled", finishedAt: new Date(), updatedAt: new Date() }).where(eq(campaigns.id, campaign.id));
    await audit(tx, { ...actor, action: "campaign.cancel", entityType: "campaign", entityId: campaign.id, data: { from: campaign.status } });
  });

/** "Duplicar": a new draft with the same configuration, named "<nome> (cópia)". */
export const duplicateCampaign = async (db: Db, actor: Actor, campaignId: number) => {
  const source = await loadCampaign(db, actor.organizationId, campaignId);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(campaigns)
      .values({
        organizationId: actor.organizationId,
        name: `${source.name.slice(0, 110)} (cópia)`,
        chipId: source.chipId,
        audienceId: source.audienceId,
        templateId: source.templateId,
        templateVariables: source.templateVariables,
        flowId: source.flowId,
        headerMediaUrl: source.headerMediaUrl,
        sendWindow: source.sendWindow,
        sendMode: source.sendMode,
        scheduledAt: source.scheduledAt && source.scheduledAt.getTime() > Date.now() ? source.scheduledAt : null,
        createdByUserId: actor.userId,
      })
      .returning({ id: campaigns.id });
    await audit(tx, { ...actor, action: "campaign.duplicate", entityType: "campaign", entityId: row!.id, data: { from: source.id } });
    return row!;
  });
};
