import type { Metadata } from "next";
import { BotIcon } from "lucide-react";
import { FlowDialog } from "@/components/settings/flow-dialog";
import { hasRole } from "@/lib/auth/roles";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle, CardAction } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { getDb } from "@/db/client";
import { listFlows } from "@/db/queries/settings";
import { requireUser } from "@/lib/auth/page";

export const metadata: Metadata = { title: "Fluxos de chatbot" };

export default async function FlowsPage() {
  const user = await requireUser();
  const rows = await listFlows(getDb(), user.organizationId);
  const canEdit = hasRole(user.role, "gestor");
  // The external bot receives contacts' data: only an admin sets or changes where it is.
  const canEditEndpoint = hasRole(user.role, "admin");
  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <p className="max-w-2xl text-sm text-muted-foreground">
          Para onde vão as respostas das campanhas. Só fluxos ativos aparecem no painel de campanhas.
        </p>
        {canEdit ? <FlowDialog canEditEndpoint={canEditEndpoint} /> : null}
      </div>
      {rows.length === 0 ? (
        <EmptyState icon={BotIcon} title="Nenhum fluxo de chatbot" description="Crie os fluxos para onde as respostas das campanhas são encaminhadas." />
      ) : null}
    <div className="grid gap-4 md:grid-cols-2">
      {rows.map((f) => (
        <Card key={f.id}>
          <CardHeader>
            <CardTitle>{f.name}</CardTitle>
            <CardDescription>{f.description ?? "Sem descrição."}</CardDescription>
            <CardAction className="flex items-center gap-1">
              <Badge variant={f.active ? "success" : "secondary"}>{f.active ? "Ativo" : "Inativo"}</Badge>
              {canEdit ? <FlowDialog flow={f} canEditEndpoint={canEditEndpoint} /> : null}
            </CardAction>
          </CardHeader>
          <CardContent className="grid gap-2 text-sm">
            <p className="rounded-md bg-muted p-3 text-muted-foreground">“{f.entryMessage}”</p>
            {f.endpointUrl ? (
              <p className="text-xs text-muted-foreground">
                Bot externo: <span className="font-mono">{f.endpointUrl}</span>
              </p>
            ) : null}
          </CardContent>
        </Card>
      ))}
    </div>
    </div>
  );
}
