"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { useRouter } from "next/navigation";
import { CheckIcon } from "lucide-react";
import type { ImportRecordView } from "@/lib/imports/record";
import type { ImportTargets } from "@/lib/imports/targets";
import type { ImportView } from "@/lib/imports/store";
import { cn } from "@/lib/utils";
import { ImportMapping } from "./import-mapping";
import { ImportProgress } from "./import-progress";
import { ImportResult } from "./import-result";
import { ImportUpload } from "./import-upload";

const steps = ["Arquivo", "Colunas e opções", "Importação", "Resultado"] as const;

// A finished import checks every step; a failed one stays on "Resultado".
const stepOf = (view: ImportView | null) =>
  !view ? 0 : view.state === "uploaded" ? 1 : view.state === "running" ? 2 : view.state === "done" ? 4 : 3;

function Stepper({ current }: { current: number }) {
  return (
    <ol className="mb-6 flex flex-wrap items-center gap-x-2 gap-y-2 text-sm" aria-label="Etapas da importação">
      {steps.map((label, i) => {
        const done = i < current;
        const active = i === current;
        return (
          <li key={label} className="flex items-center gap-2" aria-current={active ? "step" : undefined}>
            <span
              className={cn(
                "flex size-6 items-center justify-center rounded-full border text-xs font-semibold tabular-nums",
                done && "border-primary bg-primary text-primary-foreground",
                active && "border-primary text-primary ring-4 ring-primary/15",
                !done && !active && "text-muted-foreground",
              )}
            >
              {done ? <CheckIcon className="size-3.5" aria-hidden="true" /> : i + 1}
            </span>
            <span className={cn(active ? "font-medium text-foreground" : "text-muted-foreground")}>{label}</span>
            {i < steps.length - 1 ? <span className="mx-1 hidden h-px w-8 bg-border sm:block" aria-hidden="true" /> : null}
          </li>
        );
      })}
    </ol>
  );
}

/** Upload → mapping and options → progress → result; the import id in the address survives a reload. */
export function ImportWizard({
  targets,
  initial,
  expired,
  records,
  canUndo,
  timeZone,
}: {
  targets: ImportTargets;
  initial: ImportView | null;
  expired: boolean;
  /** "Importações recentes" (the server's): the result screen finds its import's record there. */
  records: ImportRecordView[];
  canUndo: boolean;
  timeZone: string;
}) {
  const router = useRouter();
  const [view, setView] = useState<ImportView | null>(initial);
  const [notice, setNotice] = useState<string | null>(
    expired ? "Esta importação não está mais disponível (guardamos o arquivo e o resultado por 1 hora)." : null,
  );

  useEffect(() => {
    const url = new URL(window.location.href);
    if (view) url.searchParams.set("importacao", view.id);
    else url.searchParams.delete("importacao");
    // No state of our own: Next.js then copies its router state over and learns the address, so a later
    // router.refresh() keeps the import's id in it (passing its own state object hides the change from it).
    window.history.replaceState(null, "", url);
  }, [view]);

  const restart = useCallback((message?: string) => {
    setNotice(message ?? null);
    setView(null);
  }, []);

  // An import that just finished: the page's list of recent imports (and this screen's undo) reads it again.
  const finished = view?.state === "done" || view?.state === "failed";
  const wasFinished = useRef(finished);
  useEffect(() => {
    if (finished && !wasFinished.current) router.refresh();
    wasFinished.current = finished;
  }, [finished, router]);

  const step = stepOf(view);
  return (
    <div>
      <Stepper current={step} />
      {!view ? <ImportUpload notice={notice} onUploaded={(v) => (setNotice(null), setView(v))} /> : null}
      {view && view.state === "uploaded" ? (
        <ImportMapping view={view} targets={targets} onStarted={setView} onRestart={restart} />
      ) : null}
      {view && view.state === "running" ? <ImportProgress view={view} onChange={setView} onLost={restart} /> : null}
      {view && (view.state === "done" || view.state === "failed") ? (
        <ImportResult
          view={view}
          onRestart={() => restart()}
          undo={{ record: records.find((r) => r.id === view.id) ?? null, canUndo, timeZone }}
        />
      ) : null}
    </div>
  );
}
