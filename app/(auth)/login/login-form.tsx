"use client";

import { useActionState } from "react";
import { LogInIcon } from "lucide-react";
import { ActionForm } from "@/components/ui/action-form";
import { Button } from "@/components/ui/button";
import { FormField, FormMessage } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { login } from "./actions";

export function LoginForm({ next }: { next?: string }) {
  const [state, action, pending] = useActionState(login, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <ActionForm action={action} className="grid gap-5" noValidate>
      <FormMessage state={state && !state.ok && !state.fieldErrors ? state : null} />
      <input type="hidden" name="next" value={next ?? ""} />
      <FormField label="E-mail" htmlFor="email" error={errors?.email}>
        <Input id="email" name="email" type="email" autoComplete="username" placeholder="voce@empresa.com.br" maxLength={300} autoFocus required />
      </FormField>
      <FormField label="Senha" htmlFor="password" error={errors?.password}>
        <Input id="password" name="password" type="password" autoComplete="current-password" required />
      </FormField>
      <Button type="submit" size="lg" disabled={pending} className="w-full">
        <LogInIcon aria-hidden="true" />
        {pending ? "Entrando…" : "Entrar"}
      </Button>
    </ActionForm>
  );
}
