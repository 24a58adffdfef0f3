import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { CampaignPanel, type PanelInitial } from "@/components/campaigns/campaign-panel";
import { PageHeader } from "@/components/shell/page-header";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import { EDITABLE_STATUSES } from "@/lib/campaigns/campaigns";
import { loadCampaignOrNull } from "@/lib/campaigns/queries";
import { dateToZonedLocal } from "@/lib/campaigns/time";
import type { VariableMapping } from "@/lib/campaigns/variables";
import { panelData } from "../../panel-data";

export const metadata: Metadata = { title: "Editar campanha" };

export default async function EditCampaignPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const id = Number((await params).id);
  const campaign = Number.isInteger(id) && id > 0 ? await loadCampaignOrNull(getDb(), user.organizationId, id) : null;
  if (!campaign) notFound();
  if (!(EDITABLE_STATUSES as readonly string[]).includes(campaign.status)) redirect(`/campanhas/${id}`);
  const data = await panelData(user);
  return (
    <>
      <PageHeader title={`Editar: ${campaign.name}`} description="Ajuste o que precisar e salve o rascunho ou envie a campanha para confirmação." />
      <CampaignPanel
        {...data}
        canConfirm={hasRole(user.role, "gestor")}
        initial={{
          id: campaign.id,
          name: campaign.name,
          chipId: campaign.chipId,
          audienceId: campaign.audienceId,
          templateId: campaign.templateId,
          flowId: campaign.flowId,
          sendMode: campaign.sendMode,
          scheduledAt: campaign.scheduledAt ? dateToZonedLocal(campaign.scheduledAt, user.timeZone) : null,
          variables: (campaign.templateVariables as VariableMapping[]) ?? [],
          headerMediaUrl: campaign.headerMediaUrl,
          packageConsent: campaign.packageConsent,
          sendWindow: (campaign.sendWindow as PanelInitial["sendWindow"]) ?? null,
        }}
      />
    </>
  );
}
