import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ArrowLeftIcon, FileSpreadsheetIcon, SearchIcon } from "lucide-react";
import { z } from "zod";
import { CampaignStatusBadge } from "@/components/campaigns/campaign-table";
import { PageHeader } from "@/components/shell/page-header";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Input } from "@/components/ui/input";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { Pagination } from "@/components/ui/pagination";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { REPORT_PAGE_SIZE, reportRows, reportTotals } from "@/db/queries/reports";
import { recipientStatus } from "@/db/schema";
import { requireUser } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import type { FrozenTemplate } from "@/lib/campaigns/campaigns";
import type { Estimate } from "@/lib/campaigns/estimate";
import { skipExplanations } from "@/lib/campaigns/labels";
import { formatBrl, formatCount, formatDateTime, formatPhone, skipReasonLabels } from "@/lib/i18n/labels";
import { errorExplanation, loadReportCampaign, recipientStatusLabels } from "@/lib/reports/export";
import { renderTemplate } from "@/lib/templates/render";

export const metadata: Metadata = { title: "Relatório da campanha" };

const filterSchema = z.object({
  status: z.enum(recipientStatus.enumValues).optional().catch(undefined),
  q: z.string().trim().max(100).optional().catch(undefined).transform((v) => v || undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});

const pct = (n: number, of: number) => (of ? `${((n / of) * 100).toFixed(1).replace(".", ",")} %` : "—");

export default async function CampaignReportPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[]>> }) {
  const user = await requireUser();
  const id = Number((await params).id);
  const filter = filterSchema.parse(await searchParams);
  const db = getDb();
  const info = Number.isInteger(id) && id > 0 ? await loadReportCampaign(db, { organizationId: user.organizationId, campaignId: id, timeZone: user.timeZone }) : null;
  if (!info) notFound();
  const c = info.campaign;
  const [totals, page] = await Promise.all([reportTotals(db, user.organizationId, id), reportRows(db, user.organizationId, id, filter)]);
  const n = (k: string) => totals.counts[k] ?? 0;
  const total = Object.values(totals.counts).reduce((a, b) => a + b, 0);
  const accepted = n("sent") + n("delivered") + n("read");
  const delivered = n("delivered") + n("read");
  const estimate = c.estimate as Estimate | null;
  const template = c.frozenTemplate as FrozenTemplate | null;
  const tz = user.timeZone;
  const params_ = Object.fromEntries(Object.entries({ status: filter.status, q: filter.q }).filter(([, v]) => v) as [string, string][]);
  const hrefFor = (p: number) => `/relatorios/${id}?${new URLSearchParams({ ...params_, page: String(p) })}`;
  const kpis = [
    { label: "Destinatários", value: formatCount(total), hint: `${formatCount(n("skipped"))} pulados` },
    { label: "Enviadas", value: formatCount(accepted), hint: "aceitas pela Meta" },
    { label: "Entregues", value: formatCount(delivered), hint: pct(delivered, accepted) },
    { label: "Lidas", value: formatCount(n("read")), hint: pct(n("read"), delivered) },
    { label: "Respostas", value: formatCount(totals.replied), hint: pct(totals.replied, delivered) },
    { label: "Falhas", value: formatCount(n("failed")), hint: `${pct(n("failed"), accepted + n("failed"))} · ${formatCount(n("indeterminate"))} sem confirmação` },
    { label: "Custo estimado", value: estimate ? formatBrl(accepted * estimate.pricePerMessage) : "—", hint: estimate ? `confirmação: ${formatBrl(estimate.costBrl)}` : "" },
  ];
  return (
    <>
      <PageHeader
        title={`Relatório: ${c.name}`}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            <CampaignStatusBadge status={c.status} /> {info.chip} · {c.frozenAudienceName ?? "—"} · {template?.name ?? "—"} ·{" "}
            {c.startedAt ? `início ${formatDateTime(c.startedAt, tz)}` : "ainda não começou"}
          </span>
        }
        actions={
          <>
            <Button asChild variant="ghost">
              <Link href="/relatorios">
                <ArrowLeftIcon aria-hidden="true" />
                Relatórios
              </Link>
            </Button>
            {hasRole(user.role, "gestor") ? (
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
          </>
        }
      />
      <div className="mb-6 grid grid-cols-2 gap-3 md:grid-cols-4 xl:grid-cols-7" data-testid="report-kpis">
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
            <CardTitle>Falhas por motivo</CardTitle>
          </CardHeader>
          <CardContent>
            {totals.failures.length === 0 ? (
              <p className="text-sm text-muted-foreground">Nenhuma falha.</p>
            ) : (
              <ul className="grid gap-3">
                {totals.failures.map((f) => {
                  const e = errorExplanation(f.code, f.message, f.status);
                  return (
                    <li key={`${f.status}-${f.code}`} className="text-sm">
                      <span className="flex justify-between gap-3 font-medium">
                        <span>
                          {f.status === "indeterminate" ? "Sem confirmação" : `Erro ${f.code ?? "de rede"}`}: {e.explanation}
                        </span>
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
                      <span>{skipReasonLabels[s.reason as keyof typeof skipReasonLabels] ?? s.reason}</span>
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
        <Button type="submit" variant="secondary">
          <SearchIcon aria-hidden="true" />
          Filtrar
        </Button>
      </form>
      <Card className="py-0">
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Contato</TableHead>
              <TableHead>Telefone</TableHead>
              <TableHead>Canal</TableHead>
              <TableHead>Status</TableHead>
              <TableHead>Enviada</TableHead>
              <TableHead>Entregue</TableHead>
              <TableHead>Lida</TableHead>
              <TableHead>Mensagem / motivo</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody data-testid="report-rows">
            {page.rows.map((r) => {
              const message = template ? renderTemplate(template.components, { header: r.variables?.header ?? [], body: r.variables?.body ?? [] }).body : "";
              const why =
                r.status === "skipped" && r.skip_reason
                  ? skipReasonLabels[r.skip_reason as keyof typeof skipReasonLabels]
                  : r.status === "failed" || r.status === "indeterminate"
                    ? errorExplanation(r.error_code, r.error_message, r.status).explanation
                    : null;
              return (
                <TableRow key={r.id}>
                  <TableCell className="font-medium">{r.name ?? "(contato apagado)"}</TableCell>
                  <TableCell className="whitespace-nowrap">{r.phone ? formatPhone(r.phone) : "—"}</TableCell>
                  <TableCell>{r.chip}</TableCell>
                  <TableCell>{recipientStatusLabels[r.status] ?? r.status}</TableCell>
                  <TableCell className="whitespace-nowrap text-xs">{formatDateTime(r.sent_at, tz)}</TableCell>
                  <TableCell className="whitespace-nowrap text-xs">{formatDateTime(r.delivered_at, tz)}</TableCell>
                  <TableCell className="whitespace-nowrap text-xs">{formatDateTime(r.read_at, tz)}</TableCell>
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
        {filter.status || filter.q ? " com estes filtros" : ""}.
      </p>
      {page.total > REPORT_PAGE_SIZE ? <Pagination className="mt-4" page={filter.page} pageCount={Math.ceil(page.total / REPORT_PAGE_SIZE)} hrefFor={hrefFor} /> : null}
    </>
  );
}
