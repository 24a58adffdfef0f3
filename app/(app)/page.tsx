import Link from "next/link";
import {
  CheckCircle2Icon,
  FileTextIcon,
  FilterIcon,
  MegaphoneIcon,
  PackageIcon,
  SmartphoneIcon,
  UsersIcon,
  UserXIcon,
} from "lucide-react";
import { PageHeader } from "@/components/shell/page-header";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { StatCard } from "@/components/ui/stat-card";
import { getDb } from "@/db/client";
import { getDashboardCounts } from "@/db/queries/dashboard";
import { requireUser } from "@/lib/auth/page";

const pct = (part: number, total: number) =>
  total ? new Intl.NumberFormat("pt-BR", { style: "percent", maximumFractionDigits: 1 }).format(part / total) : "—";

export default async function DashboardPage() {
  const user = await requireUser();
  const c = await getDashboardCounts(getDb(), user.organizationId);
  const firstName = user.name.split(" ")[0];
  return (
    <>
      <PageHeader
        title={`Olá, ${firstName}`}
        description="Um resumo da sua base e das suas campanhas."
        actions={
          <Button asChild>
            <Link href="/campanhas">
              <MegaphoneIcon aria-hidden="true" />
              Nova campanha
            </Link>
          </Button>
        }
      />
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <StatCard label="Contatos" value={c.contacts} icon={UsersIcon} hint="na sua base" />
        <StatCard label="Com opt-in" value={c.optedIn} icon={CheckCircle2Icon} hint={`${pct(c.optedIn, c.contacts)} da base pode receber campanhas`} />
        <StatCard label="Descadastrados" value={c.optedOut} icon={UserXIcon} hint="pediram para não receber (opt-out)" />
        <StatCard label="Pacote de conversas" value={c.packageBalance} icon={PackageIcon} hint="mensagens disponíveis" />
        <StatCard label="Listas de público" value={c.audiences} icon={FilterIcon} />
        <StatCard label="Campanhas" value={c.campaigns} icon={MegaphoneIcon} hint={`${c.activeCampaigns} em andamento ou agendadas`} />
        <StatCard label="Chips ativos" value={c.activeChips} icon={SmartphoneIcon} hint="números de WhatsApp Business" />
        <StatCard label="Templates aprovados" value={c.approvedTemplates} icon={FileTextIcon} hint="prontos para campanhas" />
      </div>
      <Card className="mt-8">
        <CardHeader>
          <CardTitle>Como enviar uma campanha</CardTitle>
          <CardDescription>Do público ao relatório, em quatro passos.</CardDescription>
        </CardHeader>
        <CardContent>
          <ol className="grid gap-4 text-sm sm:grid-cols-4">
            {[
              ["1. Segmentação", "Filtre por etiquetas, carteiras, período, cidade e estado e salve uma lista de público.", "/segmentacao"],
              ["2. Campanha", "Escolha o chip, a lista, o template aprovado e quando enviar.", "/campanhas"],
              ["3. Confirmação", "Decida quem recebe: contatos deste chip, de outros chips ou ambos.", "/campanhas"],
              ["4. Relatório", "Acompanhe entregas, leituras e respostas; exporte para Excel.", "/relatorios"],
            ].map(([title, text, href]) => (
              <li key={title} className="rounded-lg border p-4">
                <Link href={href!} className="font-medium hover:underline">
                  {title}
                </Link>
                <p className="mt-1 text-muted-foreground">{text}</p>
              </li>
            ))}
          </ol>
        </CardContent>
      </Card>
    </>
  );
}
