import type { Metadata } from "next";
import { FilterActions } from "@/components/ui/filter-actions";
import { SortableHead } from "@/components/ui/sortable-head";
import Link from "next/link";
import { asc, eq } from "drizzle-orm";
import { BarChart3Icon } from "lucide-react";
import { z } from "zod";
import { CampaignStatusBadge } from "@/components/campaigns/campaign-table";
import { PageHeader } from "@/components/shell/page-header";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { Pagination } from "@/components/ui/pagination";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { listReports, REPORTS_PAGE_SIZE, type ReportsListFilter } from "@/db/queries/reports";
import { campaignStatus, chips } from "@/db/schema";
import { requireUser } from "@/lib/auth/page";
import { campaignStatusLabels, formatBrl, formatCount, formatDateTime } from "@/lib/i18n/labels";

export const metadata: Metadata = { title: "Relatórios" };

const REPORT_STATUSES = campaignStatus.enumValues.filter((s) => s !== "draft" && s !== "awaiting_confirmation");
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)))
  .optional()
  .catch(undefined);
const filterSchema = z.object({
  status: z.enum(REPORT_STATUSES as [string, ...string[]]).optional().catch(undefined),
  chip: z.coerce.number().int().positive().max(2_147_483_647).optional().catch(undefined),
  de: day,
  ate: day,
  q: z.string().trim().max(100).optional().catch(undefined).transform((v) => v || undefined),
  sort: z.enum(["date", "name", "recipients"]).optional().catch(undefined),
  dir: z.enum(["asc", "desc"]).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});

const pct = (n: number, of: number) => (of ? `${Math.round((n / of) * 100)} %` : "");

export default async function ReportsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const user = await requireUser();
  const f = filterSchema.parse(await searchParams);
  const db = getDb();
  // A period given backwards is read the right way round.
  const [from, to] = f.de && f.ate && f.de > f.ate ? [f.ate, f.de] : [f.de, f.ate];
  const filter: ReportsListFilter = { status: f.status, chipId: f.chip, from, to, q: f.q, sort: f.sort, dir: f.dir, page: f.page };
  const [{ rows, total }, chipRows] = await Promise.all([
    listReports(db, user.organizationId, user.timeZone, filter),
    db.select({ id: chips.id, name: chips.name }).from(chips).where(eq(chips.organizationId, user.organizationId)).orderBy(asc(chips.name)),
  ]);
  const current = { status: f.status, chip: f.chip ? String(f.chip) : undefined, de: from, ate: to, q: f.q, sort: f.sort, dir: f.dir };
  const query = (over: Partial<Record<keyof typeof current | "page", string | undefined>>) => {
    const q = new URLSearchParams(Object.entries({ ...current, ...over }).filter(([, v]) => v) as [string, string][]);
    return `/relatorios${q.size ? `?${q}` : ""}`;
  };
  const filtered = Boolean(f.status || f.chip || from || to || f.q);
  const sortHead = (key: "date" | "name" | "recipients", label: string, className?: string) => {
    const active = (f.sort ?? "date") === key;
    const dir = active ? (f.dir ?? (key === "name" ? "asc" : "desc")) : undefined;
    const next = active ? (dir === "asc" ? "desc" : "asc") : key === "name" ? "asc" : "desc";
    return <SortableHead className={className} label={label} href={query({ sort: key, dir: next, page: undefined })} dir={dir} />;
  };
  return (
    <>
      <PageHeader
        title="Relatórios"
        description="Por campanha: quem recebeu o quê, por qual chip, com qual mensagem e status. Visualize aqui ou exporte para Excel."
      />
      <form className="mb-4 flex flex-wrap items-end gap-2" role="search" aria-label="Filtrar relatórios">
        <Input name="q" defaultValue={f.q ?? ""} placeholder="Nome da campanha" aria-label="Buscar por nome da campanha" maxLength={100} className="w-full sm:w-56" />
        <NativeSelect name="status" defaultValue={f.status ?? ""} aria-label="Status da campanha" wrapperClassName="w-full sm:w-44">
          <NativeSelectOption value="">Todos os status</NativeSelectOption>
          {REPORT_STATUSES.map((s) => (
            <NativeSelectOption key={s} value={s}>
              {campaignStatusLabels[s]}
            </NativeSelectOption>
          ))}
        </NativeSelect>
        <NativeSelect name="chip" defaultValue={f.chip ? String(f.chip) : ""} aria-label="Chip" wrapperClassName="w-full sm:w-44">
          <NativeSelectOption value="">Todos os chips</NativeSelectOption>
          {chipRows.map((c) => (
            <NativeSelectOption key={c.id} value={String(c.id)}>
              {c.name}
            </NativeSelectOption>
          ))}
        </NativeSelect>
        <label className="grid gap-1 text-xs text-muted-foreground">
          De
          <Input type="date" name="de" defaultValue={from ?? ""} className="w-full sm:w-40" />
        </label>
        <label className="grid gap-1 text-xs text-muted-foreground">
          Até
          <Input type="date" name="ate" defaultValue={to ?? ""} className="w-full sm:w-40" />
        </label>
        <FilterActions keep={{ sort: f.sort, dir: f.dir }} clearHref={filtered ? "/relatorios" : null} />
      </form>
      {rows.length === 0 ? (
        <EmptyState
          icon={BarChart3Icon}
          title={filtered ? "Nenhuma campanha com estes filtros" : "Nenhum relatório ainda"}
          description={filtered ? "Mude o período, o chip ou o status." : "Assim que uma campanha for confirmada, o relatório de envios dela aparece aqui."}
        />
      ) : (
        <Card className="py-0">
          <Table>
            <TableHeader>
              <TableRow>
                {sortHead("name", "Campanha")}
                {sortHead("date", "Data")}
                <TableHead>Chip · lista · modelo</TableHead>
                {sortHead("recipients", "Destinatários", "text-right")}
                <TableHead className="text-right">Enviadas</TableHead>
                <TableHead className="text-right">Entregues</TableHead>
                <TableHead className="text-right">Lidas</TableHead>
                <TableHead className="text-right">Respostas</TableHead>
                <TableHead className="text-right">Falhas · pulados</TableHead>
                <TableHead className="text-right">Opt-outs</TableHead>
                <TableHead className="text-right">Custo</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody data-testid="reports-rows">
              {rows.map((r) => {
                const g = r.figures;
                const price = r.estimate?.pricePerMessage;
                const num = (v: number | undefined, of?: number) => (
                  <span className="tabular-nums">
                    {g ? formatCount(v ?? 0) : "—"}
                    {g && of !== undefined && pct(v ?? 0, of) ? <span className="block text-xs text-muted-foreground">{pct(v ?? 0, of)}</span> : null}
                  </span>
                );
                return (
                  <TableRow key={r.id}>
                    <TableCell className="min-w-40">
                      <Link href={`/relatorios/${r.id}`} className="font-medium hover:underline">
                        {r.name}
                      </Link>
                      <span className="mt-1 block">
                        <CampaignStatusBadge status={r.status as never} />
                      </span>
                    </TableCell>
                    <TableCell className="whitespace-nowrap text-xs">{formatDateTime(r.date, user.timeZone)}</TableCell>
                    <TableCell className="min-w-36 text-xs">
                      {r.chip}
                      <span className="block text-muted-foreground">
                        {r.audience ?? "—"} · {r.template}
                      </span>
                    </TableCell>
                    <TableCell className="text-right">{num(g?.recipients)}</TableCell>
                    <TableCell className="text-right">{num(g?.sent)}</TableCell>
                    <TableCell className="text-right">{num(g?.delivered, g?.sent)}</TableCell>
                    <TableCell className="text-right">{num(g?.read, g?.delivered)}</TableCell>
                    <TableCell className="text-right">{num(g?.replied, g?.delivered)}</TableCell>
                    <TableCell className="text-right">
                      {num(g?.failed)}
                      {g ? <span className="block text-xs text-muted-foreground tabular-nums">{formatCount(g.skipped)} pulados</span> : null}
                    </TableCell>
                    <TableCell className="text-right">{num(g?.optOuts)}</TableCell>
                    <TableCell className="whitespace-nowrap text-right tabular-nums">{g && price !== undefined ? formatBrl(g.billable * price) : "—"}</TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </Card>
      )}
      <p className="mt-3 text-sm text-muted-foreground">
        {formatCount(total)} campanha{total === 1 ? "" : "s"}
        {filtered ? " com estes filtros" : ""}. Custo: mensagens que a Meta informou como cobráveis × o preço da confirmação.
      </p>
      {total > REPORTS_PAGE_SIZE ? <Pagination className="mt-4" page={f.page} pageCount={Math.ceil(total / REPORTS_PAGE_SIZE)} hrefFor={(p) => query({ page: String(p) })} /> : null}
    </>
  );
}
