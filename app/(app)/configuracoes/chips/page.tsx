import type { Metadata } from "next";
import { SmartphoneIcon } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { listChips } from "@/db/queries/settings";
import { requireUser } from "@/lib/auth/page";
import { chipStatusLabels, qualityLabels } from "@/lib/i18n/labels";

export const metadata: Metadata = { title: "Chips" };

const qualityVariant = { green: "success", yellow: "warning", red: "destructive", unknown: "secondary" } as const;

export default async function ChipsPage() {
  const user = await requireUser();
  const rows = await listChips(getDb(), user.organizationId);
  if (rows.length === 0)
    return <EmptyState icon={SmartphoneIcon} title="Nenhum chip cadastrado" description="Cadastre o número de WhatsApp Business que envia as campanhas." />;
  return (
    <Card className="py-0">
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Chip</TableHead>
            <TableHead>Número</TableHead>
            <TableHead>Phone number ID</TableHead>
            <TableHead>Limite</TableHead>
            <TableHead>Qualidade</TableHead>
            <TableHead>Status</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((c) => (
            <TableRow key={c.id}>
              <TableCell className="font-medium">{c.name}</TableCell>
              <TableCell className="tabular-nums">{c.displayNumber}</TableCell>
              <TableCell className="font-mono text-xs">{c.phoneNumberId}</TableCell>
              <TableCell>
                {c.messagesPerSecond} msg/s · {c.messagingLimitTier.replace("TIER_", "").replace("K", " mil")} por dia
              </TableCell>
              <TableCell>
                <Badge variant={qualityVariant[c.qualityRating]}>{qualityLabels[c.qualityRating]}</Badge>
              </TableCell>
              <TableCell>
                <Badge variant={c.status === "active" ? "success" : "secondary"}>{chipStatusLabels[c.status]}</Badge>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Card>
  );
}
