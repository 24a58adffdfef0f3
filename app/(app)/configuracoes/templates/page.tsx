import type { Metadata } from "next";
import { FileTextIcon } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { listTemplates } from "@/db/queries/settings";
import { requireUser } from "@/lib/auth/page";
import { formatDateTime, templateCategoryLabels, templateStatusLabels } from "@/lib/i18n/labels";

export const metadata: Metadata = { title: "Templates" };

const statusVariant = { approved: "success", pending: "warning", rejected: "destructive", paused: "secondary", disabled: "secondary" } as const;

const bodyText = (components: unknown) => {
  const body = Array.isArray(components)
    ? (components as { type?: string; text?: string }[]).find((c) => c.type?.toUpperCase() === "BODY")
    : undefined;
  return body?.text ?? "";
};

export default async function TemplatesPage() {
  const user = await requireUser();
  const rows = await listTemplates(getDb(), user.organizationId);
  if (rows.length === 0)
    return <EmptyState icon={FileTextIcon} title="Nenhum template" description="Sincronize os templates aprovados da sua conta do WhatsApp Business." />;
  return (
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
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((t) => (
            <TableRow key={t.id}>
              <TableCell className="font-mono text-xs font-medium">
                {t.name} <span className="text-muted-foreground">({t.language})</span>
              </TableCell>
              <TableCell>{templateCategoryLabels[t.category]}</TableCell>
              <TableCell className="max-w-sm truncate text-muted-foreground" title={bodyText(t.components)}>
                {bodyText(t.components)}
              </TableCell>
              <TableCell className="tabular-nums">{t.variableCount}</TableCell>
              <TableCell>
                <Badge variant={statusVariant[t.status]}>{templateStatusLabels[t.status]}</Badge>
              </TableCell>
              <TableCell className="text-muted-foreground">{formatDateTime(t.syncedAt, user.timeZone)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Card>
  );
}
