"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authorizedAction, ok } from "@/lib/auth/action";
import { syncTemplates } from "@/lib/chips";
import { env } from "@/lib/env";
import { appWhatsAppClient } from "@/lib/whatsapp-runtime";

// "Sincronizar": pulls the templates of every WABA the organization's active chips belong to.
export const syncTemplatesAction = authorizedAction(
  { name: "syncTemplates", role: "gestor", schema: z.unknown() },
  async (_input, { db, user }) => {
    const { total, wabas } = await syncTemplates(db, { organizationId: user.organizationId, userId: user.id }, appWhatsAppClient(), env().ENCRYPTION_KEY);
    revalidatePath("/configuracoes/templates");
    return ok(total, `${total} template${total === 1 ? "" : "s"} sincronizado${total === 1 ? "" : "s"} de ${wabas} conta${wabas === 1 ? "" : "s"}.`);
  },
);
