import type { Metadata } from "next";
import { BotIcon } from "lucide-react";
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
  if (rows.length === 0)
    return <EmptyState icon={BotIcon} title="Nenhum fluxo de chatbot" description="Crie os fluxos para onde as respostas das campanhas são encaminhadas." />;
  return (
    <div className="grid gap-4 md:grid-cols-2">
      {rows.map((f) => (
        <Card key={f.id}>
          <CardHeader>
            <CardTitle>{f.name}</CardTitle>
            <CardDescription>{f.description ?? "Sem descrição."}</CardDescription>
            <CardAction>
              <Badge variant={f.active ? "success" : "secondary"}>{f.active ? "Ativo" : "Inativo"}</Badge>
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
  );
}
