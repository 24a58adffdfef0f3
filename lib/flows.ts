import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { chatbotFlows } from "@/db/schema";
import { ActionError } from "@/lib/auth/action";
import { audit } from "@/lib/audit";
import { encryptSecret } from "@/lib/crypto";

type Actor = { organizationId: string; userId: string };

const checkbox = z
  .union([z.literal("on"), z.literal("true"), z.literal("false"), z.literal(""), z.boolean()])
  .optional()
  .transform((v) => v === "on" || v === "true" || v === true);

export const flowSchema = z.object({
  name: z.string().trim().min(2, "Dê um nome ao fluxo.").max(80, "Nome: no máximo 80 caracteres."),
  description: z
    .string()
    .trim()
    .max(300, "Descrição: no máximo 300 caracteres.")
    .optional()
    .transform((v) => (v ? v : null)),
  active: checkbox,
  entryMessage: z
    .string()
    .trim()
    .min(1, "Escreva a mensagem que o contato recebe ao entrar no fluxo.")
    .max(4096, "A mensagem pode ter no máximo 4.096 caracteres (limite do WhatsApp)."),
  endpointUrl: z
    .string()
    .trim()
    .max(500, "URL longa demais.")
    .optional()
    .transform((v) => (v ? v : null))
    .refine((v) => !v || /^https?:\/\/[^\s]+$/i.test(v), "Use uma URL completa, como https://bot.suaempresa.com.br/entrada."),
  endpointSecret: z
    .string()
    .trim()
    .max(200, "Segredo longo demais.")
    .optional()
    .transform((v) => (v ? v : null)),
  clearSecret: checkbox,
});

export type FlowInput = z.output<typeof flowSchema>;

export const saveFlow = async (db: Db, actor: Actor, id: number | null, input: FlowInput, encryptionKey: string) => {
  const { endpointSecret, clearSecret, ...fields } = input;
  const values = {
    ...fields,
    ...(endpointSecret ? { endpointSecretEncrypted: encryptSecret(endpointSecret, encryptionKey) } : {}),
    ...(clearSecret ? { endpointSecretEncrypted: null } : {}),
    updatedAt: new Date(),
  };
  try {
    return await db.transaction(async (tx) => {
      const [row] = id
        ? await tx
            .update(chatbotFlows)
            .set(values)
            .where(and(eq(chatbotFlows.organizationId, actor.organizationId), eq(chatbotFlows.id, id)))
            .returning({ id: chatbotFlows.id })
        : await tx
            .insert(chatbotFlows)
            .values({ ...values, organizationId: actor.organizationId })
            .returning({ id: chatbotFlows.id });
      if (!row) throw new ActionError("not_found", "Fluxo não encontrado.");
      await audit(tx, { ...actor, action: id ? "flow.update" : "flow.create", entityType: "flow", entityId: row.id, data: fields });
      return row;
    });
  } catch (err) {
    const code = (err as { code?: string; cause?: { code?: string } })?.cause?.code ?? (err as { code?: string })?.code;
    if (code === "23505")
      throw new ActionError("conflict", "Já existe um fluxo com este nome.", { name: ["Escolha outro nome."] });
    throw err;
  }
};
