import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { organizations, packageLedger } from "@/db/schema";
import { audit } from "./audit";
import { FREQUENCY_CAP_LIMITS } from "./frequency-cap";

const timeZones = new Set(Intl.supportedValuesOf("timeZone"));

// Accepts "0,3125" (Brazilian decimal comma) as well as "0.3125".
const brl = (label: string) =>
  z
    .string()
    .trim()
    .transform((v) => v.replace(/\s|R\$/g, "").replace(",", "."))
    .pipe(
      z
        .string()
        .regex(/^\d{1,6}(\.\d{1,4})?$/, `${label}: use um valor como 0,3125 (até 4 casas decimais).`),
    );

// A checkbox in a FormData is "on" when ticked and absent when not; plain objects may send a boolean.
const checkbox = z
  .union([z.literal("on"), z.literal("true"), z.literal("false"), z.literal(""), z.boolean()], {
    error: "Marque ou desmarque a opção.",
  })
  .optional()
  .transform((v) => v === "on" || v === "true" || v === true);

const capValue = z.union([z.string(), z.number()], { error: "Use um número inteiro." }).optional();

type CapCheck = { ok: true; value: number } | { ok: false; missing: boolean };
const readCap = (raw: unknown, range: { min: number; max: number }): CapCheck => {
  const text = typeof raw === "number" ? String(raw) : typeof raw === "string" ? raw.trim() : "";
  if (!text) return { ok: false, missing: true };
  const n = /^\d{1,6}$/.test(text) ? Number(text) : NaN;
  return Number.isInteger(n) && n >= range.min && n <= range.max ? { ok: true, value: n } : { ok: false, missing: false };
};

const { messages: capN, days: capD } = FREQUENCY_CAP_LIMITS;
const capMessages = {
  messages: {
    missing: `Informe quantas mensagens de marketing cada contato pode receber no período (de ${capN.min} a ${capN.max}).`,
    invalid: `Use um número inteiro de ${capN.min} a ${capN.max} mensagens.`,
  },
  days: {
    missing: `Informe o período do limite em dias (de ${capD.min} a ${capD.max}).`,
    invalid: `Use um período inteiro de ${capD.min} a ${capD.max} dias.`,
  },
} as const;

const organizationFields = z.object({
  name: z.string().trim().min(2, "Informe o nome da organização.").max(120, "Nome longo demais (máximo 120)."),
  timeZone: z.string().refine((tz) => timeZones.has(tz), "Escolha um fuso horário da lista."),
  priceMarketing: brl("Preço de marketing"),
  priceUtility: brl("Preço de utilidade"),
  priceAuthentication: brl("Preço de autenticação"),
  packageBalance: z.coerce
    .number({ error: "Informe o saldo em número de mensagens." })
    .int("O saldo é um número inteiro de mensagens.")
    .min(0, "O saldo não pode ser negativo.")
    .max(1_000_000_000, "Saldo grande demais."),
  autoIncreaseSize: z.coerce
    .number({ error: "Informe o tamanho do aumento automático." })
    .int("O aumento é um número inteiro de mensagens.")
    .min(100, "O aumento automático deve ser de pelo menos 100 mensagens.")
    .max(10_000_000, "Aumento grande demais."),
  // Frequency cap: at most N marketing messages per contact in D days. Off = both null; the numbers typed while
  // it is off are ignored.
  frequencyCapEnabled: checkbox,
  frequencyCapMessages: capValue,
  frequencyCapDays: capValue,
});

export const organizationSettingsSchema = organizationFields
  .superRefine((v, ctx) => {
    if (!v.frequencyCapEnabled) return;
    const checks = [
      ["frequencyCapMessages", readCap(v.frequencyCapMessages, FREQUENCY_CAP_LIMITS.messages), capMessages.messages],
      ["frequencyCapDays", readCap(v.frequencyCapDays, FREQUENCY_CAP_LIMITS.days), capMessages.days],
    ] as const;
    for (const [path, check, text] of checks)
      if (!check.ok) ctx.addIssue({ code: "custom", path: [path], message: check.missing ? text.missing : text.invalid });
  })
  .transform(({ frequencyCapEnabled, frequencyCapMessages, frequencyCapDays, ...rest }) => {
    const messages = readCap(frequencyCapMessages, FREQUENCY_CAP_LIMITS.messages);
    const days = readCap(frequencyCapDays, FREQUENCY_CAP_LIMITS.days);
    const on = frequencyCapEnabled && messages.ok && days.ok;
    return {
      ...rest,
      frequencyCapMessages: on ? messages.value : null,
      frequencyCapDays: on ? days.value : null,
    };
  });

export type OrganizationSettings = z.output<typeof organizationSettingsSchema>;

export const updateOrganization = async (
  db: Db,
  actor: { organizationId: string; userId: string },
  input: OrganizationSettings,
) =>
  db.transaction(async (tx) => {
    const [before] = await tx
      .select({ packageBalance: organizations.packageBalance })
      .from(organizations)
      .where(eq(organizations.id, actor.organizationId))
      .for("update");
    await tx
      .update(organizations)
      .set({ ...input, updatedAt: new Date() })
      .where(eq(organizations.id, actor.organizationId));
    // A balance edited by hand is a package movement too: the ledger must explain every change.
    const delta = input.packageBalance - (before?.packageBalance ?? 0);
    if (delta !== 0)
      await tx.insert(packageLedger).values({
        organizationId: actor.organizationId,
        kind: delta > 0 ? "manual_credit" : "refund",
        amount: delta,
        balanceAfter: input.packageBalance,
        userId: actor.userId,
        note: "Ajuste manual em Configurações › Organização",
      });
    await audit(tx, { ...actor, action: "organization.update", entityType: "organization", entityId: actor.organizationId, data: input });
  });

export const brazilianTimeZones = [
  "America/Sao_Paulo",
  "America/Bahia",
  "America/Fortaleza",
  "America/Recife",
  "America/Belem",
  "America/Manaus",
  "America/Cuiaba",
  "America/Campo_Grande",
  "America/Porto_Velho",
  "America/Boa_Vista",
  "America/Rio_Branco",
  "America/Noronha",
];
