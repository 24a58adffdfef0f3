"use client";

import { useActionState, useState } from "react";
import { SaveIcon } from "lucide-react";
import { saveOrganization } from "@/app/(app)/configuracoes/actions";
import { ActionForm } from "@/components/ui/action-form";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField, FormMessage } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { FREQUENCY_CAP_LIMITS, SUGGESTED_FREQUENCY_CAP } from "@/lib/frequency-cap";

type Values = {
  name: string;
  timeZone: string;
  priceMarketing: string;
  priceUtility: string;
  priceAuthentication: string;
  packageBalance: number;
  autoIncreaseSize: number;
  /** Both null: no frequency cap. */
  frequencyCapMessages: number | null;
  frequencyCapDays: number | null;
};

const decimal = (v: string) => v.replace(".", ",");

export function OrganizationForm({ values, timeZones, canEdit }: { values: Values; timeZones: string[]; canEdit: boolean }) {
  const [state, action, pending] = useActionState(saveOrganization, null);
  const e = state && !state.ok ? state.fieldErrors : undefined;
  const [capOn, setCapOn] = useState(values.frequencyCapMessages !== null && values.frequencyCapDays !== null);
  const { messages: capN, days: capD } = FREQUENCY_CAP_LIMITS;
  const capErrors = [...(e?.frequencyCapMessages ?? []), ...(e?.frequencyCapDays ?? [])];
  return (
    <ActionForm action={action} noValidate>
      <fieldset disabled={!canEdit || pending} className="grid gap-6">
        <FormMessage state={state} />
        <Card>
          <CardHeader>
            <CardTitle>Organização</CardTitle>
            <CardDescription>Nome e fuso horário usados em agendamentos e relatórios.</CardDescription>
          </CardHeader>
          <CardContent className="grid gap-4 sm:grid-cols-2">
            <FormField label="Nome" htmlFor="name" error={e?.name}>
              <Input id="name" name="name" defaultValue={values.name} maxLength={200} />
            </FormField>
            <FormField label="Fuso horário" htmlFor="timeZone" error={e?.timeZone}>
              <NativeSelect id="timeZone" name="timeZone" defaultValue={values.timeZone}>
                {timeZones.map((tz) => (
                  <NativeSelectOption key={tz} value={tz}>
                    {tz.replace("America/", "").replace("_", " ")}
                  </NativeSelectOption>
                ))}
              </NativeSelect>
            </FormField>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Preço por mensagem (R$)</CardTitle>
            <CardDescription>
              A Meta cobra por mensagem entregue, conforme a categoria do template. Usado na estimativa de custo das
              campanhas.
            </CardDescription>
          </CardHeader>
          <CardContent className="grid gap-4 sm:grid-cols-3">
            <FormField label="Marketing" htmlFor="priceMarketing" error={e?.priceMarketing}>
              <Input id="priceMarketing" name="priceMarketing" inputMode="decimal" defaultValue={decimal(values.priceMarketing)} />
            </FormField>
            <FormField label="Utilidade" htmlFor="priceUtility" error={e?.priceUtility}>
              <Input id="priceUtility" name="priceUtility" inputMode="decimal" defaultValue={decimal(values.priceUtility)} />
            </FormField>
            <FormField label="Autenticação" htmlFor="priceAuthentication" error={e?.priceAuthentication}>
              <Input
                id="priceAuthentication"
                name="priceAuthentication"
                inputMode="decimal"
                defaultValue={decimal(values.priceAuthentication)}
              />
            </FormField>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Pacote de conversas</CardTitle>
            <CardDescription>
              Saldo em mensagens. Cada mensagem aceita pela API é debitada; com o consentimento da campanha, o pacote
              aumenta automaticamente pelo tamanho abaixo quando acaba.
            </CardDescription>
          </CardHeader>
          <CardContent className="grid gap-4 sm:grid-cols-2">
            <FormField label="Saldo (mensagens)" htmlFor="packageBalance" error={e?.packageBalance} hint="Ajustes manuais ficam registrados no extrato.">
              <Input id="packageBalance" name="packageBalance" type="number" min={0} defaultValue={values.packageBalance} />
            </FormField>
            <FormField label="Aumento automático (mensagens)" htmlFor="autoIncreaseSize" error={e?.autoIncreaseSize}>
              <Input id="autoIncreaseSize" name="autoIncreaseSize" type="number" min={100} defaultValue={values.autoIncreaseSize} />
            </FormField>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Limite de frequência</CardTitle>
            <CardDescription>
              Evita cansar os contatos: quem já recebeu o máximo de mensagens de marketing no período fica fora das
              próximas campanhas de marketing (motivo “Limite de frequência” na confirmação).
            </CardDescription>
          </CardHeader>
          <CardContent className="grid gap-4">
            <label className="flex items-center gap-2 text-sm font-medium">
              <input
                type="checkbox"
                name="frequencyCapEnabled"
                checked={capOn}
                onChange={(ev) => setCapOn(ev.target.checked)}
                aria-controls="frequencyCap"
                className="size-4 accent-primary"
              />
              Ativar o limite de frequência
            </label>
            {/* Disabled fields are not submitted: with the limit off the server stores no numbers. */}
            <fieldset id="frequencyCap" disabled={!capOn} className="grid gap-2 disabled:opacity-60">
              <legend className="sr-only">Limite de frequência</legend>
              <div className="flex flex-wrap items-center gap-2 text-sm">
                <span>No máximo</span>
                <Label htmlFor="frequencyCapMessages" className="sr-only">
                  Mensagens de marketing por contato
                </Label>
                <Input
                  id="frequencyCapMessages"
                  name="frequencyCapMessages"
                  type="number"
                  min={capN.min}
                  max={capN.max}
                  className="w-20"
                  aria-invalid={e?.frequencyCapMessages ? true : undefined}
                  aria-describedby="frequencyCap-hint"
                  defaultValue={values.frequencyCapMessages ?? SUGGESTED_FREQUENCY_CAP.messages}
                />
                <span>mensagens de marketing por contato em</span>
                <Label htmlFor="frequencyCapDays" className="sr-only">
                  Período em dias
                </Label>
                <Input
                  id="frequencyCapDays"
                  name="frequencyCapDays"
                  type="number"
                  min={capD.min}
                  max={capD.max}
                  className="w-20"
                  aria-invalid={e?.frequencyCapDays ? true : undefined}
                  aria-describedby="frequencyCap-hint"
                  defaultValue={values.frequencyCapDays ?? SUGGESTED_FREQUENCY_CAP.days}
                />
                <span>dias</span>
              </div>
              <p id="frequencyCap-hint" className="text-sm text-muted-foreground">
                Sugestão: {SUGGESTED_FREQUENCY_CAP.messages} mensagens em {SUGGESTED_FREQUENCY_CAP.days} dias. De {capN.min} a{" "}
                {capN.max} mensagens, em {capD.min} a {capD.max} dias. Templates de utilidade e autenticação não contam.
              </p>
              {capErrors.length ? (
                <p role="alert" className="text-sm font-medium text-destructive">
                  {capErrors.join(" ")}
                </p>
              ) : null}
            </fieldset>
          </CardContent>
          {canEdit ? (
            <CardFooter className="justify-end">
              <Button type="submit">
                <SaveIcon aria-hidden="true" />
                {pending ? "Salvando…" : "Salvar"}
              </Button>
            </CardFooter>
          ) : null}
        </Card>
      </fieldset>
    </ActionForm>
  );
}
