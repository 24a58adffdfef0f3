"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { authorizedAction, ok } from "@/lib/auth/action";
import {
  campaignInputSchema,
  cancelCampaign,
  confirmCampaign,
  confirmSchema,
  duplicateCampaign,
  rescheduleCampaign,
  saveCampaign,
} from "@/lib/campaigns/campaigns";
import { pauseCampaign, resendFailures, resumeCampaign } from "@/lib/campaigns/dispatch";
import { loadCampaign } from "@/lib/campaigns/campaigns";
import { sendTestMessage } from "@/lib/campaigns/test-send";
import { env } from "@/lib/env";
import {
  notifyCampaignCancelled,
  notifyCampaignConfirmed,
  notifyCampaignRescheduled,
  notifyCampaignResent,
  notifyCampaignResumed,
} from "@/lib/jobs/engine";
import { appWhatsAppClient } from "@/lib/whatsapp-runtime";

const id = z.coerce.number({ error: "Campanha inválida." }).int().positive("Campanha inválida.");

// "Salvar rascunho" or "Enviar Campanha" (then the confirmation screen; an operador's waits for a gestor).
export const saveCampaignAction = authorizedAction(
  { name: "saveCampaign", role: "operador", schema: campaignInputSchema.extend({ intent: z.enum(["draft", "submit"], { error: "Ação inválida." }) }) },
  async ({ intent, ...input }, { db, user }) => {
    const row = await saveCampaign(db, { organizationId: user.organizationId, userId: user.id, role: user.role }, input, { intent, timeZone: user.timeZone });
    revalidatePath("/campanhas");
    redirect(intent === "submit" ? `/campanhas/${row.id}/confirmar` : `/campanhas/${row.id}?salva=1`);
  },
);

// "Enviar teste": the message rendered for one contact of the list, to one phone the user typed.
export const sendTestAction = authorizedAction(
  {
    name: "sendTest",
    role: "operador",
    schema: campaignInputSchema.pick({ chipId: true, templateId: true, variables: true, headerMediaUrl: true }).extend({
      contactId: z.coerce.number({ error: "Escolha o contato da prévia." }).int().positive("Escolha o contato da prévia."),
      phone: z.string({ error: "Digite o telefone que recebe o teste." }).trim().min(1, "Digite o telefone que recebe o teste (ex.: o seu WhatsApp).").max(40, "Telefone longo demais."),
      campaignId: z.union([id, z.literal("")]).optional().transform((v) => (v ? v : null)),
    }),
  },
  async (input, { db, user }) => {
    const result = await sendTestMessage(db, { organizationId: user.organizationId, userId: user.id }, appWhatsAppClient(), env().ENCRYPTION_KEY, input);
    return result.ok ? ok({ accepted: true }, result.message) : { ok: false as const, code: "error" as const, message: result.message };
  },
);

// "Confirmar envio": freezes the campaign and queues or schedules it (gestor or admin).
export const confirmCampaignAction = authorizedAction({ name: "confirmCampaign", role: "gestor", schema: confirmSchema }, async (input, { db, user }) => {
  await confirmCampaign(db, { organizationId: user.organizationId, userId: user.id, role: user.role }, input, { timeZone: user.timeZone });
  // With Inngest the campaign run starts from this event; the local worker reads the table by itself.
  await notifyCampaignConfirmed(await loadCampaign(db, user.organizationId, input.id));
  revalidatePath("/campanhas");
  redirect(`/campanhas/${input.id}?confirmada=1`);
});

// Moves a scheduled campaign to another future moment (gestor).
export const rescheduleCampaignAction = authorizedAction(
  { name: "rescheduleCampaign", role: "gestor", schema: z.object({ id, scheduledAt: z.string({ error: "Escolha o novo horário." }).trim().min(1, "Escolha o novo horário.").max(40) }) },
  async (input, { db, user }) => {
    await rescheduleCampaign(db, { organizationId: user.organizationId, userId: user.id, role: user.role }, input, { timeZone: user.timeZone });
    await notifyCampaignRescheduled(await loadCampaign(db, user.organizationId, input.id));
    revalidatePath(`/campanhas/${input.id}`);
    return ok(undefined, "Campanha reagendada.");
  },
);

// Cancels a campaign that has not started sending (gestor).
export const cancelCampaignAction = authorizedAction({ name: "cancelCampaign", role: "gestor", schema: z.object({ id }) }, async ({ id: campaignId }, { db, user }) => {
  await cancelCampaign(db, { organizationId: user.organizationId, userId: user.id, role: user.role }, campaignId);
  await notifyCampaignCancelled(campaignId);
  revalidatePath(`/campanhas/${campaignId}`);
  revalidatePath("/campanhas");
  return ok(undefined, "Campanha cancelada. Nada será enviado.");
});

// "Duplicar": a new draft with the same configuration.
export const duplicateCampaignAction = authorizedAction({ name: "duplicateCampaign", role: "operador", schema: z.object({ id }) }, async ({ id: campaignId }, { db, user }) => {
  const row = await duplicateCampaign(db, { organizationId: user.organizationId, userId: user.id, role: user.role }, campaignId);
  revalidatePath("/campanhas");
  redirect(`/campanhas/${row.id}/editar`);
});

// Pauses a campaign that is sending (gestor): nothing more is claimed; what is in flight finishes and is recorded.
export const pauseCampaignAction = authorizedAction({ name: "pauseCampaign", role: "gestor", schema: z.object({ id }) }, async ({ id: campaignId }, { db, user }) => {
  const campaign = await loadCampaign(db, user.organizationId, campaignId);
  const done = await pauseCampaign(db, campaign, `Pausada por ${user.name}.`, user.id);
  if (!done) return { ok: false as const, code: "conflict" as const, message: "Só uma campanha na fila ou enviando pode ser pausada." };
  revalidatePath(`/campanhas/${campaignId}`);
  return ok(undefined, "Campanha pausada.");
});

// Resumes a paused campaign (gestor).
export const resumeCampaignAction = authorizedAction({ name: "resumeCampaign", role: "gestor", schema: z.object({ id }) }, async ({ id: campaignId }, { db, user }) => {
  const campaign = await loadCampaign(db, user.organizationId, campaignId);
  const done = await resumeCampaign(db, campaign, user.id);
  if (!done) return { ok: false as const, code: "conflict" as const, message: "Só uma campanha pausada pode ser retomada." };
  await notifyCampaignResumed(await loadCampaign(db, user.organizationId, campaignId));
  revalidatePath(`/campanhas/${campaignId}`);
  return ok(undefined, "Campanha retomada.");
});

// "Reenviar falhas" (gestor): retryable failures, and the indeterminate ones only when explicitly chosen.
export const resendFailuresAction = authorizedAction(
  {
    name: "resendFailures",
    role: "gestor",
    schema: z.object({ id, includeIndeterminate: z.union([z.boolean(), z.literal("on"), z.literal("")]).optional().transform((v) => v === true || v === "on") }),
  },
  async ({ id: campaignId, includeIndeterminate }, { db, user }) => {
    const r = await resendFailures(db, { organizationId: user.organizationId, userId: user.id }, campaignId, { includeIndeterminate });
    if (!r.ok) return { ok: false as const, code: "conflict" as const, message: r.message };
    if (r.failed + r.indeterminate > 0) await notifyCampaignResent(await loadCampaign(db, user.organizationId, campaignId));
    revalidatePath(`/campanhas/${campaignId}`);
    const total = r.failed + r.indeterminate;
    return ok(r, total ? `${total} envio(s) voltaram para a fila.` : "Nada a reenviar agora.");
  },
);
