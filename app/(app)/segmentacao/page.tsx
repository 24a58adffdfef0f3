import type { Metadata } from "next";
import { FilterIcon } from "lucide-react";
import { PageHeader } from "@/components/shell/page-header";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { listAudiences } from "@/db/queries/campaigns";
import { requireUser } from "@/lib/auth/page";
import { formatDateTime } from "@/lib/i18n/labels";

export const metadata: Metadata = { title: "Segmentação" };

export default async function SegmentationPage() {
  const user = await requireUser();
  const lists = await listAudiences(getDb(), user.organizationId);
  return (
    <>
      <PageHeader
        title="Segmentação"
        description="Filtre contatos por etiquetas, carteiras, período, cidade e estado e salve o resultado como lista de público."
      />
      {lists.length === 0 ? (
        <EmptyState
          icon={FilterIcon}
          title="Nenhuma lista de público ainda"
          description="As listas que você cadastrar aparecem aqui, com o filtro e a contagem atual. O construtor de filtros chega na próxima entrega."
        />
      ) : (
        <Card className="py-0">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Lista</TableHead>
                <TableHead>Criada em</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {lists.map((l) => (
                <TableRow key={l.id}>
                  <TableCell className="font-medium">{l.name}</TableCell>
                  <TableCell>{formatDateTime(l.createdAt, user.timeZone)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      )}
    </>
  );
}
