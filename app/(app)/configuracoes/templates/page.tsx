import type { Metadata } from "next";
import Link from "next/link";
import { FileTextIcon } from "lucide-react";
import { OptInRequestToggle, SyncTemplatesButton, TemplatePreviewDialog } from "@/components/settings/template-tools";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { listTemplates } from "@/db/queries/settings";
import { requireUser } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import { formatDateTime, templateCategoryLabels, templateStatusLabels } from "@/lib/i18n/labels";
import { renderTemplate } from "@/lib/templates/render";
import { cn } from "@/lib/utils";

export const metadata: Metadata = { title: "Templates" };

const statusVariant = { approved: "success", pending: "warning", rejected: "destructive", paused: "secondary", disabled: "secondary" } as const;

export default async function TemplatesPage({ searchParams }: { searchParams: Promise<{ status?: string; category?: string }> }) {
  const user = await requireUser();
  const { status, category } = await searchParams;
  const all = await listTemplates(getDb(), user.organizationId);
  const canMark = hasRole(user.role, "gestor");
  const rows = all.filter((t) => (!status || t.status === status) && (!category || t.category === category));
  const chip = (label: string, href: string, active: boolean) => (
    <Button key={label} asChild size="sm" variant={active ? "secondary" : "ghost"} className={cn(active && "font-semibold")}>
      <Link href={href}>{label}</Link>
    </Button>
  );
  const q = (over: Record<string, string | undefined>) => {
    const p = new URLSearchParams(Object.entries({ status, category, ...over }).filter(([, v]) => v) as [string, string][]);
    return `/configuracoes/templates${p.size ? `?${p}` : ""}`;
  };
  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <p className="max-w-2xl text-sm text-muted-foreground">
          Os templates vêm da sua conta do WhatsApp Business. Só os <strong className="text-foreground">aprovados</strong>{" "}
          podem ser usados em campanhas.
        </p>
        {canMark ? <SyncTemplatesButton /> : null}
      </div>
      <p className="max-w-2xl text-sm text-muted-foreground">
        Um template marcado como <strong className="text-foreground">Pedido de opt-in</strong> pode ser enviado a
        contatos ainda sem opt-in (nunca aos descadastrados), e um “sim” a ele registra o opt-in do contato.
      </p>
      <nav aria-label="Filtrar templates" className="flex flex-wrap gap-1">
        {chip("Todos", q({ status: undefined }), !status)}
        {Object.entries(templateStatusLabels).map(([value, label]) => chip(label, q({ status: value }), status === value))}
        <span className="mx-2 border-l" aria-hidden="true" />
        {chip("Todas as categorias", q({ category: undefined }), !category)}
        {Object.entries(templateCategoryLabels).map(([value, label]) => chip(label, q({ category: value }), category === value))}
      </nav>
      {rows.length === 0 ? (
        <EmptyState icon={FileTextIcon} title="Nenhum template" description={all.length ? "Nenhum template com estes filtros." : "Clique em Sincronizar para trazer os templates da sua conta."} />
      ) : (
        <Card className="py-0">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Template</TableHead>
                <TableHead>Categoria</TableHead>
                <TableHead>Texto</TableHead>
                <TableHead>Variáveis</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>Sincronizado</TableHead>
                <TableHead />
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((t) => {
                const body = renderTemplate(t.components).body;
                return (
                  <TableRow key={t.id}>
                    <TableCell className="font-mono text-xs font-medium">
                      {t.name} <span className="text-muted-foreground">({t.language})</span>
                      {t.isOptInRequest ? (
                        <Badge variant="outline" className="ml-2 font-sans">
                          Pedido de opt-in
                        </Badge>
                      ) : null}
                    </TableCell>
                    <TableCell>{templateCategoryLabels[t.category]}</TableCell>
                    <TableCell className="max-w-sm truncate text-muted-foreground" title={body}>
                      {body}
                    </TableCell>
                    <TableCell className="tabular-nums">{t.variableCount}</TableCell>
                    <TableCell>
                      <Badge variant={statusVariant[t.status]}>{templateStatusLabels[t.status]}</Badge>
                    </TableCell>
                    <TableCell className="text-muted-foreground">{formatDateTime(t.syncedAt, user.timeZone)}</TableCell>
                    <TableCell className="text-right whitespace-nowrap">
                      {canMark && (t.isOptInRequest || t.status === "approved") ? (
                        <OptInRequestToggle id={t.id} name={t.name} marked={t.isOptInRequest} />
                      ) : null}
                      <TemplatePreviewDialog name={t.name} components={t.components} variableCount={t.variableCount} />
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </Card>
      )}
    </div>
  );
}
