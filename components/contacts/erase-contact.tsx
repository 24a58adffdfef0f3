"use client";

import { useActionState } from "react";
import { Trash2Icon } from "lucide-react";
import { eraseContactAction } from "@/app/(app)/contatos/actions";
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

export function EraseContact({ id, name }: { id: number; name: string }) {
  const [state, action, pending] = useActionState(eraseContactAction, null);
  return (
    <AlertDialog>
      <AlertDialogTrigger asChild>
        <Button variant="outline" className="text-destructive">
          <Trash2Icon aria-hidden="true" />
          Apagar dados (LGPD)
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <form action={action} className="grid gap-4">
          <input type="hidden" name="id" value={id} />
          <AlertDialogHeader>
            <AlertDialogTitle>Apagar os dados de {name}?</AlertDialogTitle>
            <AlertDialogDescription>
              Nome, telefone, etiquetas, mensagens recebidas e registros em chips são apagados de vez. As estatísticas das
              campanhas continuam, sem identificar a pessoa. Não dá para desfazer.
            </AlertDialogDescription>
          </AlertDialogHeader>
          <FormMessage state={state} />
          <AlertDialogFooter>
            <AlertDialogCancel type="button">Cancelar</AlertDialogCancel>
            <Button type="submit" variant="destructive" disabled={pending}>
              {pending ? "Apagando…" : "Apagar definitivamente"}
            </Button>
          </AlertDialogFooter>
        </form>
      </AlertDialogContent>
    </AlertDialog>
  );
}
