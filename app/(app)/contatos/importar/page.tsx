import type { Metadata } from "next";
import Link from "next/link";
import { ArrowLeftIcon } from "lucide-react";
import { ImportHistory } from "@/components/contacts/import-history";
import { ImportWizard } from "@/components/contacts/import-wizard";
import { PageHeader } from "@/components/shell/page-header";
import { Button } from "@/components/ui/button";
import { getDb } from "@/db/client";
import { requireUser } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import { listRecentImports } from "@/lib/imports/record";
import { isImportId, readStatus, sweepExpired, toView } from "@/lib/imports/store";
import { listImportTargets } from "@/lib/imports/targets";
import { UNDO_IMPORT_ROLE } from "@/lib/imports/undo";

export const metadata: Metadata = { title: "Importar contatos" };

export default async function ImportContactsPage({ searchParams }: { searchParams: Promise<{ importacao?: string }> }) {
  const user = await requireUser("operador");
  const { importacao } = await searchParams;
  const id = typeof importacao === "string" && isImportId(importacao) ? importacao : null;
  const [targets, status, records] = await Promise.all([
    listImportTargets(getDb(), user.organizationId),
    id ? readStatus(user.organizationId, id) : null,
    listRecentImports(getDb(), user.organizationId),
    sweepExpired().catch(() => null),
  ]);
  const canUndo = hasRole(user.role, UNDO_IMPORT_ROLE);
  return (
    <>
      <PageHeader
        title="Importar contatos"
        description="Traga sua base de uma planilha CSV ou Excel: confira as colunas, escolha etiquetas, carteira e chip, e importe."
        actions={
          <Button variant="outline" asChild>
            <Link href="/contatos">
              <ArrowLeftIcon aria-hidden="true" />
              Contatos
            </Link>
          </Button>
        }
      />
      <ImportWizard
        targets={targets}
        initial={status ? toView(status) : null}
        expired={Boolean(importacao) && !status}
        records={records}
        canUndo={canUndo}
        timeZone={user.timeZone}
      />
      <ImportHistory records={records} canUndo={canUndo} timeZone={user.timeZone} />
    </>
  );
}
