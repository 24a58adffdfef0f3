"use client";

import { useActionState, useEffect, useRef, useState } from "react";
import { CircleCheckIcon, ShieldCheckIcon, Undo2Icon } from "lucide-react";
import { undoContactsImport } from "@/app/(app)/contatos/importar/actions";
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-field";
import { toast } from "@/components/ui/toast";
import { describeUndo, undoConfirmText, type UndoOutcome } from "@/lib/imports/undo-outcome";
import { cn } from "@/lib/utils";

export type UndoDone = { importId: string; undoneAt: string; outcome: UndoOutcome };

/** "Desfazer importação": a confirmation that says in numbers what will happen, then the server's answer. */
export function UndoImportButton({
  importId,
  fileName,
  created,
  updated,
  onUndone,
  size,
  variant = "outline",
}: {
  importId: string;
  fileName: string;
  created: number;
  updated: number;
  onUndone: (done: UndoDone) => void;
  size?: "sm" | "default";
  variant?: "outline" | "destructive";
}) {
  const [open, setOpen] = useState(false);
  const [state, dispatch, pending] = useActionState(undoContactsImport, null);
  const callback = useRef(onUndone);
  useEffect(() => {
    callback.current = onUndone;
  });
  useEffect(() => {
    if (!state?.ok) return;
    toast.success(state.message ?? "Importação desfeita.");
    const close = () => setOpen(false);
    close();
    callback.current({ importId: state.data.importId, undoneAt: state.data.undoneAt, outcome: state.data.outcome });
  }, [state]);

  return (
    <AlertDialog open={open} onOpenChange={setOpen}>
      <AlertDialogTrigger asChild>
        <Button variant={variant} size={size} className={variant === "outline" ? "text-destructive" : undefined}>
          <Undo2Icon aria-hidden="true" />
          Desfazer importação
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <form action={dispatch} className="grid gap-4">
          <input type="hidden" name="id" value={importId} />
          <AlertDialogHeader>
            <AlertDialogTitle className="break-words">Desfazer a importação de {fileName}?</AlertDialogTitle>
            <AlertDialogDescription className="text-base font-medium text-foreground">
              {undoConfirmText(created, updated)}
            </AlertDialogDescription>
          </AlertDialogHeader>
          <ul className="grid list-disc gap-1.5 pl-5 text-sm text-muted-foreground">
            <li>
              Ficam na base, e são contados: contatos que receberam campanha, trocaram mensagens, mudaram de opt-in ou
              foram editados depois da importação.
            </li>
            <li>Ninguém sai do descadastro nem ganha opt-in: onde voltar atrás faria isso, o opt-in de agora fica.</li>
            <li>Etiquetas criadas pela importação que ficarem sem contatos são removidas.</li>
            <li>Não dá para refazer: para ter os contatos de volta, importe o arquivo de novo.</li>
          </ul>
          <FormMessage state={state && !state.ok ? state : null} />
          <AlertDialogFooter>
            <AlertDialogCancel type="button">Cancelar</AlertDialogCancel>
            <Button type="submit" variant="destructive" disabled={pending}>
              {pending ? "Desfazendo…" : "Desfazer importação"}
            </Button>
          </AlertDialogFooter>
        </form>
      </AlertDialogContent>
    </AlertDialog>
  );
}

/** What the undo did, line by line: removed and restored first, then what stayed and why. */
export function UndoOutcomeList({ outcome, className }: { outcome: UndoOutcome; className?: string }) {
  return (
    <ul className={cn("grid gap-2 text-sm", className)} aria-label="O que o desfazer fez">
      {describeUndo(outcome).map((line) => (
        <li key={line.text} className="flex items-start gap-2">
          {line.kind === "done" ? (
            <CircleCheckIcon className="mt-0.5 size-4 shrink-0 text-success" aria-hidden="true" />
          ) : (
            <ShieldCheckIcon className="mt-0.5 size-4 shrink-0 text-muted-foreground" aria-hidden="true" />
          )}
          <span>{line.text}</span>
        </li>
      ))}
    </ul>
  );
}
