import type { Metadata } from "next";
import { BarChart3Icon } from "lucide-react";
import { CampaignTable } from "@/components/campaigns/campaign-table";
import { PageHeader } from "@/components/shell/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { getDb } from "@/db/client";
import { listCampaigns } from "@/db/queries/campaigns";
import { requireUser } from "@/lib/auth/page";

export const metadata: Metadata = { title: "Relatórios" };

export default async function ReportsPage() {
  const user = await requireUser();
  const rows = (await listCampaigns(getDb(), user.organizationId, { page: 1 })).rows.filter((c) => c.status !== "draft" && c.status !== "awaiting_confirmation");
  return (
    <>
      <PageHeader
        title="Relatórios"
        description="Por campanha: quem recebeu o quê, por qual chip, com qual mensagem e status. Visualize aqui ou exporte para Excel."
      />
      {rows.length === 0 ? (
        <EmptyState
          icon={BarChart3Icon}
          title="Nenhum relatório ainda"
          description="Assim que uma campanha for confirmada, o relatório de envios dela aparece aqui."
        />
      ) : (
        <CampaignTable rows={rows} timeZone={user.timeZone} hrefBase="/relatorios" />
      )}
    </>
  );
}
