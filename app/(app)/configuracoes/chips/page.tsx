import type { Metadata } from "next";
import { SmartphoneIcon } from "lucide-react";
import { ChipDialog, ChipRowActions } from "@/components/settings/chip-dialogs";
import { Badge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { listChips } from "@/db/queries/settings";
import { requireUser } from "@/lib/auth/page";
import { chipStatusLabels, qualityLabels } from "@/lib/i18n/labels";
import { MESSAGING_TIERS, tierLabels } from "@/lib/chips";
import { displayPhone } from "@/lib/phones";

export const metadata: Metadata = { title: "Chips" };

const qualityVariant = { green: "success", yellow: "warning", red: "destructive", unknown: "secondary" } as const;

export default async function ChipsPage() {
  const user = await requireUser();
  const rows = await listChips(getDb(), user.organizationId);
  const isAdmin = user.role === "admin";
  const tiers = MESSAGING_TIERS.map((t) => ({ value: t, label: tierLabels[t]! }));
  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <p className="max-w-2xl text-sm text-muted-foreground">
          Cada chip é um número de WhatsApp Business que envia campanhas. O limite de mensagens por segundo controla o
          ritmo dos disparos; a qualidade vem da Meta.
        </p>
        {isAdmin ? <ChipDialog tiers={tiers} /> : null}
      </div>
      {rows.length === 0 ? (
        <EmptyState icon={SmartphoneIcon} title="Nenhum chip cadastrado" description="Cadastre o número de WhatsApp Business que envia as campanhas." />
      ) : (
    <Card className="py-0">
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Chip</TableHead>
            <TableHead>Número</TableHead>
            <TableHead>Identificação na Meta</TableHead>
            <TableHead>Limite</TableHead>
            <TableHead>Qualidade</TableHead>
            <TableHead>Situação</TableHead>
            {isAdmin ? <TableHead className="text-right">Ações</TableHead> : null}
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((c) => (
            <TableRow key={c.id}>
              <TableCell className="font-medium">{c.name}</TableCell>
              <TableCell className="whitespace-nowrap tabular-nums">{displayPhone(c.displayNumber)}</TableCell>
              <TableCell className="font-mono text-xs">{c.phoneNumberId}</TableCell>
              <TableCell>
                {c.messagesPerSecond} msg/s · {tierLabels[c.messagingLimitTier] ?? c.messagingLimitTier}
              </TableCell>
              <TableCell>
                <Badge variant={qualityVariant[c.qualityRating]}>{qualityLabels[c.qualityRating]}</Badge>
              </TableCell>
              <TableCell>
                <Badge variant={c.status === "active" ? "success" : "secondary"}>{chipStatusLabels[c.status]}</Badge>
              </TableCell>
              {isAdmin ? (
                <TableCell className="text-right whitespace-nowrap">
                  <ChipRowActions chip={c} />
                  <ChipDialog chip={c} tiers={tiers} />
                </TableCell>
              ) : null}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </Card>
      )}
    </div>
  );
}
