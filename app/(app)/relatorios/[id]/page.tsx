import type { Metadata } from "next";
import { FilterActions } from "@/components/ui/filter-actions";
import { SortableHead } from "@/components/ui/sortable-head";
import Link from "next/link";
import { notFound } from "next/navigation";
import { FileSpreadsheetIcon } from "lucide-react";
import { z } from "zod";
import { CampaignStatusBadge } from "@/components/campaigns/campaign-table";
import { ResendFailures } from "@/components/campaigns/resend-failures";
import { Funnel, Timeline } from "@/components/reports/charts";
import { LiveRefresh } from "@/components/reports/live-refresh";
import { PageHeader } from "@/components/shell/page-header";
import { Breadcrumbs } from "@/components/ui/breadcrumb";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { Pagination } from "@/components/ui/pagination";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { REPORT_PAGE_SIZE, REPORT_SORTS, reportReplies, reportRows, reportTimeline, reportTotals, type ReportFilter } from "@/db/queries/reports";
import { recipientStatus } from "@/db/schema";
import { requireUser } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import type { FrozenTemplate } from "@/lib/campaigns/campaigns";
import { resendableCounts } from "@/lib/campaigns/dispatch";
import type { Estimate } from "@/lib/campaigns/estimate";
import { skipExplanations } from "@/lib/campaigns/labels";
import { formatBrl, formatCount, formatDateTime, formatPhone, skipReasonLabels } from "@/lib/i18n/labels";
import { errorExplanation, loadReportCampaign, recipientReason, recipientStatusLabels } from "@/lib/reports/export";
import { renderTemplate } from "@/lib/templates/render";

export const metadata: Metadata = { title: "Relatório da campanha" };

const filterSchema = z.object({
  status: z.enum(recipientStatus.enumValues).optional().catch(undefined),
  reason: z
    .string()
    .regex(/^(skip:[a-z_]{1,40}|code:(\d{1,9}|none)|indeterminate)$/)
    .optional()
    .catch(undefined),
  q: z.string().trim().max(100).optional().catch(undefined).transform((v) => v || undefined),
  sort: z.enum(REPORT_SORTS).optional().catch(undefined),
  dir: z.enum(["asc", "desc"]).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});

const pct = (n: number, of: number) => (of ? `${((n / of) * 100).toFixed(1).replace(".", ",")} %` : "—");
const LIVE = new Set(["scheduled", "sending", "paused"]);
type Failure = { status: string; code: number | null };
/** A failure group as the table's reason filter names it (db/queries/reports.ts reasonCondition). */
const failureKey = (f: Failure) => (f.status === "indeterminate" ? "indeterminate" : `code:${f.code ?? "none"}`);
const failureLabel = (f: Failure) => (f.status === "indeterminate" ? "Sem confirmação" : `Erro ${f.code ?? "de rede"}`);

export default async function CampaignReportPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[]>> }) {
  const user = await requireUser();
  const id = Number((await params).id);
  const filter: ReportFilter = filterSchema.parse(await searchParams);
  const db = getDb();
  const info = Number.isInteger(id) && id > 0 ? await loadReportCampaign(db, { organizationId: user.organizationId, campaignId: id, timeZone: user.timeZone }) : null;
  if (!info) notFound();
  const c = info.campaign;
  const gestor = hasRole(user.role, "gestor");
  const [totals, page, timeline, answers] = await Promise.all([
    reportTotals(db, user.organizationId, id),
    reportRows(db, user.organizationId, id, filter),
    reportTimeline(db, user.organizationId, id),
    reportReplies(db, user.organizationId, id),
  ]);
  const n = (k: string) => totals.counts[k] ?? 0;
  const { total, accepted, delivered } = totals;
  const resendable = gestor && ["completed", "paused", "sending"].includes(c.status) && n("failed") + n("indeterminate") > 0 ? await resendableCounts(db, id) : null;
  const estimate = c.estimate as Estimate | null;
  const template = c.frozenTemplate as FrozenTemplate | null;
  const tz = user.timeZone;
  const current = { status: filter.status, reason: filter.reason, q: filter.q, sort: filter.sort, dir: filter.dir };
  const query = (over: Partial<Record<keyof typeof current | "page", string | undefined>>) => {
    const all = { ...current, ...over };
    const q = new URLSearchParams(Object.entries(all).filter(([, v]) => v) as [string, string][]);
    return `/relatorios/${id}${q.size ? `?${q}` : ""}`;
  };
  const hrefFor = (p: number) => query({ page: String(p) });
  const sortHref = (key: (typeof REPORT_SORTS)[number]) => query({ sort: key, dir: filter.sort === key && filter.dir !== "desc" ? "desc" : "asc", page: undefined });
  const sortHead = (k: (typeof REPORT_SORTS)[number], label: string) => (
    <SortableHead label={label} href={sortHref(k)} dir={filter.sort === k ? (filter.dir === "desc" ? "desc" : "asc") : undefined} />
  );
  const price = estimate?.pricePerMessage ?? null;
  const unknownBilling = accepted - totals.billableKnown;
  const kpis = [
    { label: "Destinatários", value: formatCount(total), hint: `${formatCount(n("skipped"))} pulados` },
    { label: "Enviadas", value: formatCount(accepted), hint: "aceitas pela Meta" },
    { label: "Entregues", value: formatCount(delivered), hint: `entrega ${pct(delivered, accepted)}` },
    { label: "Lidas", value: formatCount(n("read")), hint: `leitura ${pct(n("read"), delivered)}` },
    { label: "Respostas", value: formatCount(totals.replied), hint: `resposta ${pct(totals.replied, delivered)}` },
    { label: "Falhas", value: formatCount(n("failed") + n("indeterminate")), hint: `falha ${pct(n("failed"), accepted + n("failed"))} · ${formatCount(n("indeterminate"))} sem confirmação` },
    { label: "Opt-outs causados", value: formatCount(answers.optOuts.total), hint: `${formatCount(answers.optOuts.keyword)} por palavra-chave · ${formatCount(answers.optOuts.metaBlocked)} bloqueios na Meta` },
    {
      label: "Custo (Meta)",
      value: price !== null ? formatBrl(totals.billable * price) : "—",
      hint:
        estimate && price !== null
          ? `${formatCount(totals.billable)} cobráveis${unknownBilling > 0 ? ` · ${formatCount(unknownBilling)} sem informação` : ""} · estimado ${formatBrl(estimate.costBrl)}`
          : "",
    },
  ];
  const funnel = [
    { label: "Público", n: total },
    { label: "Enviadas", n: accepted },
    { label: "Entregues", n: delivered },
    { label: "Lidas", n: n("read") },
    { label: "Respostas", n: totals.replied },
  ];
  return (
    <>
      {LIVE.has(c.status) ? <LiveRefresh /> : null}
      <Breadcrumbs trail={[{ label: "Relatórios", href: "/relatorios" }]} current={c.name} />
      <PageHeader
        title={`Relatório: ${c.name}`}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            <CampaignStatusBadge status={c.status} /> {info.chip} · {c.frozenAudienceName ?? "—"} · {template?.name ?? "—"} ·{" "}
            {c.startedAt ? `início ${formatDateTime(c.startedAt, tz)}` : "ainda não começou"}
            {LIVE.has(c.status) ? <span className="text-xs">(atualiza a cada 10 s)</span> : null}
          </span>
        }
        actions={
          <>
            {gestor ? (
              <>
                <Button asChild variant="outline">
                  <a href={`/api/relatorios/${id}/excel`} download>
                    <FileSpreadsheetIcon aria-hidden="true" />
                    Baixar Excel
                  </a>
                </Button>
                <Button asChild variant="ghost">
                  <a href={`/api/relatorios/${id}/excel?formato=csv`} download>
                    CSV
                  </a>
                </Button>
              </>
            ) : null}
            {resendable && resendable.failed + resendable.indeterminate > 0 ? (
              <ResendFailures campaignId={id} failed={resendable.failed} indeterminate={resendable.indeterminate} />
            ) : null}
          </>
        }
      />
      <div className="mb-6 grid grid-cols-2 gap-3 md:grid-cols-4" data-testid="report-kpis">
        {kpis.map((k) => (
          <Card key={k.label} className="gap-1 py-4">
            <CardContent className="px-4">
              <p className="text-xs text-muted-foreground">{k.label}</p>
              <p className="text-xl font-semibold tabular-nums">{k.value}</p>
              <p className="text-xs text-muted-foreground">{k.hint}</p>
            </CardContent>
          </Card>
        ))}
      </div>
      <div className="mb-6 grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Funil</CardTitle>
            <p className="text-xs text-muted-foreground">Cada etapa com a parte que chegou da etapa anterior.</p>
          </CardHeader>
          <CardContent>
            <Funnel steps={funnel} />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Ao longo do tempo</CardTitle>
          </CardHeader>
          <CardContent>
            <Timeline buckets={timeline.buckets} bucketMinutes={timeline.bucketMinutes} timeZone={tz} />
          </CardContent>
        </Card>
      </div>
      <div className="mb-6 grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Falhas por motivo</CardTitle>
          </CardHeader>
          <CardContent>
            {totals.failures.length === 0 ? (
              <p className="text-sm text-muted-foreground">Nenhuma falha.</p>
            ) : (
              <ul className="grid gap-3" data-testid="report-failures">
                {totals.failures.map((f) => {
                  const e = errorExplanation(f.code, f.message, f.status);
                  const reason = failureKey(f);
                  return (
                    <li key={`${f.status}-${f.code}`} className="text-sm">
                      <span className="flex justify-between gap-3 font-medium">
                        <Link href={query({ reason, status: undefined, page: undefined })} className="hover:underline">
                          {failureLabel(f)}: {e.explanation}
                        </Link>
                        <span className="tabular-nums">{formatCount(f.n)}</span>
                      </span>
                      {e.nextStep ? <span className="block text-xs text-muted-foreground">{e.nextStep}</span> : null}
                    </li>
                  );
                })}
              </ul>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Pulados por motivo</CardTitle>
          </CardHeader>
          <CardContent>
            {totals.skips.length === 0 ? (
              <p className="text-sm text-muted-foreground">Ninguém foi pulado.</p>
            ) : (
              <ul className="grid gap-3">
                {totals.skips.map((s) => (
                  <li key={s.reason} className="text-sm">
                    <span className="flex justify-between gap-3 font-medium">
                      <Link href={query({ reason: `skip:${s.reason}`, status: undefined, page: undefined })} className="hover:underline">
                        {skipReasonLabels[s.reason as keyof typeof skipReasonLabels] ?? s.reason}
                      </Link>
                      <span className="tabular-nums">{formatCount(s.n)}</span>
                    </span>
                    <span className="block text-xs text-muted-foreground">{skipExplanations[s.reason as keyof typeof skipExplanations] ?? ""}</span>
                  </li>
                ))}
              </ul>
            )}
          </CardContent>
        </Card>
      </div>
      <Card className="mb-6">
        <CardHeader>
          <CardTitle>Respostas {totals.replied > 0 ? <span className="font-normal text-muted-foreground" data-testid="replies-count">({formatCount(totals.replied)})</span> : null}</CardTitle>
        </CardHeader>
        <CardContent>
          {answers.replies.length === 0 ? (
            <p className="text-sm text-muted-foreground">Ninguém respondeu ainda.</p>
          ) : (
            <ul className="grid gap-3 sm:grid-cols-2" data-testid="report-replies">
              {answers.replies.map((r) => (
                <li key={r.id} className="rounded-md border p-3 text-sm">
                  <span className="flex flex-wrap justify-between gap-2">
                    <span className="font-medium">{r.name ?? "(contato apagado)"}</span>
                    <span className="text-xs text-muted-foreground">{formatDateTime(r.received_at, tz)}</span>
                  </span>
                  <span className="block break-words">
                    {r.type === "button" || r.type === "interactive" ? <span className="mr-1 rounded bg-secondary px-1.5 py-0.5 text-xs">botão</span> : null}
                    {r.text || "(mensagem sem texto)"}
                  </span>
                  <span className="block text-xs text-muted-foreground">
                    {r.phone ? formatPhone(r.phone) : "—"} · {r.flow ? `fluxo: ${r.flow}` : "sem fluxo"}
                  </span>
                </li>
              ))}
            </ul>
          )}
          {totals.replied > answers.replies.length ? (
            <p className="mt-3 text-xs text-muted-foreground">As {answers.replies.length} mais recentes. Todas estão na planilha (aba Respostas).</p>
          ) : null}
        </CardContent>
      </Card>
      <h2 className="mb-3 text-lg font-semibold">Envios</h2>
      <form className="mb-4 flex flex-wrap items-end gap-2" role="search" aria-label="Filtrar envios">
        <Input name="q" defaultValue={filter.q ?? ""} placeholder="Nome ou telefone" aria-label="Buscar por nome ou telefone" maxLength={100} className="w-full sm:w-64" />
        <NativeSelect name="status" defaultValue={filter.status ?? ""} aria-label="Status do envio" wrapperClassName="w-full sm:w-48">
          <NativeSelectOption value="">Todos os status</NativeSelectOption>
          {recipientStatus.enumValues.map((s) => (
            <NativeSelectOption key={s} value={s}>
              {recipientStatusLabels[s]}
            </NativeSelectOption>
          ))}
        </NativeSelect>
        <NativeSelect name="reason" defaultValue={filter.reason ?? ""} aria-label="Motivo" wrapperClassName="w-full sm:w-64">
          <NativeSelectOption value="">Todos os motivos</NativeSelectOption>
          {totals.failures.map((f) => (
            <NativeSelectOption key={failureKey(f)} value={failureKey(f)}>
              {failureLabel(f)} ({formatCount(f.n)})
            </NativeSelectOption>
          ))}
          {totals.skips.map((k) => (
            <NativeSelectOption key={k.reason} value={`skip:${k.reason}`}>
              Pulado: {skipReasonLabels[k.reason as keyof typeof skipReasonLabels] ?? k.reason} ({formatCount(k.n)})
            </NativeSelectOption>
          ))}
        </NativeSelect>
        <FilterActions keep={{ sort: filter.sort, dir: filter.dir }} clearHref={filter.status || filter.reason || filter.q ? `/relatorios/${id}` : null} />
      </form>
      <Card className="py-0">
        <Table>
          <TableHeader>
            <TableRow>
              {sortHead("name", "Contato")}
              {sortHead("phone", "Telefone")}
              <TableHead>Canal</TableHead>
              {sortHead("status", "Status")}
              {sortHead("sent", "Enviada")}
              <TableHead>Entregue</TableHead>
              {sortHead("read", "Lida")}
              <TableHead>Respondida</TableHead>
              <TableHead>Mensagem / motivo</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody data-testid="report-rows">
            {page.rows.map((r) => {
              const message = template ? renderTemplate(template.components, { header: r.variables?.header ?? [], body: r.variables?.body ?? [] }).body : "";
              const why = recipientReason(r) || null;
              return (
                <TableRow key={r.id}>
                  <TableCell className="font-medium">{r.name ?? "(contato apagado)"}</TableCell>
                  <TableCell className="whitespace-nowrap">{r.phone ? formatPhone(r.phone) : "—"}</TableCell>
                  <TableCell>{r.chip}</TableCell>
                  <TableCell>{recipientStatusLabels[r.status] ?? r.status}</TableCell>
                  <TableCell className="whitespace-nowrap text-xs">{formatDateTime(r.sent_at, tz)}</TableCell>
                  <TableCell className="whitespace-nowrap text-xs">{formatDateTime(r.delivered_at, tz)}</TableCell>
                  <TableCell className="whitespace-nowrap text-xs">{formatDateTime(r.read_at, tz)}</TableCell>
                  <TableCell className="whitespace-nowrap text-xs">{formatDateTime(r.replied_at, tz)}</TableCell>
                  <TableCell className="max-w-md truncate text-xs" title={why ?? message}>
                    {why ? <span className="text-destructive">{why}</span> : message}
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </Card>
      <p className="mt-3 text-sm text-muted-foreground">
        {formatCount(page.total)} envio{page.total === 1 ? "" : "s"}
        {filter.status || filter.reason || filter.q ? " com estes filtros" : ""}.
      </p>
      {page.total > REPORT_PAGE_SIZE ? <Pagination className="mt-4" page={filter.page} pageCount={Math.ceil(page.total / REPORT_PAGE_SIZE)} hrefFor={hrefFor} /> : null}
    </>
  );
}
