"use client";

import { useState } from "react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import {
  CircleAlertIcon,
  CircleCheckIcon,
  CircleHelpIcon,
  CircleXIcon,
  DownloadIcon,
  RefreshCwIcon,
  SkipForwardIcon,
  TriangleAlertIcon,
  Undo2Icon,
  UserCheckIcon,
  UserPlusIcon,
  UsersIcon,
} from "lucide-react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardAction, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { StatCard } from "@/components/ui/stat-card";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { formatDateTime } from "@/lib/i18n/labels";
import { errorKindLabels, formatInt } from "@/lib/imports/fields";
import { describeStoppedImport, type OutcomeLine } from "@/lib/imports/outcome";
import type { ImportRecordView } from "@/lib/imports/record";
import type { ImportView } from "@/lib/imports/store";
import { cn } from "@/lib/utils";
import { undoSummaryText } from "@/lib/imports/undo-outcome";
import { UndoImportButton, UndoOutcomeList, type UndoDone } from "./import-undo";

const seconds = (ms: number) =>
  ms < 1000
    ? "menos de 1 s"
    : ms < 60_000
    ? `${new Intl.NumberFormat("pt-BR", { maximumFractionDigits: 1 }).format(ms / 1000)} s`
    : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;

export type UndoContext = {
  /** The import's record in the database (null: not found, e.g. an import from before records existed). */
  record: ImportRecordView | null;
  canUndo: boolean;
  timeZone: string;
};

export function ImportResult({ view, onRestart, undo }: { view: ImportView; onRestart: () => void; undo: UndoContext }) {
  const undoCard = <UndoCard key={view.id} {...undo} fileName={view.fileName} />;
  const actions = (
    <div className="flex flex-wrap gap-2">
      <Button asChild>
        <Link href="/contatos">
          <UsersIcon aria-hidden="true" />
          Ver contatos
        </Link>
      </Button>
      <Button variant="outline" onClick={onRestart}>
        <RefreshCwIcon aria-hidden="true" />
        Importar outro arquivo
      </Button>
    </div>
  );

  if (view.state === "failed" || !view.counts) {
    return (
      <div className="grid gap-6">
        <Alert variant="destructive">
          <CircleAlertIcon aria-hidden="true" />
          <AlertTitle>A importação de {view.fileName} não terminou</AlertTitle>
          <AlertDescription>
            <p>{view.message ?? "Algo deu errado do nosso lado. Tente de novo em instantes."}</p>
          </AlertDescription>
        </Alert>
        <Card className="gap-3">
          <CardHeader>
            <CardTitle>O que ficou na base</CardTitle>
            <CardDescription>Os contatos são gravados em lotes de 1.000 linhas; cada lote entra inteiro ou não entra.</CardDescription>
          </CardHeader>
          <ul className="grid gap-2 px-6 text-sm" aria-label="O que ficou na base">
            {describeStoppedImport(view).map((line) => (
              <li key={line.text} className="flex items-start gap-2">
                <OutcomeIcon kind={line.kind} />
                <span>{line.text}</span>
              </li>
            ))}
          </ul>
        </Card>
        {undoCard}
        {(view.errorCount ?? 0) > 0 ? <ErrorsCard view={view} title="Linhas não gravadas" /> : null}
        {actions}
      </div>
    );
  }

  const c = view.counts;
  const errorCount = view.errorCount ?? 0;
  const imported = c.created + c.updated;
  return (
    <div className="grid gap-6">
      {errorCount === 0 ? (
        <Alert variant="success" role="status">
          <CircleCheckIcon aria-hidden="true" />
          <AlertTitle>Importação concluída</AlertTitle>
          <AlertDescription>
            <p>
              Todas as {formatInt(c.total)} linhas de {view.fileName} foram processadas
              {view.durationMs ? ` em ${seconds(view.durationMs)}` : ""}.
            </p>
          </AlertDescription>
        </Alert>
      ) : (
        <Alert variant="warning" role="status">
          <TriangleAlertIcon aria-hidden="true" />
          <AlertTitle>
            Importação concluída com {formatInt(errorCount)} {errorCount === 1 ? "linha" : "linhas"} com erro
          </AlertTitle>
          <AlertDescription>
            <p>
              {formatInt(imported)} {imported === 1 ? "contato gravado" : "contatos gravados"} de {view.fileName}
              {view.durationMs ? ` em ${seconds(view.durationMs)}` : ""}. Corrija as linhas do relatório e importe só elas de novo.
            </p>
          </AlertDescription>
        </Alert>
      )}

      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <StatCard label="Criados" value={c.created} icon={UserPlusIcon} hint="contatos novos na base" />
        <StatCard label="Atualizados" value={c.updated} icon={UserCheckIcon} hint="já existiam e foram atualizados" />
        <StatCard label="Ignorados por duplicidade" value={c.skipped} icon={SkipForwardIcon} hint="já existiam e ficaram como estavam" />
        <StatCard label="Com erro" value={c.failed} icon={CircleAlertIcon} hint="não foram gravados" />
      </div>

      {view.createdTags?.length || view.consentChanges ? (
        <div className="grid gap-2 text-sm text-muted-foreground">
          {view.createdTags?.length ? (
            <p className="flex flex-wrap items-center gap-1.5">
              Etiquetas criadas a partir da planilha:
              {view.createdTags.map((t) => (
                <Badge key={t} variant="outline">
                  {t}
                </Badge>
              ))}
            </p>
          ) : null}
          {view.consentChanges ? (
            <p>
              {formatInt(view.consentChanges)} {view.consentChanges === 1 ? "mudança" : "mudanças"} de opt-in{" "}
              {view.consentChanges === 1 ? "registrada" : "registradas"} como evidência (LGPD), com seu usuário e a data de hoje.
            </p>
          ) : null}
        </div>
      ) : null}

      {undoCard}

      {errorCount > 0 ? <ErrorsCard view={view} title="Linhas com erro" /> : null}

      {actions}
    </div>
  );
}

// "Desfazer importação" on the result screen, from the import's record (what committed), then what the undo did.
function UndoCard({ record, canUndo, timeZone, fileName }: UndoContext & { fileName: string }) {
  const router = useRouter();
  const [done, setDone] = useState<UndoDone | null>(null);
  if (!record) return null;
  const undoneAt = done?.undoneAt ?? record.undoneAt;
  const outcome = done?.outcome ?? record.undoOutcome;
  if (undoneAt)
    return (
      <Alert variant="success" role="status">
        <Undo2Icon aria-hidden="true" />
        <AlertTitle>Importação desfeita em {formatDateTime(undoneAt, timeZone)}</AlertTitle>
        <AlertDescription>{outcome ? <UndoOutcomeList outcome={outcome} className="mt-1" /> : null}</AlertDescription>
      </Alert>
    );
  const wrote = record.created + record.updated;
  if (wrote === 0 || record.state === "running") return null;
  return (
    <Card className="gap-3">
      <CardHeader>
        <CardTitle>Importou algo errado?</CardTitle>
        <CardDescription>
          {canUndo
            ? `${undoSummaryText(record.created, record.updated)} Também dá para desfazer mais tarde, em “Importações recentes”, abaixo.`
            : "Um gestor ou administrador pode desfazer esta importação, aqui ou em “Importações recentes”, abaixo."}
        </CardDescription>
      </CardHeader>
      {canUndo ? (
        <CardContent>
          <UndoImportButton
            importId={record.id}
            fileName={fileName}
            created={record.created}
            updated={record.updated}
            onUndone={(d) => {
              setDone(d);
              router.refresh();
            }}
          />
        </CardContent>
      ) : null}
    </Card>
  );
}

function OutcomeIcon({ kind }: { kind: OutcomeLine["kind"] }) {
  const Icon = kind === "written" ? CircleCheckIcon : kind === "uncertain" ? CircleHelpIcon : CircleXIcon;
  const color =
    kind === "written" ? "text-success" : kind === "uncertain" ? "text-warning-foreground dark:text-warning" : "text-destructive";
  return <Icon className={cn("mt-0.5 size-4 shrink-0", color)} aria-hidden="true" />;
}

// The rows an import did not write, the first ones on screen and all of them in the downloadable report.
function ErrorsCard({ view, title }: { view: ImportView; title: string }) {
  const errorCount = view.errorCount ?? 0;
  const shown = view.errorsPreview ?? [];
  return (
    <Card className="gap-4 pb-0">
      <CardHeader>
        <CardTitle>{title}</CardTitle>
        <CardDescription>
          {errorCount > shown.length
            ? `As ${formatInt(shown.length)} primeiras de ${formatInt(errorCount)}; o relatório tem todas.`
            : "O relatório traz cada linha como estava na planilha, com o motivo."}
        </CardDescription>
        <CardAction>
          <Button variant="outline" asChild>
            <a href={`/api/contatos/importacoes/${view.id}/erros`} download>
              <DownloadIcon aria-hidden="true" />
              Baixar relatório de erros (CSV)
            </a>
          </Button>
        </CardAction>
      </CardHeader>
      {view.errorSummary?.length ? (
        <ul className="flex flex-wrap gap-2 px-6" aria-label="Motivos">
          {view.errorSummary.map((s) => (
            <li key={s.kind}>
              <Badge variant="outline" className="gap-1.5 py-1 text-sm font-normal">
                <span className="font-semibold tabular-nums">{formatInt(s.count)}</span>
                {errorKindLabels[s.kind]}
              </Badge>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="border-t [&_[data-slot=table-container]]:max-h-[28rem] [&_thead]:sticky [&_thead]:top-0 [&_thead]:z-10 [&_thead]:bg-card [&_thead]:shadow-[0_1px_0_var(--border)]">
        <Table>
          <TableHeader>
            <TableRow className="hover:bg-transparent">
              <TableHead className="w-20 pl-6">Linha</TableHead>
              <TableHead>Telefone</TableHead>
              <TableHead>Nome</TableHead>
              <TableHead>Motivo</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {shown.map((e) => (
              <TableRow key={e.line}>
                <TableCell className="pl-6 tabular-nums">{formatInt(e.line)}</TableCell>
                <TableCell className="max-w-44 truncate font-mono text-xs">{e.phone || "—"}</TableCell>
                <TableCell className="max-w-48 truncate">{e.name || "—"}</TableCell>
                <TableCell className="min-w-80 whitespace-normal text-muted-foreground">{e.reason}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    </Card>
  );
}
