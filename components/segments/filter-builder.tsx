"use client";

import { useActionState, useEffect, useMemo, useRef, useState } from "react";
import { LoaderCircleIcon, SaveIcon, UsersIcon } from "lucide-react";
import { saveAudienceAction } from "@/app/(app)/segmentacao/actions";
import { ActionForm } from "@/components/ui/action-form";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField, FormMessage } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { AudienceFilter } from "@/lib/segments/filter";
import { CityPicker, type CityValue } from "./city-picker";
import { MultiPicker } from "./multi-picker";

type Option = { id: number; name: string; color?: string; contacts?: number };
type OptIn = "opted_in" | "pending" | "none" | "opted_out";
type State = {
  tagsAny: number[];
  tagsAll: number[];
  tagsNone: number[];
  wallets: number[];
  periodField: "created_at" | "last_interaction_at";
  from: string;
  to: string;
  cities: CityValue[];
  states: string[];
  optIn: OptIn[];
  chips: number[];
};
type Preview = {
  count: number;
  summary: string;
  rows: { id: number; name: string; phone: string; city: string | null; state: string | null; optInStatus: OptIn }[];
};

const optInChoices: { value: OptIn; label: string }[] = [
  { value: "opted_in", label: "Com opt-in" },
  { value: "pending", label: "Aguardando confirmação" },
  { value: "none", label: "Sem opt-in" },
  { value: "opted_out", label: "Descadastrados" },
];

const fromFilter = (f?: AudienceFilter): State => ({
  tagsAny: f?.tags?.any ?? [],
  tagsAll: f?.tags?.all ?? [],
  tagsNone: f?.tags?.none ?? [],
  wallets: f?.wallets ?? [],
  periodField: f?.period?.field ?? "created_at",
  from: f?.period?.from ?? "",
  to: f?.period?.to ?? "",
  cities: f?.cities ?? [],
  states: f?.states ?? [],
  optIn: [...(f?.optIn ?? ["opted_in"])],
  chips: f?.chips ?? [],
});

// Only the conditions the user set go into the JSON; an empty builder is "everyone with opt-in".
const toFilter = (s: State) => {
  const tags = {
    ...(s.tagsAny.length ? { any: s.tagsAny } : {}),
    ...(s.tagsAll.length ? { all: s.tagsAll } : {}),
    ...(s.tagsNone.length ? { none: s.tagsNone } : {}),
  };
  return {
    version: 1,
    ...(Object.keys(tags).length ? { tags } : {}),
    ...(s.wallets.length ? { wallets: s.wallets } : {}),
    ...(s.from || s.to ? { period: { field: s.periodField, ...(s.from ? { from: s.from } : {}), ...(s.to ? { to: s.to } : {}) } } : {}),
    ...(s.cities.length ? { cities: s.cities } : {}),
    ...(s.states.length ? { states: s.states } : {}),
    optIn: s.optIn,
    ...(s.chips.length ? { chips: s.chips } : {}),
  };
};

const fmt = (n: number) => new Intl.NumberFormat("pt-BR").format(n);

export function FilterBuilder({
  audience,
  tags,
  wallets,
  chips,
  ufs,
}: {
  audience?: { id: number; name: string; filter: AudienceFilter };
  tags: Option[];
  wallets: Option[];
  chips: Option[];
  ufs: { uf: string; name: string }[];
}) {
  const [state, setState] = useState<State>(() => fromFilter(audience?.filter));
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [saveState, save, saving] = useActionState(saveAudienceAction, null);
  const filter = useMemo(() => toFilter(state), [state]);
  const filterJson = JSON.stringify(filter);
  const inFlight = useRef<AbortController | null>(null);
  const set = <K extends keyof State>(key: K) => (value: State[K]) => setState((s) => ({ ...s, [key]: value }));

  // Live count: debounced, and a newer filter aborts the request still running for the old one.
  useEffect(() => {
    const timer = setTimeout(async () => {
      inFlight.current?.abort();
      const controller = new AbortController();
      inFlight.current = controller;
      setLoading(true);
      try {
        const res = await fetch("/api/segmentacao/previa", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ filter: JSON.parse(filterJson) }),
          signal: controller.signal,
        });
        const body = await res.json();
        if (controller.signal.aborted) return;
        if (res.ok) {
          setPreview(body as Preview);
          setError(null);
        } else setError((body as { error?: string }).error ?? "Não foi possível contar agora.");
        setLoading(false);
      } catch (err) {
        if ((err as Error).name !== "AbortError") {
          setError("Sem conexão com o servidor. Tente de novo.");
          setLoading(false);
        }
      }
    }, 300);
    return () => clearTimeout(timer);
  }, [filterJson]);

  // Each etiqueta with how many contacts carry it, so a user sees what a filter is worth before choosing it.
  const tagOptions = tags.map((t) => ({ value: t.id, label: t.name, color: t.color, hint: t.contacts === undefined ? undefined : `${fmt(t.contacts)} contato${t.contacts === 1 ? "" : "s"}` }));
  const saveErrors = saveState && !saveState.ok ? saveState.fieldErrors : undefined;

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
      <Card>
        <CardHeader>
          <CardTitle>Filtros</CardTitle>
          <CardDescription>Combine as condições: o contato precisa atender a todas.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-6">
          <fieldset className="grid gap-3">
            <legend className="mb-1 text-sm font-semibold">Etiquetas</legend>
            <div className="grid items-start gap-3 sm:grid-cols-3">
              <div className="grid gap-1.5">
                <Label>Tem alguma de</Label>
                <MultiPicker label="Etiquetas: tem alguma de" options={tagOptions} value={state.tagsAny} onChange={set("tagsAny")} />
              </div>
              <div className="grid gap-1.5">
                <Label>Tem todas</Label>
                <MultiPicker label="Etiquetas: tem todas" options={tagOptions} value={state.tagsAll} onChange={set("tagsAll")} />
              </div>
              <div className="grid gap-1.5">
                <Label>Não tem nenhuma de</Label>
                <MultiPicker label="Etiquetas: não tem nenhuma de" options={tagOptions} value={state.tagsNone} onChange={set("tagsNone")} />
              </div>
            </div>
          </fieldset>
          <div className="grid items-start gap-3 sm:grid-cols-2">
            <div className="grid gap-1.5">
              <Label>Carteiras</Label>
              <MultiPicker label="Carteiras" options={wallets.map((w) => ({ value: w.id, label: w.name }))} value={state.wallets} onChange={set("wallets")} />
            </div>
            <div className="grid gap-1.5">
              <Label>Cadastrado no chip</Label>
              <MultiPicker label="Chips" options={chips.map((c) => ({ value: c.id, label: c.name }))} value={state.chips} onChange={set("chips")} />
            </div>
          </div>
          <fieldset className="grid gap-3">
            <legend className="mb-1 text-sm font-semibold">Período</legend>
            <div className="grid gap-3 sm:grid-cols-3">
              <NativeSelect aria-label="Campo do período" value={state.periodField} onChange={(e) => set("periodField")(e.target.value as State["periodField"])}>
                <NativeSelectOption value="created_at">Data de cadastro</NativeSelectOption>
                <NativeSelectOption value="last_interaction_at">Última interação</NativeSelectOption>
              </NativeSelect>
              <Input type="date" aria-label="Período: de" value={state.from} onChange={(e) => set("from")(e.target.value)} />
              <Input type="date" aria-label="Período: até" value={state.to} onChange={(e) => set("to")(e.target.value)} />
            </div>
          </fieldset>
          <div className="grid items-start gap-3 sm:grid-cols-2">
            <div className="grid gap-1.5">
              <Label>Estado (UF)</Label>
              <MultiPicker label="Estado (UF)" options={ufs.map((u) => ({ value: u.uf, label: `${u.uf} — ${u.name}` }))} value={state.states} onChange={set("states")} />
            </div>
            <div className="grid gap-1.5">
              <Label>Cidade</Label>
              <CityPicker value={state.cities} onChange={set("cities")} states={state.states} />
            </div>
          </div>
          <fieldset className="grid gap-2">
            <legend className="mb-1 text-sm font-semibold">Opt-in</legend>
            <div className="flex flex-wrap gap-4">
              {optInChoices.map((o) => (
                <label key={o.value} className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    className="size-4 accent-primary"
                    checked={state.optIn.includes(o.value)}
                    onChange={(e) => set("optIn")(e.target.checked ? [...state.optIn, o.value] : state.optIn.filter((v) => v !== o.value))}
                  />
                  {o.label}
                </label>
              ))}
            </div>
            <p className="text-xs text-muted-foreground">
              Mesmo numa lista, contatos sem opt-in ou descadastrados nunca recebem campanhas (LGPD): eles aparecem no
              relatório como não enviados, com o motivo.
            </p>
          </fieldset>
        </CardContent>
      </Card>

      {/* On a phone the count card comes after every filter: this bar keeps the count in view while they change. */}
      <div className="sticky bottom-0 z-10 -mx-4 flex items-center justify-between gap-3 border-t bg-background/95 px-4 py-3 backdrop-blur lg:hidden" data-testid="audience-count-bar">
        <span className="text-sm text-muted-foreground">Contatos nesta lista agora</span>
        <span className="flex items-center gap-2 text-xl font-semibold tabular-nums">
          {loading ? <LoaderCircleIcon aria-hidden="true" className="size-4 animate-spin text-muted-foreground" /> : null}
          {preview ? fmt(preview.count) : "—"}
        </span>
      </div>

      <div className="grid content-start gap-6">
        {/* On a desktop the count stays in view beside the filters. */}
        <Card aria-live="polite" className="lg:sticky lg:top-20 lg:z-10">
          <CardHeader>
            <CardDescription>Contatos nesta lista agora</CardDescription>
            <CardTitle className="flex items-center gap-3 text-4xl tabular-nums" data-testid="audience-count">
              {preview ? fmt(preview.count) : "—"}
              {loading ? <LoaderCircleIcon aria-label="Atualizando" className="size-5 animate-spin text-muted-foreground" /> : null}
            </CardTitle>
            {preview && !error ? <p className="text-sm text-muted-foreground">{preview.summary}</p> : null}
          </CardHeader>
          {error ? (
            <CardContent>
              <Alert variant="destructive">
                <AlertDescription>{error}</AlertDescription>
              </Alert>
            </CardContent>
          ) : null}
          {preview && preview.rows.length ? (
            <CardContent className="px-0">
              <Table>
                <TableHeader>
                  <TableRow>
                    <TableHead className="pl-6">Primeiros contatos</TableHead>
                    <TableHead>Cidade</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {preview.rows.map((r) => (
                    <TableRow key={r.id}>
                      <TableCell className="pl-6">{r.name}</TableCell>
                      <TableCell className="text-muted-foreground">{r.city ? `${r.city} / ${r.state}` : "—"}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </CardContent>
          ) : preview ? (
            <CardContent className="flex items-center gap-2 text-sm text-muted-foreground">
              <UsersIcon className="size-4" aria-hidden="true" /> Nenhum contato atende a estes filtros.
            </CardContent>
          ) : null}
        </Card>

        <Card>
          <ActionForm action={save} noValidate>
            <CardHeader>
              <CardTitle>{audience ? "Salvar lista" : "Cadastrar lista de público"}</CardTitle>
              <CardDescription>A lista guarda o filtro: na hora do envio ela é recalculada com a base atual.</CardDescription>
            </CardHeader>
            <CardContent className="grid gap-3 pt-4">
              <FormMessage state={saveState && !saveState.ok && !saveState.fieldErrors?.name ? saveState : null} />
              {audience ? <input type="hidden" name="id" value={audience.id} /> : null}
              <input type="hidden" name="filter" value={filterJson} />
              <FormField label="Nome da lista" htmlFor="audience-name" error={saveErrors?.name}>
                <Input id="audience-name" name="name" defaultValue={audience?.name} placeholder="Oferta especial maio" maxLength={200} />
              </FormField>
            </CardContent>
            <CardFooter className="justify-end pt-4">
              <Button type="submit" disabled={saving || Boolean(error)}>
                <SaveIcon aria-hidden="true" />
                {saving ? "Salvando…" : audience ? "Salvar" : "Cadastrar"}
              </Button>
            </CardFooter>
          </ActionForm>
        </Card>
      </div>
    </div>
  );
}
