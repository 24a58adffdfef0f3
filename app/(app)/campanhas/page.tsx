import type { Metadata } from "next";
import { MegaphoneIcon } from "lucide-react";
import { CampaignTable } from "@/components/campaigns/campaign-table";
import { PageHeader } from "@/components/shell/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { getDb } from "@/db/client";
import { listCampaigns } from "@/db/queries/campaigns";
import { requireUser } from "@/lib/auth/page";

export const metadata: Metadata = { title: "Campanhas" };

export default async function CampaignsPage() {
  const user = await requireUser();
  const rows = await listCampaigns(getDb(), user.organizationId);
  return (
    <>
      <PageHeader
        title="Campanhas"
        description="Programe disparos: nome, chip, lista alvo, envio imediato ou agendado, template aprovado e fluxo de chatbot."
      />
      {rows.length === 0 ? (
        <EmptyState
          icon={MegaphoneIcon}
          title="Nenhuma campanha ainda"
          description="O painel de campanhas chega depois da segmentação e da camada de WhatsApp. Suas campanhas aparecerão aqui com o status de cada uma."
        />
      ) : (
        <CampaignTable rows={rows} timeZone={user.timeZone} />
      )}
    </>
  );
}
