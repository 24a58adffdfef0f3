import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { FilterBuilder } from "@/components/segments/filter-builder";
import { PageHeader } from "@/components/shell/page-header";
import { Breadcrumbs } from "@/components/ui/breadcrumb";
import { getDb } from "@/db/client";
import { filterOptions, getAudience } from "@/db/queries/audiences";
import { requireUser } from "@/lib/auth/page";
import { parseFilter, UFS } from "@/lib/segments/filter";

export const metadata: Metadata = { title: "Lista de público" };

export default async function EditAudiencePage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const id = Number((await params).id);
  if (!Number.isSafeInteger(id) || id <= 0) notFound();
  const db = getDb();
  const [audience, options] = await Promise.all([getAudience(db, user.organizationId, id), filterOptions(db, user.organizationId, { tagCounts: true })]);
  if (!audience) notFound();
  const parsed = parseFilter(audience.filter);
  return (
    <>
      <Breadcrumbs trail={[{ label: "Segmentação", href: "/segmentacao" }]} current={audience.name} />
      <PageHeader title={audience.name} description="Ajuste os filtros; a contagem se atualiza enquanto você edita." />
      <FilterBuilder
        audience={{ id: audience.id, name: audience.name, filter: parsed.ok ? parsed.filter : { version: 1 } }}
        tags={options.tags}
        wallets={options.wallets}
        chips={options.chips}
        ufs={[...UFS]}
      />
    </>
  );
}
