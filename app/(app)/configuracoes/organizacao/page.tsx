import type { Metadata } from "next";
import Link from "next/link";
import { ChevronLeftIcon, ChevronRightIcon, ReceiptIcon } from "lucide-react";
import { z } from "zod";
import {
  AutoIncreaseCard,
  FrequencyCapCard,
  OrganizationCard,
  PackageAdjustmentForm,
  PricesCard,
} from "@/components/settings/organization-form";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { buttonVariants } from "@/components/ui/button";
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { getOrganization } from "@/db/queries/settings";
import { requireUser } from "@/lib/auth/page";
import { tierLabels } from "@/lib/chips";
import { formatCount, formatDateTime } from "@/lib/i18n/labels";
import { formatSigned, packageStatement, statementKindLabels, type StatementRow } from "@/lib/ledger";
import { timeZoneOptions } from "@/lib/organizations";
import { cn } from "@/lib/utils";

export const metadata: Metadata = { title: "Organização" };

const querySchema = z.object({ extrato: z.coerce.number().int().min(1).max(100_000).catch(1).default(1) });

const messages = (n: number) => `${formatCount(n)} ${n === 1 ? "mensagem" : "mensagens"}`;

function Movement({ row }: { row: StatementRow }) {
  const campaign = row.campaign ? (
    <Link href={`/campanhas/${row.campaign.id}`} className="font-medium text-primary underline-offset-4 hover:underline">
      {row.campaign.name}
    </Link>
  ) : null;
  if (row.kind === "debit")
    return campaign ? (
      <>
        {statementKindLabels.debit} {campaign}
      </>
    ) : (
      <>Débito de campanha excluída</>
    );
  if (row.kind === "auto_increase")
    return (
      <>
        {statementKindLabels.auto_increase}
        {campaign ? <> · campanha {campaign}</> : row.campaignDeleted ? " · campanha excluída" : null}
      </>
    );
  return <>{statementKindLabels[row.kind]}</>;
}

const statementHref = (page: number) => `/configuracoes/organizacao${page > 1 ? `?extrato=${page}` : ""}#extrato`;

// The statement is read only as far back as a page needs, so it has no page count: newer and older pages.
function StatementPaging({ page, hasMore }: { page: number; hasMore: boolean }) {
  const link = buttonVariants({ variant: "outline", size: "sm" });
  const off = cn(link, "pointer-events-none opacity-50");
  return (
    <nav aria-label="Páginas do extrato" className="flex items-center justify-between gap-2">
      {page > 1 ? (
        <Link href={statementHref(page - 1)} rel="prev" className={link}>
          <ChevronLeftIcon aria-hidden="true" />
          Mais recentes
        </Link>
      ) : (
        <span aria-disabled="true" className={off}>
          <ChevronLeftIcon aria-hidden="true" />
          Mais recentes
        </span>
      )}
      <p className="text-sm text-muted-foreground">Página {page}</p>
      {hasMore ? (
        <Link href={statementHref(page + 1)} rel="next" className={link}>
          Mais antigas
          <ChevronRightIcon aria-hidden="true" />
        </Link>
      ) : (
        <span aria-disabled="true" className={off}>
          Mais antigas
          <ChevronRightIcon aria-hidden="true" />
        </span>
      )}
    </nav>
  );
}

const reasonOf = (row: StatementRow) =>
  row.kind === "debit"
    ? `${messages(row.movements)} ${row.movements === 1 ? "aceita" : "aceitas"} pela API do WhatsApp`
    : (row.reason ?? "—");

const whoOf = (row: StatementRow) => row.userName ?? (row.kind === "debit" || row.kind === "auto_increase" ? "Envio da campanha" : "—");

export default async function OrganizationPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const user = await requireUser();
  const { extrato } = querySchema.parse(await searchParams);
  const db = getDb();
  const org = (await getOrganization(db, user.organizationId))!;
  const statement = await packageStatement(db, user.organizationId, { timeZone: org.timeZone, page: extrato });
  const canEdit = user.role === "admin";
  return (
    <div className="grid gap-6">
      {!canEdit ? (
        <Alert>
          <AlertDescription>Somente administradores alteram estas configurações.</AlertDescription>
        </Alert>
      ) : null}
      <OrganizationCard values={{ name: org.name, timeZone: org.timeZone }} timeZones={timeZoneOptions(org.timeZone)} canEdit={canEdit} />
      <PricesCard
        values={{ priceMarketing: org.priceMarketing, priceUtility: org.priceUtility, priceAuthentication: org.priceAuthentication }}
        canEdit={canEdit}
      />
      <FrequencyCapCard values={{ frequencyCapMessages: org.frequencyCapMessages, frequencyCapDays: org.frequencyCapDays }} canEdit={canEdit} />

      <Card id="pacote">
        <CardHeader>
          <CardTitle>Pacote de conversas</CardTitle>
          <CardDescription>
            Saldo em mensagens. Cada mensagem aceita pela API do WhatsApp é debitada; o extrato abaixo mostra cada
            movimentação.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-6">
          <div>
            <p className="text-sm text-muted-foreground">Saldo atual</p>
            <p className="text-3xl font-semibold tabular-nums" data-testid="package-balance">
              {formatCount(org.packageBalance)} <span className="text-base font-normal text-muted-foreground">mensagens</span>
            </p>
          </div>
          {canEdit ? <PackageAdjustmentForm /> : null}
        </CardContent>
      </Card>

      <AutoIncreaseCard autoIncreaseSize={org.autoIncreaseSize} canEdit={canEdit} />

      <Card id="extrato" className="scroll-mt-20">
        <CardHeader>
          <CardTitle>Extrato do pacote</CardTitle>
          <CardDescription>
            Créditos, aumentos automáticos, débitos por campanha e ajustes manuais, do mais recente ao mais antigo. Datas
            no fuso da organização.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4">
          {statement.rows.length ? (
            <Table>
              <TableCaption>Os débitos de uma campanha no mesmo dia aparecem somados; o saldo é o de depois do último.</TableCaption>
              <TableHeader>
                <TableRow>
                  <TableHead>Data</TableHead>
                  <TableHead>Movimentação</TableHead>
                  <TableHead className="text-right">Quantidade</TableHead>
                  <TableHead className="text-right">Saldo após</TableHead>
                  <TableHead>Quem</TableHead>
                  <TableHead>Motivo</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {statement.rows.map((row) => (
                  <TableRow key={row.id} data-kind={row.kind}>
                    <TableCell className="whitespace-nowrap tabular-nums">{formatDateTime(row.at, org.timeZone)}</TableCell>
                    <TableCell className="min-w-48 whitespace-normal">
                      <Movement row={row} />
                    </TableCell>
                    <TableCell className={cn("text-right whitespace-nowrap tabular-nums font-medium", row.amount > 0 && "text-emerald-700 dark:text-emerald-400")}>
                      {formatSigned(row.amount)}
                    </TableCell>
                    <TableCell className="text-right whitespace-nowrap tabular-nums">{formatCount(row.balanceAfter)}</TableCell>
                    <TableCell className="whitespace-nowrap">{whoOf(row)}</TableCell>
                    <TableCell className="min-w-48 whitespace-normal text-muted-foreground">{reasonOf(row)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          ) : (
            <EmptyState
              icon={ReceiptIcon}
              title={statement.page > 1 ? "Esta página do extrato está vazia" : "Nenhuma movimentação ainda"}
              description={
                statement.page > 1
                  ? "Volte para a primeira página do extrato."
                  : "Créditos, débitos das campanhas e ajustes aparecem aqui assim que acontecerem."
              }
            />
          )}
          {statement.hasMore || statement.page > 1 ? <StatementPaging page={statement.page} hasMore={statement.hasMore} /> : null}
        </CardContent>
      </Card>

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
