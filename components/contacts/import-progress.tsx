"use client";

import { useEffect, useRef } from "react";
import { Loader2Icon } from "lucide-react";
import { getContactsImportStatus } from "@/app/(app)/contatos/importar/actions";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Progress } from "@/components/ui/progress";
import { formatInt } from "@/lib/imports/fields";
import type { ImportView } from "@/lib/imports/store";

const POLL_MS = 1000;

export function ImportProgress({
  view,
  onChange,
  onLost,
}: {
  view: ImportView;
  onChange: (view: ImportView) => void;
  onLost: (message: string) => void;
}) {
  const callbacks = useRef({ onChange, onLost });
  useEffect(() => {
    callbacks.current = { onChange, onLost };
  });

  // The import runs on the server; this only reads its status file, once a second.
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout>;
    const poll = async () => {
      try {
        const result = await getContactsImportStatus(null, { id: view.id });
        if (stopped) return;
        if (result.ok) {
          callbacks.current.onChange(result.data);
          if (result.data.state !== "running") return;
        } else if (result.code === "not_found" || result.code === "unauthenticated") {
          callbacks.current.onLost(result.message);
          return;
        }
      } catch {
        // A network hiccup: try again on the next tick.
      }
      if (!stopped) timer = setTimeout(poll, POLL_MS);
    };
    timer = setTimeout(poll, 300);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [view.id]);

  const p = view.progress;
  const total = p?.total ?? view.summary.totalRows;
  const processed = p?.processed ?? 0;
  const pct = total ? Math.floor((processed / total) * 100) : 0;
  const counts = p?.counts;
  return (
    <Card aria-busy="true">
      <CardHeader>
        <CardTitle className="flex items-center gap-2">
          <Loader2Icon className="size-5 animate-spin text-primary" aria-hidden="true" />
          Importando {view.fileName}
        </CardTitle>
        <CardDescription>
          {p?.phase === "writing"
            ? "Gravando os contatos na base, em lotes de 1.000."
            : processed === 0
              ? "Lendo a planilha."
              : "Conferindo telefones, nomes e opt-in de cada linha."}{" "}
          Pode sair desta página: a importação continua e o resultado fica neste endereço por 1 hora.
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        <div className="grid gap-2">
          <Progress value={processed} max={total || 1} aria-label="Andamento da importação" className="h-3" />
          <p className="flex justify-between text-sm text-muted-foreground" role="status" aria-live="polite">
            <span>
              <strong className="text-foreground tabular-nums">{formatInt(processed)}</strong> de {formatInt(total)} linhas
            </span>
            <span className="tabular-nums">{pct}%</span>
          </p>
        </div>
        {counts ? (
          <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
            {[
              ["Criados", counts.created],
              ["Atualizados", counts.updated],
              ["Ignorados", counts.skipped],
              ["Com erro", counts.failed],
            ].map(([label, value]) => (
              <div key={label} className="rounded-lg border px-3 py-2">
                <dt className="text-muted-foreground">{label}</dt>
                <dd className="text-lg font-semibold tabular-nums">{formatInt(value as number)}</dd>
              </div>
            ))}
          </dl>
        ) : null}
      </CardContent>
    </Card>
  );
}
