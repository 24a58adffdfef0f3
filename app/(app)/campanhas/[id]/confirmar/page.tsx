import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { ArrowLeftIcon, PencilIcon } from "lucide-react";
import { ConfirmForm, type ConfirmOption } from "@/components/campaigns/confirm-form";
import { PageHeader } from "@/components/shell/page-header";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import { SKIP_REASONS } from "@/lib/campaigns/audience";
import { confirmationData, EDITABLE_STATUSES } from "@/lib/campaigns/campaigns";
import { skipExplanations } from "@/lib/campaigns/labels";
import { loadCampaignOrNull } from "@/lib/campaigns/queries";
import { tierLabels } from "@/lib/chips";
import { chipScopeLabels, formatBrl, formatCount, formatDateTime, formatDuration, skipReasonLabels } from "@/lib/i18n/labels";

export const metadata: Metadata = { title: "Confirmar campanha" };

const scopeDescriptions = {
  this_chip: "Quem já conversa com a empresa por este número.",
  other_chips: "Quem só falou com a empresa por outro número.",
  both: "Todos os contatos da lista, independente do chip.",
} as const;

export default async function ConfirmCampaignPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const id = Number((await params).id);
  const db = getDb();
  const campaign = Number.isInteger(id) && id > 0 ? await loadCampaignOrNull(db, user.organizationId, id) : null;
  if (!campaign) notFound();
  if (!(EDITABLE_STATUSES as readonly string[]).includes(campaign.status)) redirect(`/campanhas/${id}`);
  const data = await confirmationData(db, user.organizationId, campaign, { timeZone: user.timeZone });
  const options: ConfirmOption[] = (["this_chip", "other_chips", "both"] as const).map((scope) => {
    const o = data.options[scope];
    const e = o.estimate;
    const limit = e.messagingLimit;
    return {
      scope,
      title: chipScopeLabels[scope],
      description: scope === "both" && data.breakdown.withoutChip ? `${scopeDescriptions.both} Inclui ${formatCount(data.breakdown.withoutChip)} que ainda não falaram por nenhum chip.` : scopeDescriptions[scope],
      inScope: o.inScope,
      recipients: o.recipients,
      skipped: SKIP_REASONS.map((reason) => ({ reason, label: skipReasonLabels[reason], explanation: skipExplanations[reason], n: data.breakdown.scopes[scope].skipped[reason] })),
      cost: `${formatBrl(e.costBrl)} (${formatCount(o.recipients)} × ${formatBrl(e.pricePerMessage, 4)} por mensagem)`,
      duration: `${formatDuration(e.durationSeconds)} a ${formatCount(e.messagesPerSecond)} msg/s`,
      finishesAt: formatDateTime(e.finishesAt, user.timeZone),
      packageLine:
        e.package.increases === 0
          ? `Saldo de ${formatCount(e.package.balance)} mensagens: cobre a campanha (restam ${formatCount(e.package.balanceAfter)}).`
          : `Saldo de ${formatCount(e.package.balance)} mensagens: a campanha usa ${e.package.increases} aumento${e.package.increases === 1 ? "" : "s"} automático${e.package.increases === 1 ? "" : "s"} de ${formatCount(e.package.autoIncreaseSize)} (restam ${formatCount(e.package.balanceAfter)}).`,
      limitLine:
        limit.limit === null
          ? "Ilimitado."
          : `${tierLabels[limit.tier] ?? formatCount(limit.limit)}: ${formatCount(limit.usedLast24h)} usados nas últimas 24 h pelos chips do portfólio, restam ${formatCount(limit.remaining ?? 0)}.`,
      limitWarning:
        limit.waves > 1
          ? `A campanha passa do que resta do limite da Meta: envia ${formatCount(limit.remaining ?? 0)} agora e o restante em ${limit.waves - (limit.remaining ? 1 : 0)} onda${limit.waves - (limit.remaining ? 1 : 0) === 1 ? "" : "s"} de até ${formatCount(limit.limit ?? 0)}, conforme a janela de 24 h libera. Término estimado: ${formatDateTime(e.finishesAt, user.timeZone)}.`
          : null,
    };
  });
  const { savedCount, now } = data.listChange;
  const change = savedCount === null || savedCount === now ? null : now - savedCount;
  const canConfirm = hasRole(user.role, "gestor");
  return (
    <>
      <PageHeader
        title={`Confirmar: ${campaign.name}`}
        description={
          <>
            Lista “{data.refs.audience.name}” ({formatCount(now)} contatos agora) · chip {data.refs.chip.name} · template {data.refs.template.name} ·{" "}
            {campaign.sendMode === "scheduled" && campaign.scheduledAt ? `agendada para ${formatDateTime(campaign.scheduledAt, user.timeZone)}` : "envio imediato"}
          </>
        }
        actions={
          <>
            <Button asChild variant="ghost">
              <Link href="/campanhas">
                <ArrowLeftIcon aria-hidden="true" />
                Campanhas
              </Link>
            </Button>
            <Button asChild variant="outline">
              <Link href={`/campanhas/${campaign.id}/editar`}>
                <PencilIcon aria-hidden="true" />
                Editar
              </Link>
            </Button>
          </>
        }
      />
      {campaign.status === "awaiting_confirmation" ? (
        <Alert variant="warning" className="mb-4">
          <AlertDescription>Aguardando confirmação de um gestor.</AlertDescription>
        </Alert>
      ) : null}
      {change !== null ? (
        <Alert className="mb-4">
          <AlertDescription>
            A lista tinha {formatCount(savedCount!)} contatos quando foi salva; agora tem {formatCount(now)} ({change > 0 ? "+" : "−"}
            {formatCount(Math.abs(change))}). Os números abaixo são os de agora.
          </AlertDescription>
        </Alert>
      ) : null}
      {data.problems.length ? (
        <Alert variant="destructive" className="mb-4" role="alert">
          <AlertDescription>
            <p className="font-medium">Antes de confirmar, corrija:</p>
            <ul className="list-disc pl-5">
              {data.problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          </AlertDescription>
        </Alert>
      ) : null}
      <ConfirmForm campaignId={campaign.id} options={options} canConfirm={canConfirm} blocked={data.problems.length > 0} />
      <p className="mt-6 text-xs text-muted-foreground">
        Quem entra é calculado de novo quando o envio começa: quem se descadastrar até lá é pulado. Ao confirmar, o filtro da lista, o template e esta
        estimativa ficam gravados na campanha; mudar a lista depois não muda esta campanha.
      </p>
    </>
  );
}
