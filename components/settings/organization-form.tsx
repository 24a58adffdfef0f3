"use client";

import { useActionState, useEffect, useRef, useState } from "react";
import { DiffIcon, SaveIcon } from "lucide-react";
import { adjustPackageBalance, saveOrganization } from "@/app/(app)/configuracoes/actions";
import { ActionForm } from "@/components/ui/action-form";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField, FormMessage } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { FREQUENCY_CAP_LIMITS, SUGGESTED_FREQUENCY_CAP } from "@/lib/frequency-cap";
import { MAX_PACKAGE_ADJUSTMENT, REASON_MAX_LENGTH } from "@/lib/ledger-limits";
import type { SettingsCard } from "@/lib/organizations";

type FieldErrors = Record<string, string[]> | undefined;

// "0.0400" → "0,04", "0.3125" → "0,3125": a price as a person types it.
const decimal = (v: string) => {
  const [int, dec = ""] = v.split(".");
  return `${int},${dec.replace(/0+$/, "").padEnd(2, "0")}`;
};

const count = (n: number) => new Intl.NumberFormat("pt-BR").format(n);

/**
 * One card of the settings: its own form and save button. `loaded` is what its fields showed when the page was
 * rendered; the server writes only the fields that differ from it, so a card never puts back a value someone else
 * changed meanwhile (and no card posts the package balance).
 */
function SettingsCardForm({
  card,
  loaded,
  canEdit,
  title,
  description,
  children,
}: {
  card: SettingsCard;
  loaded: Record<string, string | undefined>;
  canEdit: boolean;
  title: string;
  description: React.ReactNode;
  children: (errors: FieldErrors) => React.ReactNode;
}) {
  const [state, action, pending] = useActionState(saveOrganization, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <Card>
      <ActionForm action={action} noValidate aria-label={title} className="grid gap-6">
        <input type="hidden" name="card" value={card} />
        <input type="hidden" name="loaded" value={JSON.stringify(loaded)} />
        <CardHeader>
          <CardTitle>{title}</CardTitle>
          <CardDescription>{description}</CardDescription>
        </CardHeader>
        <fieldset disabled={!canEdit || pending} className="contents">
          <CardContent className="grid gap-4">{children(errors)}</CardContent>
        </fieldset>
        {canEdit ? (
          <CardFooter className="flex-wrap justify-end gap-3 border-t pt-6">
            <FormMessage state={state} className="flex-1 basis-64" />
            <Button type="submit" disabled={pending}>
              <SaveIcon aria-hidden="true" />
              {pending ? "Salvando…" : "Salvar"}
            </Button>
          </CardFooter>
        ) : null}
      </ActionForm>
    </Card>
  );
}

export function OrganizationCard({
  values,
  timeZones,
  canEdit,
}: {
  values: { name: string; timeZone: string };
  timeZones: { value: string; label: string }[];
  canEdit: boolean;
}) {
  return (
    <SettingsCardForm
      card="organization"
      loaded={values}
      canEdit={canEdit}
      title="Organização"
      description="Nome e fuso horário usados em agendamentos e relatórios."
    >
      {(e) => (
        <div className="grid items-start gap-4 sm:grid-cols-2">
          <FormField label="Nome" htmlFor="name" error={e?.name}>
            <Input id="name" name="name" defaultValue={values.name} maxLength={120} autoComplete="organization" />
          </FormField>
          <FormField label="Fuso horário" htmlFor="timeZone" error={e?.timeZone}>
            <NativeSelect id="timeZone" name="timeZone" defaultValue={values.timeZone} className="w-full">
              {timeZones.map((tz) => (
                <NativeSelectOption key={tz.value} value={tz.value}>
                  {tz.label}
                </NativeSelectOption>
              ))}
            </NativeSelect>
          </FormField>
        </div>
      )}
    </SettingsCardForm>
  );
}

export function PricesCard({
  values,
  canEdit,
}: {
  values: { priceMarketing: string; priceUtility: string; priceAuthentication: string };
  canEdit: boolean;
}) {
  const loaded = {
    priceMarketing: decimal(values.priceMarketing),
    priceUtility: decimal(values.priceUtility),
    priceAuthentication: decimal(values.priceAuthentication),
  };
  const fields = [
    ["priceMarketing", "Marketing"],
    ["priceUtility", "Utilidade"],
    ["priceAuthentication", "Autenticação"],
  ] as const;
  return (
    <SettingsCardForm
      card="prices"
      loaded={loaded}
      canEdit={canEdit}
      title="Preço por mensagem (R$)"
      description="A Meta cobra por mensagem entregue, conforme a categoria do template. Usado na estimativa de custo das campanhas."
    >
      {(e) => (
        <div className="grid items-start gap-4 sm:grid-cols-3">
          {fields.map(([key, label]) => (
            <FormField key={key} label={label} htmlFor={key} error={e?.[key]}>
              <Input id={key} name={key} inputMode="decimal" defaultValue={loaded[key]} />
            </FormField>
          ))}
        </div>
      )}
    </SettingsCardForm>
  );
}

export function AutoIncreaseCard({ autoIncreaseSize, canEdit }: { autoIncreaseSize: number; canEdit: boolean }) {
  return (
    <SettingsCardForm
      card="package"
      loaded={{ autoIncreaseSize: String(autoIncreaseSize) }}
      canEdit={canEdit}
      title="Aumento automático"
      description="Quando o pacote acaba durante uma campanha cujo envio autorizou o aumento automático (na confirmação), ele cresce por este tamanho e o aumento aparece no extrato."
    >
      {(e) => (
        <div className="grid items-start gap-4 sm:grid-cols-2">
          <FormField
            label="Tamanho do aumento (mensagens)"
            htmlFor="autoIncreaseSize"
            error={e?.autoIncreaseSize}
            hint="De 100 a 10.000.000 mensagens."
          >
            <Input id="autoIncreaseSize" name="autoIncreaseSize" type="number" min={100} max={10_000_000} step={1} defaultValue={autoIncreaseSize} />
          </FormField>
        </div>
      )}
    </SettingsCardForm>
  );
}

export function FrequencyCapCard({
  values,
  canEdit,
}: {
  values: { frequencyCapMessages: number | null; frequencyCapDays: number | null };
  canEdit: boolean;
}) {
  const enabled = values.frequencyCapMessages !== null && values.frequencyCapDays !== null;
  const [capOn, setCapOn] = useState(enabled);
  const { messages: capN, days: capD } = FREQUENCY_CAP_LIMITS;
  const shown = {
    messages: String(values.frequencyCapMessages ?? SUGGESTED_FREQUENCY_CAP.messages),
    days: String(values.frequencyCapDays ?? SUGGESTED_FREQUENCY_CAP.days),
  };
  const loaded = { frequencyCapEnabled: enabled ? "on" : undefined, frequencyCapMessages: shown.messages, frequencyCapDays: shown.days };
  return (
    <SettingsCardForm
      card="frequencyCap"
      loaded={loaded}
      canEdit={canEdit}
      title="Limite de frequência"
      description="Evita cansar os contatos: quem já recebeu o máximo de mensagens de marketing no período fica fora das próximas campanhas de marketing (motivo “Limite de frequência” na confirmação)."
    >
      {(e) => {
        const capErrors = [...(e?.frequencyCapMessages ?? []), ...(e?.frequencyCapDays ?? [])];
        return (
          <>
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
                  defaultValue={shown.messages}
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
                  defaultValue={shown.days}
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
          </>
        );
      }}
    </SettingsCardForm>
  );
}

/** An admin adds or removes messages by hand, with the reason the statement shows. */
export function PackageAdjustmentForm() {
  const [state, action, pending] = useActionState(adjustPackageBalance, null);
  const e = state && !state.ok ? state.fieldErrors : undefined;
  const box = useRef<HTMLDivElement>(null);
  // Recorded: empty the fields for the next adjustment (ActionForm keeps them after an answer with errors).
  useEffect(() => {
    if (state?.ok) box.current?.querySelector("form")?.reset();
  }, [state]);
  return (
    <div ref={box}>
      <ActionForm action={action} noValidate aria-label="Ajuste manual do saldo" className="grid gap-4 rounded-lg border p-4">
        <div className="grid gap-1">
          <h3 className="text-sm font-semibold">Ajuste manual</h3>
          <p className="text-sm text-muted-foreground">
            Para corrigir o saldo ou lançar um pacote comprado fora do Disparo. Fica no extrato com o motivo e quem fez.
          </p>
        </div>
        <fieldset disabled={pending} className="grid items-start gap-4 sm:grid-cols-[12rem_1fr]">
          <FormField
            label="Mensagens"
            htmlFor="adjustAmount"
            error={e?.amount}
            hint={`Positivo soma, negativo retira (até ${count(MAX_PACKAGE_ADJUSTMENT)}).`}
          >
            <Input id="adjustAmount" name="amount" inputMode="text" autoComplete="off" placeholder="ex.: 5000 ou -200" />
          </FormField>
          <FormField label="Motivo" htmlFor="adjustReason" error={e?.reason} hint="Aparece no extrato.">
            <Input
              id="adjustReason"
              name="reason"
              maxLength={REASON_MAX_LENGTH}
              autoComplete="off"
              placeholder="ex.: Pacote adicional comprado em 10/05 (NF 1234)"
            />
          </FormField>
        </fieldset>
        <div className="flex flex-wrap items-center justify-end gap-3">
          <FormMessage state={state} className="flex-1 basis-64" />
          <Button type="submit" variant="outline" disabled={pending}>
            <DiffIcon aria-hidden="true" />
            {pending ? "Registrando…" : "Registrar ajuste"}
          </Button>
        </div>
      </ActionForm>
    </div>
  );
}
