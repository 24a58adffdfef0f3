import { z } from "zod";
import { duplicatePolicies, IMPORT_OPT_IN_SOURCES, OPT_IN_STATUSES } from "./fields";

// What the import screen sends; messages say what to fix.

export const importIdSchema = z.uuid("Arquivo não encontrado: envie a planilha de novo.");

/** "Desfazer importação": the import's id (contact_imports.id, the upload's). */
export const undoImportSchema = z.object({
  id: z.uuid("Importação não encontrada: recarregue a página e escolha a importação na lista."),
});

const column = z.coerce
  .number({ error: "Coluna inválida." })
  .int("Coluna inválida.")
  .min(0, "Coluna inválida.")
  .max(10_000, "Coluna inválida.");
const optionalColumn = column.optional();
const optionalId = (message: string) =>
  z.preprocess((v) => (v === "" || v === undefined ? null : v), z.coerce.number({ error: message }).int(message).positive(message).nullable());

export const importSettingsSchema = z.object({
  id: importIdSchema,
  mapping: z.object(
    {
      // Required, but checked with the other choices (lib/imports/run.ts checkReferences) for one message each.
      name: optionalColumn,
      surname: optionalColumn,
      phone: optionalColumn,
      ddd: optionalColumn,
      city: optionalColumn,
      state: optionalColumn,
      optInStatus: optionalColumn,
      optInSource: optionalColumn,
      optInAt: optionalColumn,
      tags: optionalColumn,
    },
    { error: "Escolha as colunas do nome e do telefone." },
  ),
  tagIds: z
    .array(z.coerce.number().int().positive("Etiqueta inválida."), { error: "Etiquetas inválidas." })
    .max(100, "Escolha no máximo 100 etiquetas.")
    .default([]),
  walletId: optionalId("Carteira inválida."),
  chipId: optionalId("Chip inválido."),
  defaultOptInStatus: z.enum(OPT_IN_STATUSES, { error: "Escolha o status de opt-in das linhas sem essa informação." }),
  defaultOptInSource: z.enum(IMPORT_OPT_IN_SOURCES, { error: "Escolha a origem do opt-in das linhas sem essa informação." }),
  duplicates: z.enum(duplicatePolicies, { error: "Escolha o que fazer com os contatos que já existem." }),
});

export type ImportSettingsInput = z.input<typeof importSettingsSchema>;
