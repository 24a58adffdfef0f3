"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { audienceNameSchema, deleteAudience, duplicateAudience, saveAudience } from "@/lib/audiences";
import { authorizedAction, ok } from "@/lib/auth/action";

const id = z.coerce.number({ error: "Lista inválida." }).int().positive("Lista inválida.");

// The filter arrives as JSON text from the builder; lib/audiences validates it (schema + ids of this organization).
const filterJson = z.string({ error: "O filtro não chegou. Recarregue a página." }).transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: "custom", message: "O filtro não está em JSON válido. Recarregue a página." });
    return z.NEVER;
  }
});

// "Cadastrar": saves the filter as a named lista de público (or updates an existing one).
export const saveAudienceAction = authorizedAction(
  {
    name: "saveAudience",
    role: "operador",
    schema: z.object({
      id: z
        .union([id, z.literal("")])
        .optional()
        .transform((v) => (v ? v : null)),
      name: audienceNameSchema,
      filter: filterJson,
    }),
  },
  async (input, { db, user }) => {
    await saveAudience(db, { organizationId: user.organizationId, userId: user.id }, input.id, input);
    revalidatePath("/segmentacao");
    redirect(`/segmentacao?salva=${encodeURIComponent(input.name)}`);
  },
);

// Copies a list under a new name.
export const duplicateAudienceAction = authorizedAction(
  { name: "duplicateAudience", role: "operador", schema: z.object({ id }) },
  async ({ id: audienceId }, { db, user }) => {
    await duplicateAudience(db, { organizationId: user.organizationId, userId: user.id }, audienceId);
    revalidatePath("/segmentacao");
    return ok(undefined, "Lista duplicada.");
  },
);

// Deletes a list, refused while a scheduled or running campaign uses it.
export const deleteAudienceAction = authorizedAction(
  { name: "deleteAudience", role: "gestor", schema: z.object({ id }) },
  async ({ id: audienceId }, { db, user }) => {
    await deleteAudience(db, { organizationId: user.organizationId, userId: user.id }, audienceId);
    revalidatePath("/segmentacao");
    return ok(undefined, "Lista apagada.");
  },
);
