import type { Metadata } from "next";
import { CampaignPanel } from "@/components/campaigns/campaign-panel";
import { PageHeader } from "@/components/shell/page-header";
import { requireUser } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import { emptyInitial, panelData } from "../panel-data";

export const metadata: Metadata = { title: "Nova campanha" };

export default async function NewCampaignPage({ searchParams }: { searchParams: Promise<{ lista?: string }> }) {
  const user = await requireUser();
  const data = await panelData(user);
  const lista = Number((await searchParams).lista);
  const audienceId = data.lists.some((l) => l.id === lista) ? lista : null;
  return (
    <>
      <PageHeader title="Nova campanha" description="Defina o nome, o chip, a lista alvo, a programação e o template. A prévia mostra a mensagem de um contato real da lista." />
      <CampaignPanel {...data} initial={{ ...emptyInitial, audienceId }} canConfirm={hasRole(user.role, "gestor")} />
    </>
  );
}
