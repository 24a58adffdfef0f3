import { and, eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { chips, contacts, templates, wallets } from "@/db/schema";
import { ActionError } from "@/lib/action-error";
import { audit } from "@/lib/audit";
import { decryptSecret } from "@/lib/crypto";
import { normalizePhone } from "@/lib/phones";
import type { WhatsAppClient } from "@/lib/whatsapp/client";
import { buildMessage } from "./message";
import type { VariableMapping } from "./variables";

type Actor = { organizationId: string; userId: string };

export type TestSendInput = {
  chipId: number;
  templateId: number;
  variables: VariableMapping[];
  headerMediaUrl: string | null;
  /** The contact whose values fill the variables. */
  contactId: number;
  /** Where the test goes: typed by the user (for example their own WhatsApp). */
  phone: string;
  campaignId: number | null;
};

/**
 * "Enviar teste": the campaign's message rendered for one contact, sent through the chosen chip to one phone the
 * user typed. Not a recipient of the campaign (no row, no package debit); audited.
 */
export const sendTestMessage = async (db: Db, actor: Actor, client: WhatsAppClient, encryptionKey: string, input: TestSendInput) => {
  const phone = normalizePhone(input.phone);
  if (!phone.ok) throw new ActionError("invalid", `Telefone do teste: ${phone.reason}`, { phone: [phone.reason] });
  const [[chip], [template], [contact]] = await Promise.all([
    db.select().from(chips).where(and(eq(chips.organizationId, actor.organizationId), eq(chips.id, input.chipId))),
    db.select().from(templates).where(and(eq(templates.organizationId, actor.organizationId), eq(templates.id, input.templateId))),
    db
      .select({ name: contacts.name, city: contacts.city, state: contacts.state, wallet: wallets.name })
      .from(contacts)
      .leftJoin(wallets, eq(wallets.id, contacts.walletId))
      .where(and(eq(contacts.organizationId, actor.organizationId), eq(contacts.id, input.contactId))),
  ]);
  if (!chip) throw new ActionError("invalid", "Escolha o chip antes de enviar um teste.", { chipId: ["Escolha o chip."] });
  if (chip.status !== "active") throw new ActionError("invalid", `O chip “${chip.name}” não está conectado: o teste não pode sair por ele.`);
  if (!template) throw new ActionError("invalid", "Escolha o template antes de enviar um teste.", { templateId: ["Escolha o template."] });
  if (template.status !== "approved") throw new ActionError("invalid", `O template “${template.name}” não está aprovado: a Meta recusaria o envio.`);
  if (!contact) throw new ActionError("invalid", "Escolha um contato da lista para preencher as variáveis do teste.");
  const { message, missing } = buildMessage(template, input.variables, contact, input.headerMediaUrl);
  if (missing.length) throw new ActionError("invalid", "Este contato deixa variáveis sem valor: escolha outro contato ou defina um texto para quem não tem o campo.");
  const result = await client.sendTemplate({
    phoneNumberId: chip.phoneNumberId,
    accessToken: decryptSecret(chip.accessTokenEncrypted, encryptionKey),
    to: phone.e164,
    template: message,
    bizOpaqueCallbackData: `teste:${input.campaignId ?? "novo"}`,
  });
  await audit(db, {
    ...actor,
    action: "campaign.test_send",
    entityType: "campaign",
    entityId: input.campaignId ?? undefined,
    data: { chipId: chip.id, templateId: template.id, to: phone.e164, ok: result.ok, ...(result.ok ? { wamid: result.wamid } : { code: result.code ?? result.networkCode }) },
  });
  if (!result.ok) return { ok: false as const, message: `Teste recusado: ${result.explanation} ${result.nextStep}` };
  return { ok: true as const, message: `Teste aceito pelo WhatsApp para ${phone.e164} (id ${result.wamid}). Confira no aparelho.` };
};
