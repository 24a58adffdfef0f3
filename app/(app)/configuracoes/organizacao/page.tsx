import type { Metadata } from "next";
import { OrganizationForm } from "@/components/settings/organization-form";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { getDb } from "@/db/client";
import { getOrganization } from "@/db/queries/settings";
import { requireUser } from "@/lib/auth/page";
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
    </div>
  );
}
