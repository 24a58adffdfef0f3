"use client";

import { useTransition } from "react";
import { PencilIcon, PlugZapIcon, PlusIcon, PowerIcon } from "lucide-react";
import { saveChipAction, setChipStatusAction, testChipAction } from "@/app/(app)/configuracoes/chips/actions";
import { ActionForm } from "@/components/ui/action-form";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { FormField, FormMessage } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { toast } from "@/components/ui/toast";
import { useDialogAction } from "@/components/ui/use-dialog-action";

type Chip = {
  id: number;
  name: string;
  displayNumber: string;
  phoneNumberId: string;
  wabaId: string;
  messagesPerSecond: number;
  messagingLimitTier: string;
  status: string;
};

export function ChipDialog({ chip, tiers }: { chip?: Chip; tiers: { value: string; label: string }[] }) {
  const { open, setOpen, dispatch, pending, fieldErrors: e, formError } = useDialogAction(saveChipAction);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        {chip ? (
          <Button variant="ghost" size="sm" aria-label={`Editar ${chip.name}`}>
            <PencilIcon aria-hidden="true" />
            Editar
          </Button>
        ) : (
          <Button>
            <PlusIcon aria-hidden="true" />
            Novo chip
          </Button>
        )}
      </DialogTrigger>
      <DialogContent className="sm:max-w-xl">
        <ActionForm action={dispatch} className="grid gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>{chip ? `Editar ${chip.name}` : "Novo chip"}</DialogTitle>
            <DialogDescription>
              Os dados ficam em Gerenciador do WhatsApp › Configuração da API. Ao salvar, o Disparo confirma com a Meta
              que o número pertence à conta (WABA) e ao token informados. O token é guardado criptografado e nunca é
              exibido de novo.
            </DialogDescription>
          </DialogHeader>
          <FormMessage state={formError} />
          {chip ? <input type="hidden" name="id" value={chip.id} /> : null}
          <div className="grid items-start gap-4 sm:grid-cols-2">
            <FormField label="Nome" htmlFor="chip-name" error={e?.name}>
              <Input id="chip-name" name="name" defaultValue={chip?.name} placeholder="Vendas" maxLength={120} />
            </FormField>
            <FormField label="Número" htmlFor="chip-number" error={e?.displayNumber}>
              <Input id="chip-number" name="displayNumber" defaultValue={chip?.displayNumber} placeholder="+55 11 4000-1000" maxLength={60} />
            </FormField>
            <FormField label="Identificação do número de telefone (Phone number ID)" htmlFor="chip-pnid" error={e?.phoneNumberId}>
              <Input id="chip-pnid" name="phoneNumberId" defaultValue={chip?.phoneNumberId} inputMode="numeric" maxLength={40} />
            </FormField>
            <FormField label="ID da conta (WABA)" htmlFor="chip-waba" error={e?.wabaId}>
              <Input id="chip-waba" name="wabaId" defaultValue={chip?.wabaId} inputMode="numeric" maxLength={40} />
            </FormField>
            <FormField label="Mensagens por segundo" htmlFor="chip-mps" error={e?.messagesPerSecond} hint="Padrão da Meta: 80; números maiores chegam a 1.000.">
              <Input id="chip-mps" name="messagesPerSecond" type="number" min={1} max={1000} defaultValue={chip?.messagesPerSecond ?? 80} />
            </FormField>
            <FormField label="Limite diário" htmlFor="chip-tier" error={e?.messagingLimitTier}>
              <NativeSelect id="chip-tier" name="messagingLimitTier" defaultValue={chip?.messagingLimitTier ?? "TIER_1K"}>
                {tiers.map((t) => (
                  <NativeSelectOption key={t.value} value={t.value}>
                    {t.label}
                  </NativeSelectOption>
                ))}
              </NativeSelect>
            </FormField>
          </div>
          <FormField
            label="Token de acesso"
            htmlFor="chip-token"
            error={e?.accessToken}
            hint={
              chip
                ? "Deixe em branco para manter o token atual (mudar o número ou a conta confirma de novo com ele)."
                : "Token permanente de um usuário do sistema, com as permissões whatsapp_business_management e whatsapp_business_messaging."
            }
          >
            <Input id="chip-token" name="accessToken" type="password" autoComplete="off" maxLength={2000} />
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

export function ChipRowActions({ chip }: { chip: { id: number; name: string; status: string } }) {
  const [testing, startTest] = useTransition();
  const [toggling, startToggle] = useTransition();
  const test = () =>
    startTest(async () => {
      const r = await testChipAction(null, { id: chip.id });
      if (r.ok) toast.success(r.message ?? "Conexão OK.");
      else toast.error(r.message, { duration: 10_000 });
    });
  const toggle = () =>
    startToggle(async () => {
      const r = await setChipStatusAction(null, { id: chip.id, status: chip.status === "active" ? "disabled" : "active" });
      if (r.ok) toast.success(r.message ?? "Feito.");
      else toast.error(r.message);
    });
  return (
    <>
      <Button variant="ghost" size="sm" onClick={test} disabled={testing} aria-label={`Testar conexão de ${chip.name}`}>
        <PlugZapIcon aria-hidden="true" />
        {testing ? "Testando…" : "Testar conexão"}
      </Button>
      <Button variant="ghost" size="sm" onClick={toggle} disabled={toggling}>
        <PowerIcon aria-hidden="true" />
        {chip.status === "active" ? "Desativar" : "Ativar"}
      </Button>
    </>
  );
}
