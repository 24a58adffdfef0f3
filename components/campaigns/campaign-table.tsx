import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { Campaign } from "@/db/schema";
import { campaignStatusLabels, formatDateTime } from "@/lib/i18n/labels";

type Row = {
  id: number;
  name: string;
  status: Campaign["status"];
  sendMode?: Campaign["sendMode"];
  scheduledAt: Date | null;
  createdAt: Date;
  chip: string;
  template: string;
  audience: string | null;
  createdBy?: string | null;
};

export const statusVariant = {
  draft: "secondary",
  awaiting_confirmation: "warning",
  scheduled: "outline",
  queued: "outline",
  sending: "default",
  paused: "warning",
  completed: "success",
  cancelled: "secondary",
  failed: "destructive",
} as const;

export function CampaignStatusBadge({ status }: { status: Campaign["status"] }) {
  return (
    <Badge variant={statusVariant[status]} data-testid="campaign-status">
      {campaignStatusLabels[status]}
    </Badge>
  );
}

export function CampaignTable({ rows, timeZone, hrefBase = "/campanhas" }: { rows: Row[]; timeZone: string; hrefBase?: string }) {
  return (
    <Card className="py-0">
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Campanha</TableHead>
            <TableHead>Status</TableHead>
            <TableHead>Envio</TableHead>
            <TableHead>Lista alvo</TableHead>
            <TableHead>Criada por</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((c) => (
            <TableRow key={c.id}>
              <TableCell className="font-medium">
                <Link href={`${hrefBase}/${c.id}`} className="hover:underline">
                  {c.name}
                </Link>
                <span className="block text-xs font-normal text-muted-foreground">
                  {c.chip} · <span className="font-mono">{c.template}</span>
                </span>
              </TableCell>
              <TableCell>
                <CampaignStatusBadge status={c.status} />
              </TableCell>
              <TableCell className="whitespace-nowrap">{c.scheduledAt && c.sendMode !== "immediate" ? formatDateTime(c.scheduledAt, timeZone) : "Imediato"}</TableCell>
              <TableCell className="max-w-56 truncate" title={c.audience ?? undefined}>
                {c.audience ?? "—"}
              </TableCell>
              <TableCell className="text-sm">
                {c.createdBy ?? "—"}
                <span className="block text-xs text-muted-foreground">{formatDateTime(c.createdAt, timeZone)}</span>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Card>
  );
}
