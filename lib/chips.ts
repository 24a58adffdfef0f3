import { and, eq, notInArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { chips, organizations, templates } from "@/db/schema";
import { ActionError } from "@/lib/auth/action";
import { audit } from "@/lib/audit";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { normalizePhone } from "@/lib/phones";
import type { WhatsAppClient } from "@/lib/whatsapp/client";

type Actor = { organizationId: string; userId: string };

// Meta's messaging limits: unique contacts reached with templates in a moving 24-hour window. Since October 2025
// they belong to the business portfolio (250, 2,000, 10,000, 100,000, unlimited); TIER_1K is the old per-number
// tier, kept for the rows that still carry it.
export const MESSAGING_TIERS = ["TIER_250", "TIER_1K", "TIER_2K", "TIER_10K", "TIER_100K", "TIER_UNLIMITED"] as const;

export const tierLabels: Record<string, string> = {
  TIER_250: "250 contatos/24 h",
  TIER_1K: "1 mil contatos/24 h",
  TIER_2K: "2 mil contatos/24 h",
  TIER_10K: "10 mil contatos/24 h",
  TIER_100K: "100 mil contatos/24 h",
  TIER_UNLIMITED: "Ilimitado",
};

const isKnownTier = (tier: string | null | undefined): tier is (typeof MESSAGING_TIERS)[number] =>
  !!tier && (MESSAGING_TIERS as readonly string[]).includes(tier);

const metaId = (label: string) =>
  z
    .string()
    .trim()
    .regex(/^\d{5,25}$/, `${label}: só números, como aparece no Gerenciador do WhatsApp (ex.: 100000000000001).`);

export const chipSchema = z.object({
  name: z.string().trim().min(2, "Dê um nome ao chip (ex.: Vendas).").max(80, "Nome: no máximo 80 caracteres."),
  displayNumber: z
    .string()
    .trim()
    .min(1, "Informe o número do WhatsApp Business.")
    .max(40, "Número longo demais.")
    .transform((v, ctx) => {
      const r = normalizePhone(v);
      if (!r.ok) {
        ctx.addIssue({ code: "custom", message: r.reason });
        return z.NEVER;
      }
      return r.e164;
    }),
  phoneNumberId: metaId("Phone number ID"),
  wabaId: metaId("ID da conta (WABA)"),
  accessToken: z
    .string()
    .trim()
    .max(1000, "Token longo demais.")
    .optional()
    .transform((v) => (v ? v : null)),
  messagesPerSecond: z.coerce
    .number({ error: "Informe o limite de mensagens por segundo." })
    .int("Use um número inteiro.")
    .min(1, "O limite mínimo é 1 mensagem por segundo.")
    .max(1000, "A API do WhatsApp aceita no máximo 1.000 mensagens por segundo por número."),
  messagingLimitTier: z.enum(MESSAGING_TIERS, { error: "Escolha o limite diário do número." }),
});

export type ChipInput = z.output<typeof chipSchema>;

const isUniqueViolation = (err: unknown): boolean =>
  Boolean(err && typeof err === "object" && "code" in err && (err as { code: string }).code === "23505") ||
  Boolean(err && typeof err === "object" && "cause" in err && isUniqueViolation((err as { cause: unknown }).cause));

export const saveChip = async (db: Db, actor: Actor, id: number | null, input: ChipInput, encryptionKey: string) => {
  if (!id && !input.accessToken)
    throw new ActionError("invalid", "Confira os campos destacados.", {
      accessToken: ["Cole o token de acesso permanente do usuário do sistema."],
    });
  const { accessToken, ...fields } = input;
  const values = {
    ...fields,
    ...(accessToken ? { accessTokenEncrypted: encryptSecret(accessToken, encryptionKey) } : {}),
    updatedAt: new Date(),
  };
  try {
    return await db.transaction(async (tx) => {
      const [row] = id
        ? await tx
            .update(chips)
            .set(values)
            .where(and(eq(chips.organizationId, actor.organizationId), eq(chips.id, id)))
            .returning({ id: chips.id })
        : await tx
            .insert(chips)
            .values({ ...values, accessTokenEncrypted: values.accessTokenEncrypted!, organizationId: actor.organizationId })
            .returning({ id: chips.id });
      if (!row) throw new ActionError("not_found", "Chip não encontrado.");
      // The audit keeps what changed, never the token.
      await audit(tx, { ...actor, action: id ? "chip.update" : "chip.create", entityType: "chip", entityId: row.id, data: { ...fields, tokenChanged: Boolean(accessToken) } });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new ActionError("conflict", "Este phone number ID já está cadastrado.", {
        phoneNumberId: ["Já existe um chip com este phone number ID."],
      });
    throw err;
  }
};

export const setChipStatus = async (db: Db, actor: Actor, id: number, status: "active" | "disabled") =>
  db.transaction(async (tx) => {
    const [row] = await tx
      .update(chips)
      .set({ status, updatedAt: new Date() })
      .where(and(eq(chips.organizationId, actor.organizationId), eq(chips.id, id)))
      .returning({ id: chips.id });
    if (!row) throw new ActionError("not_found", "Chip não encontrado.");
    await audit(tx, { ...actor, action: `chip.${status}`, entityType: "chip", entityId: id });
  });

const loadChip = async (db: Db, organizationId: string, id: number) => {
  const [chip] = await db
    .select()
    .from(chips)
    .where(and(eq(chips.organizationId, organizationId), eq(chips.id, id)));
  if (!chip) throw new ActionError("not_found", "Chip não encontrado.");
  return chip;
};

const qualityFrom = (q: string) => (q === "green" || q === "yellow" || q === "red" ? q : "unknown");

/**
 * "Testar conexão": asks the API about the number with the chip's own token; refreshes the chip's quality and
 * (deprecated, per-number) tier and, when the answer carries it, the business portfolio's messaging limit, which
 * is the organization's (one organization = one portfolio), in one transaction.
 */
export const testChipConnection = async (db: Db, organizationId: string, id: number, client: WhatsAppClient, encryptionKey: string) => {
  const chip = await loadChip(db, organizationId, id);
  const result = await client.getPhoneNumber({
    phoneNumberId: chip.phoneNumberId,
    accessToken: decryptSecret(chip.accessTokenEncrypted, encryptionKey),
  });
  if (!result.ok) return { ok: false as const, message: `${result.explanation} ${result.nextStep}` };
  const portfolioLimit = isKnownTier(result.portfolioMessagingLimit) ? result.portfolioMessagingLimit : null;
  await db.transaction(async (tx) => {
    const now = new Date();
    await tx
      .update(chips)
      .set({
        qualityRating: qualityFrom(result.qualityRating),
        ...(isKnownTier(result.messagingLimitTier) ? { messagingLimitTier: result.messagingLimitTier } : {}),
        updatedAt: now,
      })
      .where(and(eq(chips.organizationId, organizationId), eq(chips.id, id)));
    if (portfolioLimit)
      await tx
        .update(organizations)
        .set({ messagingLimitTier: portfolioLimit, updatedAt: now })
        .where(eq(organizations.id, organizationId));
  });
  const limit = portfolioLimit ? `; limite do portfólio: ${tierLabels[portfolioLimit]}` : "";
  return {
    ok: true as const,
    message: `Conexão OK: ${result.verifiedName} (${result.displayPhoneNumber}), qualidade ${result.qualityRating}${limit}.`,
  };
};

/**
 * Marks (or unmarks) a template as the opt-in request: campaigns with it may reach contacts whose opt-in is
 * pending or unknown (never the opted out), and a "yes" to it opts the contact in (webhook). Only an approved
 * template can be marked; any can be unmarked. The template sync never touches the flag.
 */
export const setTemplateOptInRequest = async (db: Db, actor: Actor, templateId: number, optInRequest: boolean) =>
  db.transaction(async (tx) => {
    const [t] = await tx
      .select({ id: templates.id, name: templates.name, language: templates.language, status: templates.status })
      .from(templates)
      .where(and(eq(templates.organizationId, actor.organizationId), eq(templates.id, templateId)))
      .for("update");
    if (!t) throw new ActionError("not_found", "Template não encontrado.");
    if (optInRequest && t.status !== "approved")
      throw new ActionError("conflict", "Só um template aprovado pela Meta pode ser marcado como pedido de opt-in.");
    await tx.update(templates).set({ isOptInRequest: optInRequest }).where(eq(templates.id, t.id));
    await audit(tx, {
      ...actor,
      action: optInRequest ? "template.opt_in_request.mark" : "template.opt_in_request.unmark",
      entityType: "template",
      entityId: t.id,
      data: { name: t.name, language: t.language, isOptInRequest: optInRequest },
    });
    return { name: t.name };
  });

/** "Sincronizar": pulls every template of each WABA the organization's chips belong to. */
export const syncTemplates = async (db: Db, actor: Actor, client: WhatsAppClient, encryptionKey: string) => {
  const orgChips = await db
    .select()
    .from(chips)
    .where(and(eq(chips.organizationId, actor.organizationId), eq(chips.status, "active")));
  if (orgChips.length === 0) throw new ActionError("conflict", "Cadastre um chip ativo antes de sincronizar os templates.");
  const byWaba = new Map(orgChips.map((c) => [c.wabaId, c]));
  let total = 0;
  for (const [wabaId, chip] of byWaba) {
    const result = await client.listTemplates({ wabaId, accessToken: decryptSecret(chip.accessTokenEncrypted, encryptionKey) });
    if (!result.ok)
      throw new ActionError("error", `Não foi possível ler os templates da conta ${wabaId}: ${result.explanation} ${result.nextStep}`);
    const now = new Date();
    await db.transaction(async (tx) => {
      for (const t of result.templates) {
        // Only what Meta owns: our own marks (is_opt_in_request) survive every sync.
        const values = {
          metaTemplateId: t.metaId,
          category: t.category,
          status: t.status,
          components: t.components,
          variables: t.variables,
          variableCount: t.variableCount,
          syncedAt: now,
        };
        await tx
          .insert(templates)
          .values({ organizationId: actor.organizationId, wabaId, name: t.name, language: t.language, ...values })
          .onConflictDoUpdate({ target: [templates.organizationId, templates.wabaId, templates.name, templates.language], set: values });
      }
      // Templates deleted at Meta can no longer be sent: keep them for history, disabled.
      const names = result.templates.map((t) => `${t.name}|${t.language}`);
      await tx
        .update(templates)
        .set({ status: "disabled", syncedAt: now })
        .where(
          and(
            eq(templates.organizationId, actor.organizationId),
            eq(templates.wabaId, wabaId),
            names.length ? notInArray(sql`${templates.name} || '|' || ${templates.language}`, names) : sql`true`,
          ),
        );
      await audit(tx, { ...actor, action: "templates.sync", entityType: "waba", entityId: wabaId, data: { count: result.templates.length } });
    });
    total += result.templates.length;
  }
  return { total, wabas: byWaba.size };
};
