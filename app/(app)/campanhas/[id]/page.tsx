import type { Metadata } from "next";
import { displayPhone } from "@/lib/phones";
import { notFound } from "next/navigation";
import { FileSpreadsheetIcon } from "lucide-react";
import { CampaignActions } from "@/components/campaigns/campaign-actions";
import { CampaignProgress } from "@/components/campaigns/campaign-progress";
import { ResendFailures } from "@/components/campaigns/resend-failures";
import { CampaignStatusBadge } from "@/components/campaigns/campaign-table";
import { MessagePreview } from "@/components/campaigns/message-preview";
import { PageHeader } from "@/components/shell/page-header";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Breadcrumbs } from "@/components/ui/breadcrumb";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { filterOptions } from "@/db/queries/audiences";
import { campaignHistory, getCampaignDetail } from "@/db/queries/campaigns";
import { requireUser } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import { SKIP_REASONS, type ConfirmSkipReason } from "@/lib/campaigns/audience";
import { CANCELLABLE_STATUSES, EDITABLE_STATUSES, type FrozenTemplate } from "@/lib/campaigns/campaigns";
import { campaignProgress, resendableCounts } from "@/lib/campaigns/dispatch";
import type { Estimate } from "@/lib/campaigns/estimate";
import { describeWindow, type SendWindow } from "@/lib/campaigns/send-window";
import { dateToZonedLocal, earliestSchedule, timeZoneLabel } from "@/lib/campaigns/time";
import { contactFieldLabels, variableLabel, type VariableMapping } from "@/lib/campaigns/variables";
import { chipScopeLabels, formatBrl, formatCount, formatDateTime, formatDuration, skipReasonLabels } from "@/lib/i18n/labels";
import { describeFilter, parseFilter } from "@/lib/segments/filter";
import { renderTemplate } from "@/lib/templates/render";

export const metadata: Metadata = { title: "Campanha" };

const historyLabels: Record<string, string> = {
  "campaign.create": "Rascunho criado",
  "campaign.update": "Rascunho editado",
  "campaign.submit": "Enviada para confirmação",
  "campaign.confirm": "Envio confirmado",
  "campaign.reschedule": "Reagendada",
  "campaign.cancel": "Cancelada",
  "campaign.duplicate": "Criada como cópia",
  "campaign.test_send": "Teste enviado",
  "campaign.start": "Envio iniciado",
  "campaign.pause": "Pausada",
  "campaign.resume": "Retomada",
  "campaign.complete": "Concluída",
  "campaign.resend": "Falhas reenviadas",
  "campaign.fail": "Falhou",
};

type StoredEstimate = Estimate & { chipScope: keyof typeof chipScopeLabels; inScope: number; skipped: Record<ConfirmSkipReason, number>; listCount: number };

const Row = ({ label, children }: { label: string; children: React.ReactNode }) => (
  <div className="grid gap-0.5 sm:grid-cols-[12rem_minmax(0,1fr)] sm:gap-3">
    <dt className="text-sm text-muted-foreground">{label}</dt>
    <dd className="text-sm break-words">{children}</dd>
  </div>
);

export default async function CampaignPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ salva?: string; confirmada?: string }> }) {
  const user = await requireUser();
  const id = Number((await params).id);
  const flags = await searchParams;
  const db = getDb();
  const detail = Number.isInteger(id) && id > 0 ? await getCampaignDetail(db, user.organizationId, id) : null;
  if (!detail) notFound();
  const [history, { names }] = await Promise.all([campaignHistory(db, user.organizationId, id), filterOptions(db, user.organizationId)]);
  const c = detail.campaign;
  const frozen = c.frozenTemplate as FrozenTemplate | null;
  const estimate = c.estimate as StoredEstimate | null;
  const mapping = (c.templateVariables as VariableMapping[]) ?? [];
  const filter = parseFilter(c.frozenFilter);
  const tz = user.timeZone;
  const editable = (EDITABLE_STATUSES as readonly string[]).includes(c.status);
  const progress = editable ? null : await campaignProgress(db, c.id);
  const resendable =
    hasRole(user.role, "gestor") && ["completed", "paused", "sending"].includes(c.status) && progress && progress.failed + progress.indeterminate > 0
      ? await resendableCounts(db, c.id)
      : null;
  const placeholders = (component: "header" | "body") =>
    mapping
      .filter((m) => m.component === component)
      .sort((a, b) => a.index - b.index)
      .map((m) => (m.source === "text" ? m.text : `‹${contactFieldLabels[m.field]}›`));
  const preview = renderTemplate(frozen?.components ?? detail.template.components, { header: placeholders("header"), body: placeholders("body") });
  return (
    <>
      <Breadcrumbs trail={[{ label: "Campanhas", href: "/campanhas" }]} current={c.name} />
      <PageHeader
        title={c.name}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            <CampaignStatusBadge status={c.status} />
            {c.sendMode === "scheduled" && c.scheduledAt ? `Agendada para ${formatDateTime(c.scheduledAt, tz)}` : "Envio imediato"} · criada por {detail.createdBy ?? "—"} em{" "}
            {formatDateTime(c.createdAt, tz)}
          </span>
        }
      />
      {flags.salva ? (
        <Alert variant="success" className="mb-4">
          <AlertDescription>Rascunho salvo. Quando estiver pronto, use “Editar” e depois “Enviar Campanha”.</AlertDescription>
        </Alert>
      ) : null}
      {flags.confirmada && (c.status === "scheduled" || c.status === "queued") ? (
        <Alert variant="success" className="mb-4">
          <AlertDescription>
            Envio confirmado: {c.status === "scheduled" && c.scheduledAt ? `agendado para ${formatDateTime(c.scheduledAt, tz)}` : "a campanha está na fila de envio"}.
          </AlertDescription>
        </Alert>
      ) : null}
      {c.status === "awaiting_confirmation" ? (
        <Alert variant="warning" className="mb-4">
          <AlertDescription>
            Aguardando confirmação de um gestor{hasRole(user.role, "gestor") ? ": revise quem recebe e confirme o envio." : "."}
          </AlertDescription>
        </Alert>
      ) : null}
      <div className="mb-6 flex flex-wrap gap-2">
        {!editable && hasRole(user.role, "gestor") ? (
          <>
            <Button asChild variant="outline">
              <a href={`/api/relatorios/${c.id}/excel`} download>
                <FileSpreadsheetIcon aria-hidden="true" />
                Baixar Excel
              </a>
            </Button>
            <Button asChild variant="ghost">
              <a href={`/api/relatorios/${c.id}/excel?formato=csv`} download>
                Baixar CSV
              </a>
            </Button>
          </>
        ) : null}
        {resendable && resendable.failed + resendable.indeterminate > 0 ? (
          <ResendFailures campaignId={c.id} failed={resendable.failed} indeterminate={resendable.indeterminate} />
        ) : null}
        <CampaignActions
          id={c.id}
          name={c.name}
          canEdit={editable}
          canConfirmLink={editable && (c.status === "awaiting_confirmation" ? hasRole(user.role, "gestor") : true)}
          canReschedule={c.status === "scheduled" && hasRole(user.role, "gestor")}
          canCancel={(CANCELLABLE_STATUSES as readonly string[]).includes(c.status) && hasRole(user.role, "gestor")}
          scheduledLocal={c.scheduledAt ? dateToZonedLocal(c.scheduledAt, tz) : null}
          minScheduled={earliestSchedule(tz)}
          timeZoneLabel={timeZoneLabel(tz)}
        />
      </div>
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_360px]">
        <div className="grid min-w-0 content-start gap-6">
          {progress ? (
            <CampaignProgress
              key={c.status}
              campaignId={c.id}
              canControl={hasRole(user.role, "gestor")}
              timeZone={tz}
              initial={{ status: c.status, pausedReason: c.pausedReason, progress, at: new Date(0).toISOString() }}
            />
          ) : null}
          <Card>
            <CardHeader>
              <CardTitle>{editable ? "Configuração (rascunho)" : "Configuração confirmada"}</CardTitle>
            </CardHeader>
            <CardContent>
              <dl className="grid gap-3">
                <Row label="Chip">
                  {detail.chip.name} · {displayPhone(detail.chip.displayNumber)}
                </Row>
                <Row label="Lista alvo">
                  {c.frozenAudienceName ?? detail.audience?.name ?? "—"}
                  {filter.ok ? <span className="block text-xs text-muted-foreground">Filtro gravado na confirmação: {describeFilter(filter.filter, names)}</span> : null}
                </Row>
                <Row label="Template">
                  {frozen?.name ?? detail.template.name} · {frozen?.language ?? detail.template.language}
                </Row>
                <Row label="Variáveis">
                  {mapping.length === 0
                    ? "Nenhuma"
                    : mapping.map((m) => (
                        <span key={`${m.component}${m.index}`} className="block">
                          {variableLabel(m)}: {m.source === "text" ? `“${m.text}”` : `${contactFieldLabels[m.field]}${m.fallback ? ` (sem o campo: “${m.fallback}”)` : " (sem o campo: contato pulado)"}`}
                        </span>
                      ))}
                </Row>
                {c.headerMediaUrl ? <Row label="Mídia do cabeçalho">{c.headerMediaUrl}</Row> : null}
                <Row label="Fluxo de chatbot">{detail.flow?.name ?? "Nenhum"}</Row>
                <Row label="Janela de envio">{c.sendWindow ? describeWindow(c.sendWindow as SendWindow) : "Qualquer horário"}</Row>
                <Row label="Pacote de conversas">
                  {c.packageConsent ? `Aumento automático autorizado${c.packageConsentAt ? ` em ${formatDateTime(c.packageConsentAt, tz)}` : ""}` : "Aumento automático ainda não autorizado"}
                </Row>
                {c.chipScope ? (
                  <Row label="Quem recebe">
                    {chipScopeLabels[c.chipScope]}
                    {c.chipScope === "both" && c.optInConfirmed ? " · opt-in confirmado por quem confirmou o envio" : ""}
                  </Row>
                ) : null}
                {c.confirmedAt ? (
                  <Row label="Confirmada por">
                    {detail.confirmedBy ?? "—"} em {formatDateTime(c.confirmedAt, tz)}
                  </Row>
                ) : null}
              </dl>
            </CardContent>
          </Card>
          {estimate ? (
            <Card>
              <CardHeader>
                <CardTitle>Estimativa da confirmação</CardTitle>
              </CardHeader>
              <CardContent>
                <dl className="grid gap-3">
                  <Row label="Destinatários">
                    <span className="font-semibold" data-testid="confirmed-recipients">
                      {formatCount(estimate.recipients)}
                    </span>{" "}
                    de {formatCount(estimate.inScope)} contatos no escopo ({formatCount(estimate.listCount)} na lista)
                  </Row>
                  <Row label="Pulados">
                    {SKIP_REASONS.filter((r) => estimate.skipped?.[r]).map((r) => `${skipReasonLabels[r]}: ${formatCount(estimate.skipped[r])}`).join(" · ") || "Ninguém"}
                  </Row>
                  <Row label="Custo estimado">{formatBrl(estimate.costBrl)}</Row>
                  <Row label="Duração estimada">
                    {formatDuration(estimate.durationSeconds)} · término previsto {formatDateTime(estimate.finishesAt, tz)}
                  </Row>
                  <Row label="Aumentos automáticos">{estimate.package.increases}</Row>
                  <Row label="Limite da Meta">
                    {estimate.messagingLimit.waves > 1 ? `Em ${estimate.messagingLimit.waves} ondas (limite de 24 h do portfólio)` : "Cabe no limite de 24 h do portfólio"}
                  </Row>
                </dl>
                <p className="mt-3 text-xs text-muted-foreground">Quem entra é calculado de novo quando o envio começa; o relatório mostra os dois números.</p>
              </CardContent>
            </Card>
          ) : null}
          <Card>
            <CardHeader>
              <CardTitle>Histórico</CardTitle>
            </CardHeader>
            <CardContent>
              <ol className="grid gap-2" data-testid="campaign-history">
                {history.map((h) => (
                  <li key={h.id} className="flex flex-wrap justify-between gap-2 text-sm">
                    <span>
                      <span className="font-medium">{historyLabels[h.action] ?? h.action}</span> · {h.user ?? "sistema"}
                      {h.action === "campaign.start" && Number((h.data as { late?: number } | null)?.late) > 0
                        ? ` · começou ${(h.data as { late: number }).late} min depois do horário agendado (nenhum motor estava rodando)`
                        : ""}
                    </span>
                    <span className="text-muted-foreground tabular-nums">{formatDateTime(h.createdAt, tz)}</span>
                  </li>
                ))}
              </ol>
            </CardContent>
          </Card>
        </div>
        <aside className="grid content-start gap-2 lg:sticky lg:top-6 lg:self-start" aria-label="Mensagem">
          <p className="text-sm font-medium">Mensagem</p>
          <MessagePreview preview={preview} mediaUrl={c.headerMediaUrl} />
        </aside>
      </div>
    </>
  );
}
