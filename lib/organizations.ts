import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { organizations } from "@/db/schema";
import { ActionError } from "./action-error";
import { audit } from "./audit";
import { FREQUENCY_CAP_LIMITS } from "./frequency-cap";

const timeZones = new Set(Intl.supportedValuesOf("timeZone"));

// Accepts "0,3125" (Brazilian decimal comma) as well as "0.3125"; gives it with four decimals, as the numeric(10, 4)
// column reads back ("0,04" → "0.0400"), so that a price typed the same way is not a change.
const brl = (label: string) =>
  z
    .string()
    .trim()
    .transform((v) => v.replace(/\s|R\$/g, "").replace(",", "."))
    .pipe(
      z
        .string()
        .regex(/^\d{1,6}(\.\d{1,4})?$/, `${label}: use um valor como 0,3125 (até 4 casas decimais).`)
        .transform((v) => {
          const [int, dec = ""] = v.split(".");
          return `${Number(int)}.${dec.padEnd(4, "0")}`;
        }),
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

const name = z.string().trim().min(2, "Informe o nome da organização.").max(120, "Nome longo demais (máximo 120).");
const timeZone = z.string().refine((tz) => timeZones.has(tz), "Escolha um fuso horário da lista.");
const autoIncreaseSize = z.coerce
  .number({ error: "Informe o tamanho do aumento automático." })
  .int("O aumento é um número inteiro de mensagens.")
  .min(100, "O aumento automático deve ser de pelo menos 100 mensagens.")
  .max(10_000_000, "Aumento grande demais (máximo 10.000.000 mensagens).");

// Frequency cap: at most N marketing messages per contact in D days. Off = both null; the numbers typed while it
// is off are ignored.
const frequencyCapCard = z
  .object({ frequencyCapEnabled: checkbox, frequencyCapMessages: capValue, frequencyCapDays: capValue })
  .superRefine((v, ctx) => {
    if (!v.frequencyCapEnabled) return;
    const checks = [
      ["frequencyCapMessages", readCap(v.frequencyCapMessages, FREQUENCY_CAP_LIMITS.messages), capMessages.messages],
      ["frequencyCapDays", readCap(v.frequencyCapDays, FREQUENCY_CAP_LIMITS.days), capMessages.days],
    ] as const;
    for (const [path, check, text] of checks)
      if (!check.ok) ctx.addIssue({ code: "custom", path: [path], message: check.missing ? text.missing : text.invalid });
  })
  .transform(({ frequencyCapEnabled, frequencyCapMessages, frequencyCapDays }) => {
    const messages = readCap(frequencyCapMessages, FREQUENCY_CAP_LIMITS.messages);
    const days = readCap(frequencyCapDays, FREQUENCY_CAP_LIMITS.days);
    const on = frequencyCapEnabled && messages.ok && days.ok;
    return { frequencyCapMessages: on ? messages.value : null, frequencyCapDays: on ? days.value : null };
  });

/**
 * The settings page saves one card at a time, and never the package balance: that moves only through the ledger
 * (lib/ledger.ts). Each card's fields, parsed as they are typed.
 */
const settingsCards = {
  organization: z.object({ name, timeZone }),
  prices: z.object({
    priceMarketing: brl("Preço de marketing"),
    priceUtility: brl("Preço de utilidade"),
    priceAuthentication: brl("Preço de autenticação"),
  }),
  package: z.object({ autoIncreaseSize }),
  frequencyCap: frequencyCapCard,
};

export type SettingsCard = keyof typeof settingsCards;
export type OrganizationSettings = z.output<typeof settingsCards.organization> &
  z.output<typeof settingsCards.prices> &
  z.output<typeof settingsCards.package> &
  z.output<typeof settingsCards.frequencyCap>;
type SettingKey = keyof OrganizationSettings;

// Settings that are saved together: the frequency cap is one rule (N messages in D days), not two numbers.
const settingGroups: SettingKey[][] = [["frequencyCapMessages", "frequencyCapDays"]];

const parseLoaded = (schema: z.ZodType, raw: string | undefined) => {
  if (!raw) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? (parsed.data as Partial<OrganizationSettings>) : null;
  } catch {
    return null;
  }
};

/**
 * One card of the settings form → the settings the user changed. `loaded` is the card's values as the page showed
 * them (JSON, posted by the form): a field typed back to what it was, or left alone while someone else changed it,
 * is not written. Without `loaded` every field of the card counts as changed.
 */
export const organizationSettingsSchema = z
  .object({
    card: z.enum(Object.keys(settingsCards) as [SettingsCard, ...SettingsCard[]], { error: "Escolha o que salvar." }),
    loaded: z.string().max(4_000, "Recarregue a página e tente de novo.").optional(),
  })
  .loose()
  .transform((input, ctx) => {
    const schema = settingsCards[input.card];
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
      return z.NEVER;
    }
    const values = parsed.data as Partial<OrganizationSettings>;
    const loaded = parseLoaded(schema, input.loaded);
    const differs = (k: SettingKey) => !loaded || loaded[k] !== values[k];
    const changes: Partial<OrganizationSettings> = {};
    for (const key of Object.keys(values) as SettingKey[]) {
      const group = settingGroups.find((g) => g.includes(key)) ?? [key];
      if (group.some(differs)) Object.assign(changes, { [key]: values[key] });
    }
    return { card: input.card, changes };
  });

export type OrganizationSettingsInput = z.output<typeof organizationSettingsSchema>;

/**
 * Writes the settings that differ from the organization's row, and nothing else (never the package balance, which
 * the send engine debits meanwhile); audited with what each was before. Returns the names of the fields written.
 */
export const updateOrganization = async (
  db: Db,
  actor: { organizationId: string; userId: string },
  changes: Partial<OrganizationSettings>,
) =>
  db.transaction(async (tx) => {
    const [before] = await tx
      .select({
        name: organizations.name,
        timeZone: organizations.timeZone,
        priceMarketing: organizations.priceMarketing,
        priceUtility: organizations.priceUtility,
        priceAuthentication: organizations.priceAuthentication,
        autoIncreaseSize: organizations.autoIncreaseSize,
        frequencyCapMessages: organizations.frequencyCapMessages,
        frequencyCapDays: organizations.frequencyCapDays,
      })
      .from(organizations)
      .where(eq(organizations.id, actor.organizationId))
      .for("update");
    if (!before) throw new ActionError("not_found", "Organização não encontrada.");
    const diff: Record<string, { from: unknown; to: unknown }> = {};
    for (const [key, to] of Object.entries(changes) as [SettingKey, unknown][]) {
      if (to === undefined || !(key in before) || before[key] === to) continue;
      diff[key] = { from: before[key], to };
    }
    const fields = Object.keys(diff) as SettingKey[];
    if (!fields.length) return fields;
    await tx
      .update(organizations)
      .set({ ...Object.fromEntries(fields.map((k) => [k, diff[k]!.to])), updatedAt: new Date() })
      .where(eq(organizations.id, actor.organizationId));
    await audit(tx, { ...actor, action: "organization.update", entityType: "organization", entityId: actor.organizationId, data: diff });
    return fields;
  });

// Brazil's time zones, by the city people know them by.
const brazilianTimeZones: [string, string][] = [
  ["America/Sao_Paulo", "Brasília, São Paulo, Rio de Janeiro, Sul"],
  ["America/Bahia", "Salvador"],
  ["America/Fortaleza", "Fortaleza"],
  ["America/Recife", "Recife"],
  ["America/Belem", "Belém"],
  ["America/Manaus", "Manaus"],
  ["America/Cuiaba", "Cuiabá"],
  ["America/Campo_Grande", "Campo Grande"],
  ["America/Porto_Velho", "Porto Velho"],
  ["America/Boa_Vista", "Boa Vista"],
  ["America/Rio_Branco", "Rio Branco"],
  ["America/Noronha", "Fernando de Noronha"],
];

const utcOffset = (timeZone: string, at: Date) => {
  const name = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "shortOffset" }).formatToParts(at).find((p) => p.type === "timeZoneName")?.value;
  return (name ?? "GMT").replace("GMT", "UTC").replace("-", "−");
};

/** The time zone picker's options ("Manaus (UTC−4)"), the organization's own first when it is not Brazilian. */
export const timeZoneOptions = (current: string, at = new Date()) => {
  const options = brazilianTimeZones.map(([value, city]) => ({ value, label: `${city} (${utcOffset(value, at)})` }));
  return options.some((o) => o.value === current) ? options : [{ value: current, label: `${current} (${utcOffset(current, at)})` }, ...options];
};
