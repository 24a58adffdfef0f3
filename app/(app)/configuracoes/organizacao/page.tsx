import type { Metadata } from "next";
import { OrganizationForm } from "@/components/settings/organization-form";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { getOrganization } from "@/db/queries/settings";
import { requireUser } from "@/lib/auth/page";
import { tierLabels } from "@/lib/chips";
import { brazilianTimeZones } from "@/lib/organizations";

export const metadata: Metadata = { title: "Organização" };

export default async function OrganizationPage() {
  const user = await requireUser();
  const org = (await getOrganization(getDb(), user.organizationId))!;
  const canEdit = user.role === "admin";
  const timeZones = brazilianTimeZones.includes(org.timeZone) ? brazilianTimeZones : [org.timeZone, ...brazilianTimeZones];
  return (
    <div className="grid gap-4">
      {!canEdit ? (
        <Alert>
          <AlertDescription>Somente administradores alteram estas configurações.</AlertDescription>
        </Alert>
      ) : null}
      <OrganizationForm values={org} timeZones={timeZones} canEdit={canEdit} />
      <Card>
        <CardHeader>
          <CardTitle>Limite de mensagens do portfólio (Meta)</CardTitle>
          <CardDescription>
            Quantos contatos diferentes a Meta deixa a organização alcançar com templates numa janela móvel de 24 horas.
            Desde outubro de 2025 o limite é do portfólio empresarial e compartilhado por todos os chips; é atualizado
            pelo “Testar conexão” em Configurações › Chips.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <p className="text-lg font-semibold" data-testid="portfolio-messaging-limit">
            {tierLabels[org.messagingLimitTier] ?? org.messagingLimitTier}
          </p>
        </CardContent>
      </Card>
    </div>
  );
}
