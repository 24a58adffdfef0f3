"use client";

import { PencilIcon, PlusIcon } from "lucide-react";
import { saveFlowAction } from "@/app/(app)/configuracoes/fluxos/actions";
import { ActionForm } from "@/components/ui/action-form";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { FormField, FormMessage } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Textarea } from "@/components/ui/textarea";
import { useDialogAction } from "@/components/ui/use-dialog-action";

type Flow = {
  id: number;
  name: string;
  description: string | null;
  active: boolean;
  entryMessage: string;
  endpointUrl: string | null;
  hasSecret: boolean;
};

// canEditEndpoint: an admin's dialog. A gestor's has no endpoint fields at all (absent = unchanged), only the
// current endpoint as text.
export function FlowDialog({ flow, canEditEndpoint }: { flow?: Flow; canEditEndpoint: boolean }) {
  const { open, setOpen, dispatch, pending, fieldErrors: e, formError } = useDialogAction(saveFlowAction);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        {flow ? (
          <Button variant="ghost" size="sm" aria-label={`Editar ${flow.name}`}>
            <PencilIcon aria-hidden="true" />
            Editar
          </Button>
        ) : (
          <Button>
            <PlusIcon aria-hidden="true" />
            Novo fluxo
          </Button>
        )}
      </DialogTrigger>
      <DialogContent className="sm:max-w-xl">
        <ActionForm action={dispatch} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>{flow ? `Editar ${flow.name}` : "Novo fluxo de chatbot"}</DialogTitle>
            <DialogDescription>
              Quem responder a uma campanha com este fluxo recebe a mensagem de entrada (a resposta abre a janela de 24
              horas) e, se houver, o seu bot externo é avisado.
            </DialogDescription>
          </DialogHeader>
          <FormMessage state={formError} />
          {flow ? <input type="hidden" name="id" value={flow.id} /> : null}
          <FormField label="Nome" htmlFor="flow-name" error={e?.name}>
            <Input id="flow-name" name="name" defaultValue={flow?.name} maxLength={120} />
          </FormField>
          <FormField label="Descrição" htmlFor="flow-description" error={e?.description}>
            <Input id="flow-description" name="description" defaultValue={flow?.description ?? ""} maxLength={400} />
          </FormField>
          <FormField label="Mensagem de entrada" htmlFor="flow-entry" error={e?.entryMessage}>
            <Textarea id="flow-entry" name="entryMessage" defaultValue={flow?.entryMessage} rows={4} maxLength={5000} />
          </FormField>
          {canEditEndpoint ? (
            <>
              <FormField
                label="Bot externo (opcional)"
                htmlFor="flow-url"
                error={e?.endpointUrl}
                hint="Recebe um POST assinado com o contato e a resposta. Use https e um endereço público (redirecionamentos não são seguidos)."
              >
                <Input id="flow-url" name="endpointUrl" defaultValue={flow?.endpointUrl ?? ""} placeholder="https://bot.suaempresa.com.br/entrada" maxLength={600} />
              </FormField>
              <FormField
                label="Segredo do bot"
                htmlFor="flow-secret"
                error={e?.endpointSecret}
                hint={flow?.hasSecret ? "Já existe um segredo guardado; deixe em branco para mantê-lo." : "Usado para assinar o POST (HMAC-SHA256)."}
              >
                <Input id="flow-secret" name="endpointSecret" type="password" autoComplete="off" maxLength={300} />
              </FormField>
            </>
          ) : (
            <div className="grid gap-1 text-sm">
              <p className="font-medium">Bot externo</p>
              <p className="text-muted-foreground">
                {flow?.endpointUrl ? <span className="font-mono">{flow.endpointUrl}</span> : "Nenhum."} Só um administrador
                pode definir ou mudar o bot externo e o segredo dele.
              </p>
            </div>
          )}
          <div className="flex flex-wrap gap-6 text-sm">
            <label className="flex items-center gap-2">
              <input type="checkbox" name="active" defaultChecked={flow?.active ?? true} className="size-4 accent-primary" />
              Ativo
            </label>
            {canEditEndpoint && flow?.hasSecret ? (
              <label className="flex items-center gap-2">
                <input type="checkbox" name="clearSecret" className="size-4 accent-primary" />
                Remover o segredo
              </label>
            ) : null}
          </div>
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
