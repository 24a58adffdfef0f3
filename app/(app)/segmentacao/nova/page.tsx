import type { Metadata } from "next";
import { FilterBuilder } from "@/components/segments/filter-builder";
import { PageHeader } from "@/components/shell/page-header";
import { getDb } from "@/db/client";
import { filterOptions } from "@/db/queries/audiences";
import { requireUser } from "@/lib/auth/page";
import { UFS } from "@/lib/segments/filter";

export const metadata: Metadata = { title: "Nova lista de público" };

export default async function NewAudiencePage() {
  const user = await requireUser();
  const options = await filterOptions(getDb(), user.organizationId, { tagCounts: true });
  return (
    <>
      <PageHeader title="Nova lista de público" description="Escolha um nome, os filtros, observe a quantidade de contatos e clique em Cadastrar." />
      <FilterBuilder tags={options.tags} wallets={options.wallets} chips={options.chips} ufs={[...UFS]} />
    </>
  );
}
