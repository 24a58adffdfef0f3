"use client";

import { useState, useTransition } from "react";
import { PencilIcon, PlusIcon, Trash2Icon } from "lucide-react";
import { deleteTagAction, deleteWalletAction, saveTagAction, saveWalletAction } from "@/app/(app)/contatos/actions";
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
import { ActionForm } from "@/components/ui/action-form";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { FormField, FormMessage } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { toast } from "@/components/ui/toast";
import { useDialogAction } from "@/components/ui/use-dialog-action";

const fmt = (n: number) => new Intl.NumberFormat("pt-BR").format(n);

export function TagDialog({ tag }: { tag?: { id: number; name: string; color: string } }) {
  const { open, setOpen, dispatch: action, pending, fieldErrors: e, formError } = useDialogAction(saveTagAction);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        {tag ? (
          <Button variant="ghost" size="sm" aria-label={`Editar etiqueta ${tag.name}`}>
            <PencilIcon aria-hidden="true" />
          </Button>
        ) : (
          <Button size="sm">
            <PlusIcon aria-hidden="true" />
            Nova etiqueta
          </Button>
        )}
      </DialogTrigger>
      <DialogContent>
        <ActionForm action={action} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>{tag ? `Editar ${tag.name}` : "Nova etiqueta"}</DialogTitle>
          </DialogHeader>
          <FormMessage state={formError} />
          {tag ? <input type="hidden" name="id" value={tag.id} /> : null}
          <FormField label="Nome" htmlFor="tag-name" error={e?.name}>
            <Input id="tag-name" name="name" defaultValue={tag?.name} maxLength={60} />
          </FormField>
          <FormField label="Cor" htmlFor="tag-color" error={e?.color}>
            <Input id="tag-color" name="color" type="color" defaultValue={tag?.color ?? "#0f766e"} className="h-10 w-20 p-1" />
          </FormField>
          <DialogFooter>
            <Button type="submit" disabled={pending}>
              {pending ? "Salvando…" : "Salvar"}
            </Button>
          </DialogFooter>
        </ActionForm>
      </DialogContent>
    </Dialog>
  );
}

export function WalletDialog({
  wallet,
  users,
}: {
  wallet?: { id: number; name: string; ownerUserId: string | null };
  users: { id: string; name: string }[];
}) {
  const { open, setOpen, dispatch: action, pending, fieldErrors: e, formError } = useDialogAction(saveWalletAction);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        {wallet ? (
          <Button variant="ghost" size="sm" aria-label={`Editar carteira ${wallet.name}`}>
            <PencilIcon aria-hidden="true" />
          </Button>
        ) : (
          <Button size="sm">
            <PlusIcon aria-hidden="true" />
            Nova carteira
          </Button>
        )}
      </DialogTrigger>
      <DialogContent>
        <ActionForm action={action} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>{wallet ? `Editar ${wallet.name}` : "Nova carteira"}</DialogTitle>
          </DialogHeader>
          <FormMessage state={formError} />
          {wallet ? <input type="hidden" name="id" value={wallet.id} /> : null}
          <FormField label="Nome" htmlFor="wallet-name" error={e?.name}>
            <Input id="wallet-name" name="name" defaultValue={wallet?.name} maxLength={60} />
          </FormField>
          <FormField label="Responsável" htmlFor="wallet-owner" error={e?.ownerUserId}>
            <NativeSelect id="wallet-owner" name="ownerUserId" defaultValue={wallet?.ownerUserId ?? ""}>
              <NativeSelectOption value="">Sem responsável</NativeSelectOption>
              {users.map((u) => (
                <NativeSelectOption key={u.id} value={u.id}>
                  {u.name}
                </NativeSelectOption>
              ))}
            </NativeSelect>
          </FormField>
          <DialogFooter>
            <Button type="submit" disabled={pending}>
              {pending ? "Salvando…" : "Salvar"}
            </Button>
          </DialogFooter>
        </ActionForm>
      </DialogContent>
    </Dialog>
  );
}

export function DeleteLabel({ kind, id, name, contacts }: { kind: "tag" | "wallet"; id: number; name: string; contacts: number }) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const what = kind === "tag" ? "etiqueta" : "carteira";
  // Called directly (not through useActionState): on success the row, and this component, disappear.
  const remove = () =>
    startTransition(async () => {
      const result = await (kind === "tag" ? deleteTagAction : deleteWalletAction)(null, { id });
      if (result.ok) toast.success(result.message ?? "Apagado.");
      else setError(result.message);
    });
  return (
    <AlertDialog>
      <AlertDialogTrigger asChild>
        <Button variant="ghost" size="sm" aria-label={`Apagar ${what} ${name}`} className="text-destructive">
          <Trash2Icon aria-hidden="true" />
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>
            Apagar a {what} “{name}”?
          </AlertDialogTitle>
          <AlertDialogDescription>
            {contacts === 0
              ? `Nenhum contato usa esta ${what}.`
              : kind === "tag"
                ? `Ela será retirada de ${fmt(contacts)} contato${contacts === 1 ? "" : "s"}. Listas de público que filtram por ela deixam de considerá-la.`
                : `${fmt(contacts)} contato${contacts === 1 ? "" : "s"} ficarão sem carteira.`}
          </AlertDialogDescription>
        </AlertDialogHeader>
        <FormMessage state={error ? { ok: false, message: error } : null} />
        <AlertDialogFooter>
          <AlertDialogCancel type="button">Cancelar</AlertDialogCancel>
          <Button type="button" variant="destructive" disabled={pending} onClick={remove}>
            {pending ? "Apagando…" : "Apagar"}
          </Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
