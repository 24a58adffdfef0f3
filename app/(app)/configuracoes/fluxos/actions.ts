"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authorizedAction, ok } from "@/lib/auth/action";
import { env } from "@/lib/env";
import { flowSchema, saveFlow } from "@/lib/flows";

const optionalId = z
  .union([z.coerce.number().int().positive("Fluxo inválido."), z.literal("")])
  .optional()
  .transform((v) => (v ? v : null));

// Creates or edits a chatbot flow that campaign replies are routed to.
export const saveFlowAction = authorizedAction(
  { name: "saveFlow", role: "gestor", schema: flowSchema.extend({ id: optionalId }) },
  async ({ id, ...input }, { db, user }) => {
    await saveFlow(db, { organizationId: user.organizationId, userId: user.id }, id, input, env().ENCRYPTION_KEY);
    revalidatePath("/configuracoes/fluxos");
    return ok(undefined, id ? "Fluxo atualizado." : "Fluxo criado.");
  },
);
