"use client";

import { useActionState } from "react";
import { SaveIcon } from "lucide-react";
import { saveOrganization } from "@/app/(app)/configuracoes/actions";
import { ActionForm } from "@/components/ui/action-form";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField, FormMessage } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";

type Values = {
  name: string;
  timeZone: string;
  priceMarketing: string;
  priceUtility: string;
  priceAuthentication: string;
  packageBalance: number;
  autoIncreaseSize: number;
};

const decimal = (v: string) => v.replace(".", ",");

export function OrganizationForm({ values, timeZones, canEdit }: { values: Values; timeZones: string[]; canEdit: boolean }) {
  const [state, action, pending] = useActionState(saveOrganization, null);
  const e = state && !state.ok ? state.fieldErrors : undefined;
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
