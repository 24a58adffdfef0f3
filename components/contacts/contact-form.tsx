"use client";

import { useActionState, useEffect, useState } from "react";
import { SaveIcon } from "lucide-react";
import { createContactAction, updateContactAction } from "@/app/(app)/contatos/actions";
import { TagPicker, type TagOption } from "@/components/contacts/tag-picker";
import { ActionForm } from "@/components/ui/action-form";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField, FormMessage } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { Textarea } from "@/components/ui/textarea";
import { toast } from "@/components/ui/toast";
import { OPT_IN_REASON_MAX, UFS } from "@/lib/contacts/schemas";
import { optInLabels } from "@/lib/i18n/labels";

type Values = {
  id?: number;
  name: string;
  phone: string;
  city: string | null;
  state: string | null;
  walletId: number | null;
  tagIds: number[];
  optInStatus: keyof typeof optInLabels;
};

type OptInStatus = keyof typeof optInLabels;

/**
 * The opt-in choice. On an edit it posts the status it showed (`loadedOptInStatus`) beside the chosen one, so the
 * server writes the opt-in only when the user changed it. Leaving an opt-out is offered to gestores and admins only,
 * with a reason; the server enforces both (lib/contacts/consent.ts).
 */
function OptInField({
  loaded,
  canLeaveOptOut,
  errors,
}: {
  loaded: OptInStatus | null;
  canLeaveOptOut: boolean;
  errors?: Record<string, string[]>;
}) {
  const [chosen, setChosen] = useState<OptInStatus>(loaded ?? "none");
  const locked = loaded === "opted_out" && !canLeaveOptOut;
  const leaving = loaded === "opted_out" && chosen !== "opted_out";
  return (
    <>
      {loaded ? <input type="hidden" name="loadedOptInStatus" value={loaded} /> : null}
      {locked ? <input type="hidden" name="optInStatus" value="opted_out" /> : null}
      <FormField
        label="Opt-in"
        htmlFor="optInStatus"
        error={errors?.optInStatus ?? errors?.loadedOptInStatus}
        hint={
          locked
            ? "Este contato pediu para sair. Só um gestor ou administrador pode tirá-lo do descadastro, informando o motivo."
            : "Só contatos com opt-in recebem campanhas. Toda mudança fica no histórico."
        }
      >
        <NativeSelect
          id="optInStatus"
          name={locked ? undefined : "optInStatus"}
          value={chosen}
          onChange={(ev) => setChosen(ev.target.value as OptInStatus)}
          disabled={locked}
        >
          {Object.entries(optInLabels).map(([value, label]) => (
            <NativeSelectOption key={value} value={value}>
              {label}
            </NativeSelectOption>
          ))}
        </NativeSelect>
      </FormField>
      {leaving ? (
        <FormField
          label="Motivo para tirar do descadastro"
          htmlFor="optInReason"
          error={errors?.optInReason}
          hint="Por exemplo, como e quando o contato pediu para voltar. Fica no histórico, com o seu nome."
          required
          className="sm:col-span-2"
        >
          <Textarea id="optInReason" name="optInReason" maxLength={OPT_IN_REASON_MAX} rows={2} />
        </FormField>
      ) : null}
    </>
  );
}

export function ContactForm({
  values,
  tags,
  wallets,
  canLeaveOptOut = false,
  phoneOptional = false,
}: {
  values?: Values;
  /** The contact wrote in by WhatsApp username only: it may stay without a phone. */
  phoneOptional?: boolean;
  /** The organization's etiquetas, with how many contacts carry each when known. */
  tags: TagOption[];
  wallets: { id: number; name: string }[];
  /** The viewer may take a contact out of the opt-out (gestor or admin). */
  canLeaveOptOut?: boolean;
}) {
  const [state, action, pending] = useActionState(values?.id ? updateContactAction : createContactAction, null);
  const e = state && !state.ok ? state.fieldErrors : undefined;
  useEffect(() => {
    if (state?.ok) toast.success(state.message ?? "Salvo.");
  }, [state]);
  return (
    <ActionForm action={action} noValidate>
      {values?.id ? <input type="hidden" name="id" value={values.id} /> : null}
      <Card>
        <CardHeader>
          <CardTitle>{values?.id ? "Dados do contato" : "Novo contato"}</CardTitle>
        </CardHeader>
        <CardContent className="grid gap-4">
          <FormMessage state={state && !state.ok && !state.fieldErrors ? state : null} />
          <div className="grid items-start gap-4 sm:grid-cols-2">
            <FormField label="Nome" htmlFor="name" error={e?.name} required>
              <Input id="name" name="name" defaultValue={values?.name} maxLength={200} />
            </FormField>
            <FormField
              label="Telefone (WhatsApp)"
              htmlFor="phone"
              error={e?.phone}
              hint={phoneOptional ? "Opcional: este contato escreveu por nome de usuário. Com DDD, por exemplo (11) 98765-4321." : "Com DDD, por exemplo (11) 98765-4321."}
              required={!phoneOptional}
            >
              <Input id="phone" name="phone" defaultValue={values?.phone} inputMode="tel" maxLength={60} />
            </FormField>
            <FormField label="Cidade" htmlFor="city" error={e?.city}>
              <Input id="city" name="city" defaultValue={values?.city ?? ""} maxLength={120} />
            </FormField>
            <FormField label="UF" htmlFor="state" error={e?.state}>
              <NativeSelect id="state" name="state" defaultValue={values?.state ?? ""}>
                <NativeSelectOption value="">—</NativeSelectOption>
                {UFS.map((uf) => (
                  <NativeSelectOption key={uf} value={uf}>
                    {uf}
                  </NativeSelectOption>
                ))}
              </NativeSelect>
            </FormField>
            <FormField label="Carteira" htmlFor="walletId" error={e?.walletId}>
              <NativeSelect id="walletId" name="walletId" defaultValue={values?.walletId ?? ""}>
                <NativeSelectOption value="">Sem carteira</NativeSelectOption>
                {wallets.map((w) => (
                  <NativeSelectOption key={w.id} value={w.id}>
                    {w.name}
                  </NativeSelectOption>
                ))}
              </NativeSelect>
            </FormField>
            <OptInField
              // Remounted when the saved status changes (an opt-out that arrived meanwhile): the choice shown and the
              // status posted as loaded always agree.
              key={values?.optInStatus ?? "new"}
              loaded={values?.id ? values.optInStatus : null}
              canLeaveOptOut={canLeaveOptOut}
              errors={e}
            />
          </div>
          <TagPicker tags={tags} defaultValue={values?.tagIds} error={e?.tagIds} />
        </CardContent>
        <CardFooter className="justify-end">
          <Button type="submit" disabled={pending}>
            <SaveIcon aria-hidden="true" />
            {pending ? "Salvando…" : values?.id ? "Salvar" : "Cadastrar contato"}
          </Button>
        </CardFooter>
      </Card>
    </ActionForm>
  );
}
