"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authorizedAction, ok } from "@/lib/auth/action";
import { env } from "@/lib/env";
import { flowSchema, saveFlow } from "@/lib/flows";
import { endpointPolicyFor } from "@/lib/net/endpoint";

const optionalId = z
  .union([z.coerce.number().int().positive("Fluxo inválido."), z.literal("")])
  .optional()
  .transform((v) => (v ? v : null));

// Creates or edits a chatbot flow that campaign replies are routed to. A gestor may; the external bot's endpoint
// and secret only an admin may set or change (saveFlow checks the role and the address).
export const saveFlowAction = authorizedAction(
  { name: "saveFlow", role: "gestor", schema: flowSchema.extend({ id: optionalId }) },
  async ({ id, ...input }, { db, user }) => {
    const e = env();
    await saveFlow(db, { organizationId: user.organizationId, userId: user.id, role: user.role }, id, input, {
      encryptionKey: e.ENCRYPTION_KEY,
      endpointPolicy: endpointPolicyFor(e),
    });
    revalidatePath("/configuracoes/fluxos");
    return ok(undefined, id ? "Fluxo atualizado." : "Fluxo criado.");
  },
);
