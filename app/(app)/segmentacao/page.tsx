import type { Metadata } from "next";
import Link from "next/link";
import { FilterIcon, PlusIcon } from "lucide-react";
import { AudienceRowActions } from "@/components/segments/audience-row-actions";
import { PageHeader } from "@/components/shell/page-header";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { filterOptions, listAudienceRows } from "@/db/queries/audiences";
import { countAudience } from "@/db/queries/segments";
import { requireUser } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import { formatDateTime } from "@/lib/i18n/labels";
import { describeFilter, parseFilter } from "@/lib/segments/filter";

export const metadata: Metadata = { title: "Segmentação" };

const fmt = (n: number) => new Intl.NumberFormat("pt-BR").format(n);

export default async function SegmentationPage({ searchParams }: { searchParams: Promise<{ salva?: string }> }) {
  const user = await requireUser();
  const { salva } = await searchParams;
  const db = getDb();
  const [lists, { names }] = await Promise.all([listAudienceRows(db, user.organizationId), filterOptions(db, user.organizationId)]);
  const rows = await Promise.all(
    lists.map(async (l) => {
      const parsed = parseFilter(l.filter);
      if (!parsed.ok) return { ...l, summary: "Filtro de uma versão antiga: abra e salve de novo.", count: null };
      const count = await countAudience(db, user.organizationId, parsed.filter, { timeZone: user.timeZone });
      return { ...l, summary: describeFilter(parsed.filter, names), count };
    }),
  );
  return (
    <>
      <PageHeader
        title="Segmentação"
        description="Filtre contatos por etiquetas, carteiras, período, cidade e estado e salve o resultado como lista de público."
        actions={
          <Button asChild>
            <Link href="/segmentacao/nova">
              <PlusIcon aria-hidden="true" />
              Nova lista
            </Link>
          </Button>
        }
      />
      {salva ? (
        <Alert variant="success" className="mb-4">
          <AlertDescription>Lista “{salva.slice(0, 120)}” salva.</AlertDescription>
        </Alert>
      ) : null}
      {rows.length === 0 ? (
        <EmptyState
          icon={FilterIcon}
          title="Nenhuma lista de público ainda"
          description="Escolha os filtros, confira a contagem e cadastre a lista para usá-la numa campanha."
          action={
            <Button asChild>
              <Link href="/segmentacao/nova">Criar a primeira lista</Link>
            </Button>
          }
        />
      ) : (
        <Card className="py-0">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Lista</TableHead>
                <TableHead>Filtro</TableHead>
                <TableHead className="text-right">Contatos agora</TableHead>
                <TableHead>Criada por</TableHead>
                <TableHead className="text-right">Ações</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((l) => (
                <TableRow key={l.id}>
                  <TableCell className="font-medium">{l.name}</TableCell>
                  <TableCell className="max-w-md text-sm whitespace-normal text-muted-foreground">{l.summary}</TableCell>
                  <TableCell className="text-right font-semibold tabular-nums" data-testid="list-count">
                    {l.count === null ? "—" : fmt(l.count)}
                  </TableCell>
                  <TableCell className="text-sm">
                    {l.createdBy ?? "—"}
                    <span className="block text-xs text-muted-foreground">{formatDateTime(l.createdAt, user.timeZone)}</span>
                  </TableCell>
                  <TableCell>
                    <AudienceRowActions id={l.id} name={l.name} canDelete={hasRole(user.role, "gestor")} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      )}
    </>
  );
}
