import { z } from "zod";

export const UFS = [
  "AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS", "MG", "PA",
  "PB", "PR", "PE", "PI", "RJ", "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO",
] as const;

export const OPT_IN_STATUSES = ["none", "pending", "opted_in", "opted_out"] as const;

const id = z.coerce.number().int().positive();

// Ids arrive from forms as repeated fields, one string, or nothing.
export const idList = (max = 500) =>
  z
    .preprocess(
      (v): unknown[] => (v === undefined || v === null || v === "" ? [] : Array.isArray(v) ? v : [v]),
      z.array(id).max(max, `No máximo ${max} itens por vez.`),
    )
    .transform((ids): number[] => [...new Set(ids)]);

const optional = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label}: no máximo ${max} caracteres.`)
    .optional()
    .transform((v) => (v ? v : null));

export const contactInputSchema = z.object({
  name: z.string().trim().min(1, "Informe o nome do contato.").max(120, "Nome: no máximo 120 caracteres."),
  phone: z.string().trim().min(1, "Informe o telefone com DDD.").max(40, "Telefone longo demais."),
  city: optional(80, "Cidade"),
  state: z
    .union([z.enum(UFS, { error: "Escolha uma UF da lista." }), z.literal("")])
    .optional()
    .transform((v) => (v ? v : null)),
  walletId: z
    .union([id, z.literal("")])
    .optional()
    .transform((v) => (v ? v : null)),
  tagIds: idList(50),
  optInStatus: z.enum(OPT_IN_STATUSES, { error: "Escolha a situação de opt-in." }),
});

export type ContactInput = z.output<typeof contactInputSchema>;

export const OPT_IN_REASON_MAX = 500;

// An edit posts the opt-in status the form showed beside the chosen one: the server writes the opt-in only when the
// user changed it (lib/contacts/consent.ts), so a stale form never overwrites an opt-out that arrived meanwhile.
export const contactUpdateSchema = contactInputSchema.extend({
  // Empty is allowed here: a contact who wrote in by WhatsApp username only has no phone (updateContact decides).
  phone: z.string().trim().max(40, "Telefone longo demais."),
  loadedOptInStatus: z.enum(OPT_IN_STATUSES, {
    error: "Não foi possível saber qual opt-in a página mostrava. Recarregue a página e salve de novo.",
  }),
  optInReason: optional(OPT_IN_REASON_MAX, "Motivo"),
});

export type ContactUpdateInput = z.output<typeof contactUpdateSchema>;

/** Columns the Contatos table sorts by (each has an index that starts with the organization). */
export const CONTACT_SORTS = ["name", "since"] as const;

export const contactListFilterSchema = z.object({
  q: z.string().trim().max(100).optional().catch(undefined),
  tag: z.coerce.number().int().positive().optional().catch(undefined),
  wallet: z.coerce.number().int().positive().optional().catch(undefined),
  uf: z.enum(UFS).optional().catch(undefined),
  optIn: z.enum(OPT_IN_STATUSES).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
  sort: z.enum(CONTACT_SORTS).catch("name").default("name"),
  dir: z.enum(["asc", "desc"]).catch("asc").default("asc"),
});

export type ContactListFilter = z.output<typeof contactListFilterSchema>;
