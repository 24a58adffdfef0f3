"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authorizedAction, ok } from "@/lib/auth/action";
import { setTemplateOptInRequest, syncTemplates } from "@/lib/chips";
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

// Marks or unmarks a template as the opt-in request ("Pedido de opt-in"); only approved templates can be marked.
export const setTemplateOptInAction = authorizedAction(
  {
    name: "setTemplateOptIn",
    role: "gestor",
    schema: z.object({
      id: z.coerce.number({ error: "Template inválido." }).int("Template inválido.").positive("Template inválido."),
      optInRequest: z
        .union([z.boolean(), z.enum(["true", "false"])], { error: "Diga se o template é ou não um pedido de opt-in." })
        .transform((v) => v === true || v === "true"),
    }),
  },
  async ({ id, optInRequest }, { db, user }) => {
    const { name } = await setTemplateOptInRequest(db, { organizationId: user.organizationId, userId: user.id }, id, optInRequest);
    revalidatePath("/configuracoes/templates");
    return ok(
      undefined,
      optInRequest
        ? `${name} marcado como pedido de opt-in: campanhas com ele alcançam também contatos sem opt-in (nunca os descadastrados).`
        : `${name} não é mais um pedido de opt-in.`,
    );
  },
);
