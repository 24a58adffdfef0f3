"use client";

import { useRouter } from "next/navigation";
import { HistoryIcon } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { formatDateTime } from "@/lib/i18n/labels";
import { formatInt } from "@/lib/imports/fields";
import type { ImportRecordState, ImportRecordView } from "@/lib/imports/record";
import { UndoImportButton, UndoOutcomeList } from "./import-undo";

const stateBadge: Record<ImportRecordState, { label: string; variant: "success" | "warning" | "secondary" | "outline" }> = {
  running: { label: "Em andamento", variant: "secondary" },
  done: { label: "Concluída", variant: "success" },
  failed: { label: "Interrompida", variant: "warning" },
  interrupted: { label: "Interrompida", variant: "warning" },
  undone: { label: "Desfeita", variant: "outline" },
};

const counts = (r: ImportRecordView) =>
  [
    `${formatInt(r.created)} ${r.created === 1 ? "criado" : "criados"}`,
    `${formatInt(r.updated)} ${r.updated === 1 ? "atualizado" : "atualizados"}`,
    r.skipped ? `${formatInt(r.skipped)} ${r.skipped === 1 ? "ignorado" : "ignorados"}` : null,
    r.failed ? `${formatInt(r.failed)} com erro` : null,
  ]
    .filter(Boolean)
    .join(" · ");

/** Every recent import of the organization, from the database: an import can be undone long after its screen. */
export function ImportHistory({
  records,
  canUndo,
  timeZone,
}: {
  records: ImportRecordView[];
  canUndo: boolean;
  timeZone: string;
}) {
  const router = useRouter();
  return (
    <Card className="mt-8 gap-4" role="region" aria-labelledby="importacoes-recentes">
      <CardHeader>
        <CardTitle id="importacoes-recentes" className="flex items-center gap-2">
          <HistoryIcon className="size-5 text-muted-foreground" aria-hidden="true" />
          Importações recentes
        </CardTitle>
        <CardDescription>
          {canUndo
            ? "Desfazer remove os contatos que a importação criou e devolve os atualizados ao que eram."
            : "Só gestores e administradores podem desfazer uma importação."}
        </CardDescription>
      </CardHeader>
      <CardContent>
        {records.length === 0 ? (
          <p className="text-sm text-muted-foreground">Nenhuma importação ainda nesta organização.</p>
        ) : (
          <ul className="divide-y">
            {records.map((r) => {
              const badge = stateBadge[r.state];
              const undoable = canUndo && r.state !== "undone" && r.state !== "running" && r.created + r.updated > 0;
              return (
                <li key={r.id} className="grid gap-3 py-4 first:pt-0 last:pb-0 sm:grid-cols-[minmax(0,1fr)_auto] sm:items-start" data-import-id={r.id}>
                  <div className="grid min-w-0 gap-1">
                    <p className="flex min-w-0 flex-wrap items-center gap-2">
                      <span className="min-w-0 font-medium break-all">{r.fileName}</span>
                      <Badge variant={badge.variant}>{badge.label}</Badge>
                    </p>
                    <p className="text-sm text-muted-foreground">
                      {formatDateTime(r.startedAt, timeZone)}
                      {r.userName ? ` · por ${r.userName}` : ""} · {formatInt(r.totalRows)} {r.totalRows === 1 ? "linha" : "linhas"}
                    </p>
                    <p className="text-sm tabular-nums">{counts(r)}</p>
                    {r.undoneAt ? (
                      <div className="mt-1 grid gap-2 rounded-md border bg-muted/40 p-3">
                        <p className="text-sm font-medium">
                          Desfeita em {formatDateTime(r.undoneAt, timeZone)}
                          {r.undoneBy ? ` por ${r.undoneBy}` : ""}
                        </p>
                        {r.undoOutcome ? <UndoOutcomeList outcome={r.undoOutcome} className="text-muted-foreground" /> : null}
                      </div>
                    ) : null}
                    {r.state === "running" ? (
                      <p className="text-sm text-muted-foreground">Gravando: aguarde o fim para desfazer.</p>
                    ) : null}
                  </div>
                  {undoable ? (
                    <div className="sm:justify-self-end">
                      <UndoImportButton
                        importId={r.id}
                        fileName={r.fileName}
                        created={r.created}
                        updated={r.updated}
                        size="sm"
                        onUndone={() => router.refresh()}
                      />
                    </div>
                  ) : null}
                </li>
              );
            })}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}
