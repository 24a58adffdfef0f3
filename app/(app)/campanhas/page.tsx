import type { Metadata } from "next";
import Link from "next/link";
import { MegaphoneIcon, PlusIcon, SearchIcon } from "lucide-react";
import { z } from "zod";
import { CampaignTable } from "@/components/campaigns/campaign-table";
import { PageHeader } from "@/components/shell/page-header";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { Pagination } from "@/components/ui/pagination";
import { getDb } from "@/db/client";
import { CAMPAIGNS_PAGE_SIZE, listCampaigns } from "@/db/queries/campaigns";
import { campaignStatus } from "@/db/schema";
import { requireUser } from "@/lib/auth/page";
import { hasRole } from "@/lib/auth/roles";
import { campaignStatusLabels } from "@/lib/i18n/labels";

export const metadata: Metadata = { title: "Campanhas" };

const listFilter = z.object({
  status: z.enum(campaignStatus.enumValues).optional().catch(undefined),
  q: z.string().trim().max(100).optional().catch(undefined).transform((v) => v || undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});

export default async function CampaignsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const user = await requireUser();
  const filter = listFilter.parse(await searchParams);
  const { rows, total } = await listCampaigns(getDb(), user.organizationId, filter);
  const pageCount = Math.max(1, Math.ceil(total / CAMPAIGNS_PAGE_SIZE));
  const params = Object.fromEntries(Object.entries({ status: filter.status, q: filter.q }).filter(([, v]) => v) as [string, string][]);
  const hrefFor = (p: number) => `/campanhas?${new URLSearchParams({ ...params, page: String(p) })}`;
  const filtered = Object.keys(params).length > 0;
  const waiting = !filter.status && hasRole(user.role, "gestor") ? rows.filter((r) => r.status === "awaiting_confirmation").length : 0;
  return (
    <>
      <PageHeader
        title="Campanhas"
        description="Programe disparos: nome, chip, lista alvo, envio imediato ou agendado, template aprovado e fluxo de chatbot."
        actions={
          <Button asChild>
            <Link href="/campanhas/nova">
              <PlusIcon aria-hidden="true" />
              Nova campanha
            </Link>
          </Button>
        }
      />
      {waiting > 0 ? (
        <Alert variant="warning" className="mb-4">
          <AlertDescription>
            {waiting === 1 ? "1 campanha aguarda" : `${waiting} campanhas aguardam`} a sua confirmação.{" "}
            <Link className="font-medium underline" href="/campanhas?status=awaiting_confirmation">
              Ver
            </Link>
          </AlertDescription>
        </Alert>
      ) : null}
      <form className="mb-4 flex flex-wrap items-end gap-2" role="search" aria-label="Filtrar campanhas">
        <Input name="q" defaultValue={filter.q ?? ""} placeholder="Buscar pelo nome" aria-label="Buscar campanha pelo nome" maxLength={100} className="w-full sm:w-64" />
        <NativeSelect name="status" defaultValue={filter.status ?? ""} aria-label="Status" wrapperClassName="w-full sm:w-56">
          <NativeSelectOption value="">Todos os status</NativeSelectOption>
          {campaignStatus.enumValues.map((s) => (
            <NativeSelectOption key={s} value={s}>
              {campaignStatusLabels[s]}
            </NativeSelectOption>
          ))}
        </NativeSelect>
        <Button type="submit" variant="secondary">
          <SearchIcon aria-hidden="true" />
          Filtrar
        </Button>
        {filtered ? (
          <Button asChild variant="ghost">
            <Link href="/campanhas">Limpar filtros</Link>
          </Button>
        ) : null}
      </form>
      {rows.length === 0 ? (
        <EmptyState
          icon={MegaphoneIcon}
          title={filtered ? "Nenhuma campanha com estes filtros" : "Nenhuma campanha ainda"}
          description={
            filtered
              ? "Tente outro status ou outro nome."
              : "Crie a primeira: escolha o chip, a lista alvo e um template aprovado. Você confere quem recebe antes de confirmar o envio."
          }
          action={
            filtered ? undefined : (
              <Button asChild>
                <Link href="/campanhas/nova">Criar a primeira campanha</Link>
              </Button>
            )
          }
        />
      ) : (
        <CampaignTable rows={rows} timeZone={user.timeZone} />
      )}
      <p className="mt-3 text-sm text-muted-foreground">
        {new Intl.NumberFormat("pt-BR").format(total)} campanha{total === 1 ? "" : "s"}
        {filtered ? " com estes filtros" : ""}.
      </p>
      {pageCount > 1 ? <Pagination className="mt-4" page={filter.page} pageCount={pageCount} hrefFor={hrefFor} /> : null}
    </>
  );
}
