import { and, eq, notInArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { chips, organizations, templates } from "@/db/schema";
import { ActionError } from "@/lib/auth/action";
import { audit } from "@/lib/audit";
import { decryptSecret, encryptSecret } from "@/lib/crypto";
import { normalizePhone } from "@/lib/phones";
import type { ApiFailure, WhatsAppClient } from "@/lib/whatsapp/client";
import { invalidateChipRoutings } from "@/lib/whatsapp/webhook-routings";

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

const FIX_FIELDS = "Confira os campos destacados.";
const CONFIRM_FAILED = "Não conseguimos confirmar com a Meta, tente de novo em instantes. Nada foi salvo.";
const TAKEN_HERE = "Já existe um chip com este phone number ID.";
const TAKEN_ELSEWHERE =
  "Este número já está cadastrado por outra organização no Disparo. Se ele é da sua empresa, fale com o suporte do Disparo para liberar o cadastro.";

/** A refusal of the Graph API while proving a chip, as the field to fix and what to check there. */
const metaRefusal = (failure: ApiFailure, asked: "phoneNumberId" | "wabaId"): ActionError => {
  // Network, timeout, Meta's 5xx or rate limit: nothing is known, nothing is saved.
  if (failure.kind === "transient" || failure.kind === "later" || failure.kind === "ambiguous") return new ActionError("error", CONFIRM_FAILED);
  if (failure.networkCode === "REQUEST_INVALID")
    return new ActionError("invalid", FIX_FIELDS, {
      accessToken: ["O token tem caracteres inválidos: cole-o de novo, sem espaços nem quebras de linha."],
    });
  if (failure.code === 190 || failure.httpStatus === 401)
    return new ActionError("invalid", FIX_FIELDS, {
      accessToken: ["A Meta recusou este token (inválido ou expirado): gere um token permanente do usuário do sistema e cole-o aqui."],
    });
  if (failure.code === 100 && failure.subcode === 33)
    return asked === "phoneNumberId"
      ? new ActionError("invalid", FIX_FIELDS, {
          phoneNumberId: [
            "A Meta não encontrou este phone number ID com este token: confira o ID em Gerenciador do WhatsApp › Configuração da API e se o token é da empresa dona do número.",
          ],
        })
      : new ActionError("invalid", FIX_FIELDS, {
          wabaId: [
            "A Meta não encontrou esta conta (WABA) com este token: confira o ID da conta em Gerenciador do WhatsApp › Configuração da API e se o token tem a permissão whatsapp_business_management.",
          ],
        });
  if (failure.code === 10 || failure.code === 200 || failure.httpStatus === 403)
    return new ActionError("invalid", FIX_FIELDS, {
      accessToken: ["Este token não tem permissão para ler o número e a conta: dê ao usuário do sistema as permissões whatsapp_business_management e whatsapp_business_messaging."],
    });
  return new ActionError("invalid", `A Meta recusou a confirmação do chip: ${failure.explanation} ${failure.nextStep}`);
};

const digitsOf = (phone: string) => phone.replace(/\D/g, "");

/**
 * Proves with Meta that the token reaches this phone_number_id and that the number belongs to this WABA. Webhooks
 * are routed to an organization by phone_number_id alone: a chip saved without this proof could capture another
 * company's replies. Throws the ActionError to show; returns what Meta says the number is.
 */
const proveChip = async (client: WhatsAppClient, input: { phoneNumberId: string; wabaId: string; displayNumber: string; accessToken: string }) => {
  const number = await client.lookupPhoneNumber({ phoneNumberId: input.phoneNumberId, accessToken: input.accessToken });
  if (!number.ok) throw metaRefusal(number, "phoneNumberId");
  if (number.id !== input.phoneNumberId)
    throw new ActionError("invalid", FIX_FIELDS, {
      phoneNumberId: [`A Meta respondeu por outro número (${number.id ?? "sem ID"}): confira o phone number ID.`],
    });
  const waba = await client.listWabaPhoneNumbers({ wabaId: input.wabaId, accessToken: input.accessToken });
  if (!waba.ok) throw metaRefusal(waba, "wabaId");
  if (!waba.phoneNumbers.some((p) => p.id === input.phoneNumberId))
    throw new ActionError("invalid", FIX_FIELDS, {
      wabaId: ["Este número não pertence a esta conta (WABA) na Meta: confira o ID da conta em Gerenciador do WhatsApp › Configuração da API."],
    });
  const metaNumber = normalizePhone(number.displayPhoneNumber);
  if (metaNumber.ok && digitsOf(metaNumber.e164) !== digitsOf(input.displayNumber))
    throw new ActionError("invalid", FIX_FIELDS, {
      displayNumber: [`A Meta informa o número ${number.displayPhoneNumber} para este phone number ID: corrija o número.`],
    });
  return { verifiedName: number.verifiedName, displayPhoneNumber: number.displayPhoneNumber };
};

/**
 * Creates or edits a chip. Creating, or an edit that changes the phone_number_id, the WABA or the token, first
 * proves the chip with the Graph API (proveChip) using the token given (or, when left blank, the stored one);
 * nothing is saved when Meta refuses or cannot be reached. A phone_number_id is one chip across the deployment
 * (unique index chips_phone_number_id_unique). Once saved, every cached webhook routing is forgotten.
 */
export const saveChip = async (
  db: Db,
  actor: Actor,
  id: number | null,
  input: ChipInput,
  encryptionKey: string,
  client: WhatsAppClient,
) => {
  if (!id && !input.accessToken)
    throw new ActionError("invalid", FIX_FIELDS, {
      accessToken: ["Cole o token de acesso permanente do usuário do sistema."],
    });
  const existing = id ? await loadChip(db, actor.organizationId, id) : null;
  const { accessToken, ...fields } = input;
  // Our own duplicate first: it is local, and says nothing about other organizations.
  const [holder] = await db
    .select({ id: chips.id, organizationId: chips.organizationId })
    .from(chips)
    .where(eq(chips.phoneNumberId, fields.phoneNumberId));
  const takenBy = holder && holder.id !== id ? holder : null;
  if (takenBy?.organizationId === actor.organizationId)
    throw new ActionError("conflict", "Este phone number ID já está cadastrado.", { phoneNumberId: [TAKEN_HERE] });

  const mustProve =
    !existing || existing.phoneNumberId !== fields.phoneNumberId || existing.wabaId !== fields.wabaId || Boolean(accessToken);
  const proof = mustProve
    ? await proveChip(client, {
        phoneNumberId: fields.phoneNumberId,
        wabaId: fields.wabaId,
        displayNumber: fields.displayNumber,
        accessToken: accessToken ?? decryptSecret(existing!.accessTokenEncrypted, encryptionKey),
      })
    : null;
  // Only after the proof: whoever learns that another organization holds the number has shown it is theirs.
  if (takenBy) throw new ActionError("conflict", TAKEN_ELSEWHERE, { phoneNumberId: [TAKEN_ELSEWHERE] });

  const values = {
    ...fields,
    ...(accessToken ? { accessTokenEncrypted: encryptSecret(accessToken, encryptionKey) } : {}),
    updatedAt: new Date(),
  };
  try {
    const row = await db.transaction(async (tx) => {
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
      await audit(tx, {
        ...actor,
        action: id ? "chip.update" : "chip.create",
        entityType: "chip",
        entityId: row.id,
        data: { ...fields, tokenChanged: Boolean(accessToken), confirmedWithMeta: Boolean(proof) },
      });
      return row;
    });
    return { ...row, proof };
  } catch (err) {
    // Another organization saved the same number between our check and this write.
    if (isUniqueViolation(err)) throw new ActionError("conflict", TAKEN_ELSEWHERE, { phoneNumberId: [TAKEN_ELSEWHERE] });
    throw err;
  } finally {
    // Whatever was written, no webhook keeps an old routing: a phone_number_id the chip no longer has stops
    // reaching this organization at once, and a new one (even one cached as unknown) starts routing at once.
    invalidateChipRoutings();
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
