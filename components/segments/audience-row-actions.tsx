"use client";

import Link from "next/link";
import { useState, useTransition } from "react";
import { CopyIcon, PencilIcon, Trash2Icon } from "lucide-react";
import { deleteAudienceAction, duplicateAudienceAction } from "@/app/(app)/segmentacao/actions";
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

export function AudienceRowActions({ id, name, canDelete }: { id: number; name: string; canDelete: boolean }) {
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const duplicate = () =>
    start(async () => {
      const r = await duplicateAudienceAction(null, { id });
      if (r.ok) toast.success(r.message ?? "Lista duplicada.");
      else toast.error(r.message);
    });
  const remove = () =>
    start(async () => {
      const r = await deleteAudienceAction(null, { id });
      if (r.ok) toast.success(r.message ?? "Lista apagada.");
      else setError(r.message);
    });
  return (
    <div className="flex justify-end gap-1">
      <Button asChild variant="ghost" size="sm">
        <Link href={`/segmentacao/${id}`} aria-label={`Editar ${name}`}>
          <PencilIcon aria-hidden="true" />
          Editar
        </Link>
      </Button>
      <Button variant="ghost" size="sm" onClick={duplicate} disabled={pending} aria-label={`Duplicar ${name}`}>
        <CopyIcon aria-hidden="true" />
      </Button>
      {canDelete ? (
        <AlertDialog onOpenChange={() => setError(null)}>
          <AlertDialogTrigger asChild>
            <Button variant="ghost" size="sm" className="text-destructive" aria-label={`Apagar ${name}`}>
              <Trash2Icon aria-hidden="true" />
            </Button>
          </AlertDialogTrigger>
          <AlertDialogContent>
            <AlertDialogHeader>
              <AlertDialogTitle>Apagar a lista “{name}”?</AlertDialogTitle>
              <AlertDialogDescription>
                Os contatos não são apagados. Campanhas já concluídas mantêm o relatório.
              </AlertDialogDescription>
            </AlertDialogHeader>
            <FormMessage state={error ? { ok: false, message: error } : null} />
            <AlertDialogFooter>
              <AlertDialogCancel type="button">Cancelar</AlertDialogCancel>
              <Button variant="destructive" onClick={remove} disabled={pending}>
                {pending ? "Apagando…" : "Apagar"}
              </Button>
            </AlertDialogFooter>
          </AlertDialogContent>
        </AlertDialog>
      ) : null}
    </div>
  );
}
