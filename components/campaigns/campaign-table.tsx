import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { Campaign } from "@/db/schema";
import { campaignStatusLabels, formatDateTime } from "@/lib/i18n/labels";

type Row = {
  id: number;
  name: string;
  status: Campaign["status"];
  scheduledAt: Date | null;
  createdAt: Date;
  chip: string;
  template: string;
  audience: string | null;
};

const statusVariant = {
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

export function CampaignTable({ rows, timeZone }: { rows: Row[]; timeZone: string }) {
  return (
    <Card className="py-0">
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Campanha</TableHead>
            <TableHead>Chip</TableHead>
            <TableHead>Lista</TableHead>
            <TableHead>Template</TableHead>
            <TableHead>Envio</TableHead>
            <TableHead>Status</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((c) => (
            <TableRow key={c.id}>
              <TableCell className="font-medium">{c.name}</TableCell>
              <TableCell>{c.chip}</TableCell>
              <TableCell>{c.audience ?? "—"}</TableCell>
              <TableCell className="font-mono text-xs">{c.template}</TableCell>
              <TableCell>{c.scheduledAt ? formatDateTime(c.scheduledAt, timeZone) : "Imediato"}</TableCell>
              <TableCell>
                <Badge variant={statusVariant[c.status]}>{campaignStatusLabels[c.status]}</Badge>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Card>
  );
}
