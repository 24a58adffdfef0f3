import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { chatbotFlows, type Role } from "@/db/schema";
import { ActionError } from "@/lib/auth/action";
import { audit } from "@/lib/audit";
import { encryptSecret } from "@/lib/crypto";
import { checkEndpointUrl, type EndpointPolicy } from "@/lib/net/endpoint";

type Actor = { organizationId: string; userId: string; role: Role };

export const ENDPOINT_ADMIN_ONLY = "Só um administrador pode mudar o bot externo do fluxo (endereço e segredo).";

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
  // Absent (a form without the field, as a gestor's is) keeps the stored endpoint; empty removes it. https and a
  // public address are checked on save (saveFlow), after resolving the name.
  endpointUrl: z
    .string()
    .trim()
    .max(500, "URL longa demais.")
    .optional()
    .transform((v) => (v === undefined ? undefined : v || null))
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

export type SaveFlowOptions = { encryptionKey: string; endpointPolicy: EndpointPolicy };

/**
 * Creates or edits a flow. A gestor manages flows, but the external bot's endpoint and secret are an admin's:
 * the hand-off POSTs contacts' names, phones and replies there. A new or changed endpoint must be https to a
 * public address (lib/net/endpoint.ts), checked here and again at every hand-off.
 */
export const saveFlow = async (db: Db, actor: Actor, id: number | null, input: FlowInput, opts: SaveFlowOptions) => {
  const { endpointSecret, clearSecret, endpointUrl, ...fields } = input;
  const [existing] = id
    ? await db
        .select({ endpointUrl: chatbotFlows.endpointUrl })
        .from(chatbotFlows)
        .where(and(eq(chatbotFlows.organizationId, actor.organizationId), eq(chatbotFlows.id, id)))
    : [];
  if (id && !existing) throw new ActionError("not_found", "Fluxo não encontrado.");
  const urlChanged = endpointUrl !== undefined && endpointUrl !== (existing?.endpointUrl ?? null);
  if ((urlChanged || endpointSecret || clearSecret) && actor.role !== "admin")
    throw new ActionError("forbidden", ENDPOINT_ADMIN_ONLY, { endpointUrl: [ENDPOINT_ADMIN_ONLY] });
  let url: string | null | undefined;
  if (urlChanged && endpointUrl) {
    const check = await checkEndpointUrl(endpointUrl, opts.endpointPolicy);
    if (!check.ok) throw new ActionError("invalid", "Confira os campos destacados.", { endpointUrl: [check.message] });
    url = check.url.href;
  } else if (urlChanged) url = null;
  const values = {
    ...fields,
    // Written only when it changed: an unchanged form never puts back an endpoint someone else just changed.
    ...(url !== undefined ? { endpointUrl: url } : {}),
    ...(endpointSecret ? { endpointSecretEncrypted: encryptSecret(endpointSecret, opts.encryptionKey) } : {}),
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
      const data = { ...fields, ...(url !== undefined ? { endpointUrl: url } : {}), secretChanged: Boolean(endpointSecret || clearSecret) };
      await audit(tx, { organizationId: actor.organizationId, userId: actor.userId, action: id ? "flow.update" : "flow.create", entityType: "flow", entityId: row.id, data });
      return row;
    });
  } catch (err) {
    const code = (err as { code?: string; cause?: { code?: string } })?.cause?.code ?? (err as { code?: string })?.code;
    if (code === "23505")
      throw new ActionError("conflict", "Já existe um fluxo com este nome.", { name: ["Escolha outro nome."] });
    throw err;
  }
};
