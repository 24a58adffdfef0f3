"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authorizedAction, ok, ActionError } from "@/lib/auth/action";
import { chipSchema, saveChip, setChipStatus, testChipConnection } from "@/lib/chips";
import { env } from "@/lib/env";
import { appWhatsAppClient } from "@/lib/whatsapp-runtime";

const id = z.coerce.number({ error: "Chip inválido." }).int().positive("Chip inválido.");
const optionalId = z
  .union([id, z.literal("")])
  .optional()
  .transform((v) => (v ? v : null));

// Creates or edits a chip once Meta confirms the number, its WABA and the token (lib/chips.ts saveChip); the
// access token is encrypted before it is stored.
export const saveChipAction = authorizedAction(
  { name: "saveChip", role: "admin", schema: chipSchema.extend({ id: optionalId }) },
  async ({ id: chipId, ...input }, { db, user }) => {
    const { proof } = await saveChip(
      db,
      { organizationId: user.organizationId, userId: user.id },
      chipId,
      input,
      env().ENCRYPTION_KEY,
      appWhatsAppClient(),
    );
    revalidatePath("/configuracoes/chips");
    const who = proof ? [proof.verifiedName, proof.displayPhoneNumber && `(${proof.displayPhoneNumber})`].filter(Boolean).join(" ") : "";
    const confirmed = proof ? ` Confirmado com a Meta${who ? `: ${who}` : ""}.` : "";
    return ok(undefined, `${chipId ? "Chip atualizado." : "Chip cadastrado."}${confirmed}`);
  },
);

// Enables or disables a chip (a disabled chip sends nothing).
export const setChipStatusAction = authorizedAction(
  { name: "setChipStatus", role: "admin", schema: z.object({ id, status: z.enum(["active", "disabled"]) }) },
  async ({ id: chipId, status }, { db, user }) => {
    await setChipStatus(db, { organizationId: user.organizationId, userId: user.id }, chipId, status);
    revalidatePath("/configuracoes/chips");
    return ok(undefined, status === "active" ? "Chip ativado." : "Chip desativado.");
  },
);

// "Testar conexão": asks the WhatsApp API about the number with the chip's own token.
export const testChipAction = authorizedAction(
  { name: "testChip", role: "admin", schema: z.object({ id }) },
  async ({ id: chipId }, { db, user }) => {
    const result = await testChipConnection(db, user.organizationId, chipId, appWhatsAppClient(), env().ENCRYPTION_KEY);
    revalidatePath("/configuracoes/chips");
    if (!result.ok) throw new ActionError("error", result.message);
    return ok(undefined, result.message);
  },
);
