"use client";

import { KeyRoundIcon, PencilIcon, UserPlusIcon } from "lucide-react";
import { changeUser, inviteUser, resetUserPassword } from "@/app/(app)/configuracoes/actions";
import { ActionForm } from "@/components/ui/action-form";
import { Button } from "@/components/ui/button";
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from "@/components/ui/dialog";
import { FormField, FormMessage } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { useDialogAction } from "@/components/ui/use-dialog-action";

type Role = "admin" | "gestor" | "operador";
const roles: { value: Role; label: string; description: string }[] = [
  { value: "operador", label: "Operador", description: "contatos, listas, rascunhos e leitura de relatórios" },
  { value: "gestor", label: "Gestor", description: "também confirma, pausa e cancela campanhas e exporta relatórios" },
  { value: "admin", label: "Administrador", description: "tudo, inclusive usuários, chips e organização" },
];

function RoleSelect({ defaultValue, error }: { defaultValue: Role; error?: string[] }) {
  return (
    <FormField label="Perfil" htmlFor="role" error={error}>
      <NativeSelect id="role" name="role" defaultValue={defaultValue}>
        {roles.map((r) => (
          <NativeSelectOption key={r.value} value={r.value}>
            {r.label} — {r.description}
          </NativeSelectOption>
        ))}
      </NativeSelect>
    </FormField>
  );
}

export function NewUserDialog() {
  const { open, setOpen, dispatch: action, pending, fieldErrors: e, formError } = useDialogAction(inviteUser);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button>
          <UserPlusIcon aria-hidden="true" />
          Novo usuário
        </Button>
      </DialogTrigger>
      <DialogContent>
        <ActionForm action={action} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>Novo usuário</DialogTitle>
            <DialogDescription>Ele entra com este e-mail e a senha inicial que você definir.</DialogDescription>
          </DialogHeader>
          <FormMessage state={formError} />
          <FormField label="Nome" htmlFor="name" error={e?.name}>
            <Input id="name" name="name" maxLength={200} />
          </FormField>
          <FormField label="E-mail" htmlFor="email" error={e?.email}>
            <Input id="email" name="email" type="email" maxLength={300} />
          </FormField>
          <RoleSelect defaultValue="operador" error={e?.role} />
          <FormField label="Senha inicial" htmlFor="password" error={e?.password} hint="Pelo menos 8 caracteres.">
            <Input id="password" name="password" type="password" autoComplete="new-password" />
          </FormField>
          <DialogFooter>
            <Button type="submit" disabled={pending}>
              {pending ? "Criando…" : "Criar usuário"}
            </Button>
          </DialogFooter>
        </ActionForm>
      </DialogContent>
    </Dialog>
  );
}

export function EditUserDialog({ user }: { user: { id: string; name: string; role: Role; active: boolean } }) {
  const { open, setOpen, dispatch: action, pending, fieldErrors: e, formError } = useDialogAction(changeUser);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="ghost" size="sm" aria-label={`Editar ${user.name}`}>
          <PencilIcon aria-hidden="true" />
          Editar
        </Button>
      </DialogTrigger>
      <DialogContent>
        <ActionForm action={action} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>Editar {user.name}</DialogTitle>
            <DialogDescription>Um usuário desativado não consegue mais entrar; o histórico dele é mantido.</DialogDescription>
          </DialogHeader>
          <FormMessage state={formError} />
          <input type="hidden" name="userId" value={user.id} />
          <RoleSelect defaultValue={user.role} error={e?.role} />
          <FormField label="Situação" htmlFor="active" error={e?.active}>
            <NativeSelect id="active" name="active" defaultValue={String(user.active)}>
              <NativeSelectOption value="true">Ativo</NativeSelectOption>
              <NativeSelectOption value="false">Desativado</NativeSelectOption>
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

export function ResetPasswordDialog({ user }: { user: { id: string; name: string } }) {
  const { open, setOpen, dispatch: action, pending, fieldErrors: e, formError } = useDialogAction(resetUserPassword);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant="ghost" size="sm" aria-label={`Redefinir a senha de ${user.name}`}>
          <KeyRoundIcon aria-hidden="true" />
          Senha
        </Button>
      </DialogTrigger>
      <DialogContent>
        <ActionForm action={action} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>Redefinir a senha de {user.name}</DialogTitle>
            <DialogDescription>A senha antiga deixa de valer imediatamente.</DialogDescription>
          </DialogHeader>
          <FormMessage state={formError} />
          <input type="hidden" name="userId" value={user.id} />
          <FormField label="Nova senha" htmlFor="new-password" error={e?.password} hint="Pelo menos 8 caracteres.">
            <Input id="new-password" name="password" type="password" autoComplete="new-password" />
          </FormField>
          <DialogFooter>
            <Button type="submit" disabled={pending}>
              {pending ? "Salvando…" : "Redefinir senha"}
            </Button>
          </DialogFooter>
        </ActionForm>
      </DialogContent>
    </Dialog>
  );
}
