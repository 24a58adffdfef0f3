"use client";

import { useActionState, useEffect, useMemo, useState, useTransition } from "react";
import { ChevronLeftIcon, ChevronRightIcon, LoaderCircleIcon, SaveIcon, SendIcon, SmartphoneIcon } from "lucide-react";
import { saveCampaignAction, sendTestAction } from "@/app/(app)/campanhas/actions";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { DateTimePicker } from "@/components/ui/date-time-picker";
import { FormField } from "@/components/ui/form-field";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import type { ActionResult } from "@/lib/auth/action";
import { CONTACT_FIELDS, contactFieldLabels, renderVariables, variableLabel, type ContactField, type VariableMapping } from "@/lib/campaigns/variables";
import { renderTemplate } from "@/lib/templates/render";
import { MessagePreview } from "./message-preview";

export type PanelChip = { id: number; name: string; displayNumber: string; quality: string; messagesPerSecond: number; limit: string };
export type PanelList = { id: number; name: string; count: number | null };
export type PanelTemplate = {
  id: number;
  name: string;
  language: string;
  category: string;
  components: unknown;
  variables: { index: number; component: "header" | "body" }[];
  media: "IMAGE" | "VIDEO" | "DOCUMENT" | null;
  isOptInRequest: boolean;
};
export type PanelFlow = { id: number; name: string; description: string | null };
export type PanelInitial = {
  id: number | null;
  name: string;
  chipId: number | null;
  audienceId: number | null;
  templateId: number | null;
  flowId: number | null;
  sendMode: "immediate" | "scheduled";
  scheduledAt: string | null;
  variables: VariableMapping[];
  headerMediaUrl: string | null;
  packageConsent: boolean;
  sendWindow: { start: string; end: string; days: number[] } | null;
};

const WEEKDAY_LABELS = ["Dom", "Seg", "Ter", "Qua", "Qui", "Sex", "Sáb"];

type SampleContact = { id: number; name: string; phone: string; city: string | null; state: string | null; wallet: string | null };
type Source = ContactField | "text";

const FieldError = ({ messages }: { messages?: string[] }) =>
  messages?.length ? (
    <p role="alert" className="text-sm font-medium text-destructive">
      {messages.join(" ")}
    </p>
  ) : null;

const fmt = (n: number) => new Intl.NumberFormat("pt-BR").format(n);
const mediaLinkLabel = { IMAGE: "Link da imagem do cabeçalho", VIDEO: "Link do vídeo do cabeçalho", DOCUMENT: "Link do documento do cabeçalho" } as const;

/** The default mapping for a template: {{1}} of the body is usually the contact's first name. */
const defaultMapping = (t: PanelTemplate): VariableMapping[] =>
  t.variables.map((v) =>
    v.component === "body" && v.index === 1
      ? { component: v.component, index: v.index, source: "field", field: "first_name", fallback: "cliente" }
      : { component: v.component, index: v.index, source: "text", text: "" },
  );

const sameVariables = (t: PanelTemplate, mapping: VariableMapping[]) =>
  t.variables.length === mapping.length && t.variables.every((v) => mapping.some((m) => m.component === v.component && m.index === v.index));

export function CampaignPanel({
  chips,
  lists,
  templates,
  flows,
  initial,
  minScheduled,
  timeZoneLabel,
  canConfirm,
}: {
  chips: PanelChip[];
  lists: PanelList[];
  templates: PanelTemplate[];
  flows: PanelFlow[];
  initial: PanelInitial;
  minScheduled: string;
  timeZoneLabel: string;
  canConfirm: boolean;
}) {
  const [state, formAction, saving] = useActionState<ActionResult<unknown> | null, FormData>(saveCampaignAction, null);
  const [chipId, setChipId] = useState<number | null>(initial.chipId ?? (chips.length === 1 ? chips[0]!.id : null));
  const [audienceId, setAudienceId] = useState(initial.audienceId);
  const [templateId, setTemplateId] = useState(initial.templateId);
  const [sendMode, setSendMode] = useState(initial.sendMode);
  const [windowOn, setWindowOn] = useState(Boolean(initial.sendWindow));
  const template = templates.find((t) => t.id === templateId) ?? null;
  const [mapping, setMapping] = useState<VariableMapping[]>(() =>
    template && !sameVariables(template, initial.variables) ? defaultMapping(template) : initial.variables,
  );
  const [mediaUrl, setMediaUrl] = useState(initial.headerMediaUrl ?? "");
  const [samples, setSamples] = useState<SampleContact[]>([]);
  const [sampleError, setSampleError] = useState<string | null>(null);
  const [sampleIndex, setSampleIndex] = useState(0);
  const [testPhone, setTestPhone] = useState("");
  const [testResult, setTestResult] = useState<ActionResult<unknown> | null>(null);
  const [testing, startTest] = useTransition();
  const [, startSave] = useTransition();

  useEffect(() => {
    if (!audienceId) return;
    const controller = new AbortController();
    fetch(`/api/campanhas/contatos-exemplo?lista=${audienceId}`, { signal: controller.signal })
      .then(async (res) => {
        const body = (await res.json()) as { contacts?: SampleContact[]; error?: string };
        if (!res.ok) throw new Error(body.error ?? "Não foi possível ler os contatos da lista.");
        setSamples(body.contacts ?? []);
        setSampleIndex(0);
        setSampleError(null);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setSamples([]);
        setSampleError(err instanceof Error ? err.message : "Não foi possível ler os contatos da lista.");
      });
    return () => controller.abort();
  }, [audienceId]);

  const chooseTemplate = (id: number | null) => {
    setTemplateId(id);
    const t = templates.find((x) => x.id === id);
    setMapping(t ? defaultMapping(t) : []);
  };
  const updateMapping = (component: "header" | "body", index: number, change: { source?: Source; value?: string; fallback?: string }) =>
    setMapping((current) =>
      current.map((m) => {
        if (m.component !== component || m.index !== index) return m;
        const source = change.source ?? (m.source === "text" ? "text" : m.field);
        if (source === "text") return { component, index, source: "text", text: change.value ?? (m.source === "text" ? m.text : "") };
        return { component, index, source: "field", field: source, fallback: change.fallback ?? (m.source === "field" ? (m.fallback ?? "") : "") };
      }),
    );

  const sample = samples[sampleIndex] ?? null;
  const rendered = useMemo(() => {
    if (!template) return null;
    const values = renderVariables(mapping, sample ?? { name: "Maria Silva", city: "São Paulo", state: "SP", wallet: null });
    const placeholder = (list: string[], component: "header" | "body") =>
      list.map((v, i) => v || (mapping.some((m) => m.component === component && m.index === i + 1) ? "[sem valor]" : ""));
    return { preview: renderTemplate(template.components, { header: placeholder(values.header, "header"), body: placeholder(values.body, "body") }), missing: values.missing };
  }, [template, mapping, sample]);

  const errors = state && !state.ok ? (state.fieldErrors ?? {}) : {};
  const chip = chips.find((c) => c.id === chipId) ?? null;

  const sendTest = () =>
    startTest(async () => {
      if (!sample || !chipId || !templateId) {
        setTestResult({ ok: false, code: "invalid", message: "Escolha chip, lista e template antes de enviar um teste." });
        return;
      }
      setTestResult(
        await sendTestAction(null, {
          chipId,
          templateId,
          variables: mapping,
          headerMediaUrl: mediaUrl,
          contactId: sample.id,
          phone: testPhone,
          campaignId: initial.id ?? "",
        }),
      );
    });

  return (
    <form
      className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_360px]"
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget, (event.nativeEvent as SubmitEvent).submitter);
        startSave(() => formAction(form));
      }}
      noValidate
    >
      <input type="hidden" name="id" value={initial.id ?? ""} />
      <input type="hidden" name="variables" value={JSON.stringify(mapping)} />
      <div className="grid min-w-0 gap-6">
        {state && !state.ok ? (
          <Alert variant="destructive" role="alert">
            <AlertDescription>{state.message}</AlertDescription>
          </Alert>
        ) : null}
        <Card>
          <CardHeader>
            <CardTitle>1. Campanha</CardTitle>
            <CardDescription>Nome, chip que envia e lista alvo.</CardDescription>
          </CardHeader>
          <CardContent className="grid gap-5">
            <FormField label="Nome da campanha" htmlFor="name" error={errors.name} required>
              <Input id="name" name="name" defaultValue={initial.name} maxLength={120} placeholder="Ex.: Oferta especial maio" />
            </FormField>
            <FormField
              label="Chip"
              htmlFor="chipId"
              error={errors.chipId}
              hint={chip ? `${chip.displayNumber} · qualidade ${chip.quality} · ${chip.messagesPerSecond} msg/s · limite ${chip.limit}` : "Só chips conectados aparecem aqui."}
            >
              <NativeSelect id="chipId" name="chipId" value={chipId ?? ""} onChange={(e) => setChipId(Number(e.target.value) || null)}>
                <NativeSelectOption value="">{chips.length === 0 ? "Nenhum chip conectado" : "Escolha o chip…"}</NativeSelectOption>
                {chips.map((c) => (
                  <NativeSelectOption key={c.id} value={c.id}>
                    {c.name} — {c.displayNumber}
                  </NativeSelectOption>
                ))}
              </NativeSelect>
            </FormField>
            <FormField label="Lista alvo" htmlFor="audienceId" error={errors.audienceId} hint="Listas de público criadas em Segmentação, com a contagem de agora.">
              <NativeSelect id="audienceId" name="audienceId" value={audienceId ?? ""} onChange={(e) => setAudienceId(Number(e.target.value) || null)}>
                <NativeSelectOption value="">Escolha uma lista…</NativeSelectOption>
                {lists.map((l) => (
                  <NativeSelectOption key={l.id} value={l.id}>
                    {l.name} ({l.count === null ? "filtro antigo" : `${fmt(l.count)} contatos`})
                  </NativeSelectOption>
                ))}
              </NativeSelect>
            </FormField>
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>2. Programação de envio</CardTitle>
            <CardDescription>Só é possível agendar datas futuras ({timeZoneLabel}).</CardDescription>
          </CardHeader>
          <CardContent className="grid gap-4">
            <fieldset className="grid gap-2 sm:grid-cols-2">
              <legend className="sr-only">Programação</legend>
              {(
                [
                  ["immediate", "Envio imediato", "Sai assim que a campanha for confirmada."],
                  ["scheduled", "Agendar envio", "Escolha o dia e o horário do disparo."],
                ] as const
              ).map(([value, label, hint]) => (
                <label key={value} className="flex cursor-pointer items-start gap-3 rounded-lg border p-3 has-[:checked]:border-primary has-[:checked]:bg-primary/5">
                  <input type="radio" name="sendMode" value={value} checked={sendMode === value} onChange={() => setSendMode(value)} className="mt-1 accent-[var(--primary)]" />
                  <span>
                    <span className="block text-sm font-medium">{label}</span>
                    <span className="block text-xs text-muted-foreground">{hint}</span>
                  </span>
                </label>
              ))}
            </fieldset>
            {sendMode === "scheduled" ? (
              <FormField label="Dia e horário" htmlFor="scheduledAt" error={errors.scheduledAt}>
                <DateTimePicker id="scheduledAt" name="scheduledAt" defaultValue={initial.scheduledAt ?? undefined} min={minScheduled} timeZoneLabel={timeZoneLabel} />
              </FormField>
            ) : null}
            <div className="grid gap-3 rounded-lg border p-3">
              <div className="flex items-start gap-3">
                <Checkbox id="sendWindowEnabled" name="sendWindowEnabled" checked={windowOn} onCheckedChange={(v) => setWindowOn(v === true)} className="mt-0.5" />
                <Label htmlFor="sendWindowEnabled" className="grid gap-1 font-normal leading-snug">
                  <span className="font-medium">Enviar só dentro de uma janela de horário</span>
                  <span className="text-sm text-muted-foreground">Fora dela a campanha espera e continua sozinha quando a janela abre (ex.: 08:00 às 20:00, dias úteis).</span>
                </Label>
              </div>
              {windowOn ? (
                <div className="grid gap-3 sm:grid-cols-[auto_auto_1fr] sm:items-end">
                  <FormField label="Das" htmlFor="sendWindowStart" error={errors.sendWindowStart}>
                    <Input id="sendWindowStart" name="sendWindowStart" type="time" defaultValue={initial.sendWindow?.start ?? "08:00"} className="w-32" />
                  </FormField>
                  <FormField label="Até" htmlFor="sendWindowEnd" error={errors.sendWindowEnd}>
                    <Input id="sendWindowEnd" name="sendWindowEnd" type="time" defaultValue={initial.sendWindow?.end ?? "20:00"} className="w-32" />
                  </FormField>
                  <fieldset className="grid gap-1.5">
                    <legend className="text-sm font-medium">Dias</legend>
                    <div className="flex flex-wrap gap-1.5">
                      {WEEKDAY_LABELS.map((label, day) => (
                        <label key={day} className="flex cursor-pointer items-center gap-1 rounded-md border px-2 py-1 text-sm has-[:checked]:border-primary has-[:checked]:bg-primary/5">
                          <input type="checkbox" name="sendWindowDays[]" value={day} defaultChecked={initial.sendWindow ? initial.sendWindow.days.includes(day) : day >= 1 && day <= 5} className="accent-[var(--primary)]" />
                          {label}
                        </label>
                      ))}
                    </div>
                    <FieldError messages={errors.sendWindowDays} />
                  </fieldset>
                </div>
              ) : null}
            </div>
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>3. Mensagem</CardTitle>
            <CardDescription>Um template aprovado pela Meta e o valor de cada variável.</CardDescription>
          </CardHeader>
          <CardContent className="grid gap-5">
            <FormField label="Template" htmlFor="templateId" error={errors.templateId}>
              <NativeSelect id="templateId" name="templateId" value={templateId ?? ""} onChange={(e) => chooseTemplate(Number(e.target.value) || null)}>
                <NativeSelectOption value="">Escolha um template aprovado…</NativeSelectOption>
                {templates.map((t) => (
                  <NativeSelectOption key={t.id} value={t.id}>
                    {t.name} · {t.language} · {t.category}
                    {t.isOptInRequest ? " · pedido de opt-in" : ""}
                  </NativeSelectOption>
                ))}
              </NativeSelect>
            </FormField>
            {template?.isOptInRequest ? (
              <Alert>
                <AlertDescription>
                  Template de pedido de opt-in: a campanha também alcança contatos com opt-in pendente ou sem opt-in (nunca os descadastrados). Quem tocar no
                  botão de aceite passa a ter opt-in registrado.
                </AlertDescription>
              </Alert>
            ) : null}
            {template?.media ? (
              <FormField label={mediaLinkLabel[template.media]} htmlFor="headerMediaUrl" error={errors.headerMediaUrl} hint="Endereço público https:// de onde a Meta baixa a mídia.">
                <Input id="headerMediaUrl" name="headerMediaUrl" type="url" inputMode="url" value={mediaUrl} onChange={(e) => setMediaUrl(e.target.value)} placeholder="https://…" maxLength={2000} />
              </FormField>
            ) : null}
            {template && template.variables.length > 0 ? (
              <div className="grid gap-3" role="group" aria-labelledby="variables-title">
                <p id="variables-title" className="text-sm font-medium">
                  Variáveis
                </p>
                {mapping.map((m) => {
                  const key = `${m.component}-${m.index}`;
                  const source: Source = m.source === "text" ? "text" : m.field;
                  return (
                    <div key={key} className="grid gap-2 rounded-lg border p-3 sm:grid-cols-[7rem_minmax(0,1fr)_minmax(0,1fr)] sm:items-end">
                      <span className="font-mono text-sm" id={`var-${key}`}>
                        {variableLabel(m)}
                      </span>
                      <div className="grid gap-1">
                        <Label htmlFor={`source-${key}`} className="text-xs text-muted-foreground">
                          Preencher com
                        </Label>
                        <NativeSelect id={`source-${key}`} value={source} onChange={(e) => updateMapping(m.component, m.index, { source: e.target.value as Source })}>
                          {CONTACT_FIELDS.map((f) => (
                            <NativeSelectOption key={f} value={f}>
                              {contactFieldLabels[f]} do contato
                            </NativeSelectOption>
                          ))}
                          <NativeSelectOption value="text">Texto fixo</NativeSelectOption>
                        </NativeSelect>
                      </div>
                      <div className="grid gap-1">
                        <Label htmlFor={`value-${key}`} className="text-xs text-muted-foreground">
                          {m.source === "text" ? "Texto" : "Se o contato não tiver o campo"}
                        </Label>
                        <Input
                          id={`value-${key}`}
                          value={m.source === "text" ? m.text : (m.fallback ?? "")}
                          placeholder={m.source === "text" ? "Ex.: BLACK20" : "Ex.: cliente (vazio = pular o contato)"}
                          maxLength={m.source === "text" ? 500 : 200}
                          onChange={(e) => updateMapping(m.component, m.index, m.source === "text" ? { value: e.target.value } : { fallback: e.target.value })}
                        />
                      </div>
                    </div>
                  );
                })}
                <FieldError messages={errors.variables} />
              </div>
            ) : null}
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>4. Respostas e consentimento</CardTitle>
          </CardHeader>
          <CardContent className="grid gap-5">
            <FormField label="Fluxo de chatbot (opcional)" htmlFor="flowId" error={errors.flowId} hint="Quem responder à campanha é encaminhado para este fluxo.">
              <NativeSelect id="flowId" name="flowId" defaultValue={initial.flowId ?? ""}>
                <NativeSelectOption value="">Nenhum: as respostas ficam no atendimento</NativeSelectOption>
                {flows.map((f) => (
                  <NativeSelectOption key={f.id} value={f.id}>
                    {f.name}
                  </NativeSelectOption>
                ))}
              </NativeSelect>
            </FormField>
            <div className="grid gap-2">
              <div className="flex items-start gap-3 rounded-lg border p-3" data-invalid={errors.packageConsent ? true : undefined}>
                <Checkbox id="packageConsent" name="packageConsent" defaultChecked={initial.packageConsent} aria-invalid={errors.packageConsent ? true : undefined} className="mt-0.5" />
                <Label htmlFor="packageConsent" className="grid gap-1 font-normal leading-snug">
                  <span className="font-medium">Aumento Automático do Pacote de Conversas</span>
                  <span className="text-sm text-muted-foreground">
                    Autorizo que, se esta campanha passar do saldo do pacote de conversas, a plataforma contrate automaticamente os aumentos de pacote
                    necessários para concluir o envio, cobrados pelo preço por mensagem da organização. A tela de confirmação mostra quantos aumentos serão
                    usados.
                  </span>
                </Label>
              </div>
              <FieldError messages={errors.packageConsent} />
            </div>
          </CardContent>
        </Card>

        <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
          <Button type="submit" name="intent" value="draft" variant="outline" disabled={saving}>
            <SaveIcon aria-hidden="true" />
            Salvar rascunho
          </Button>
          <Button type="submit" name="intent" value="submit" disabled={saving}>
            {saving ? <LoaderCircleIcon className="animate-spin" aria-hidden="true" /> : <SendIcon aria-hidden="true" />}
            Enviar Campanha
          </Button>
        </div>
        <p className="text-right text-xs text-muted-foreground">
          {canConfirm
            ? "“Enviar Campanha” abre a tela de confirmação: você escolhe quem recebe e confere custo e duração antes de confirmar."
            : "“Enviar Campanha” deixa a campanha aguardando a confirmação de um gestor."}
        </p>
      </div>

      <aside className="grid content-start gap-4 lg:sticky lg:top-6 lg:self-start" aria-label="Prévia da mensagem">
        <Card>
          <CardHeader>
            <CardTitle className="flex items-center gap-2">
              <SmartphoneIcon className="size-4" aria-hidden="true" />
              Prévia
            </CardTitle>
            <CardDescription>
              {sample ? (
                <>
                  Como <strong>{sample.name}</strong> vai receber{sample.city ? ` (${sample.city}/${sample.state})` : ""}.
                </>
              ) : audienceId ? (
                (sampleError ?? "A lista não tem contatos agora.")
              ) : (
                "Escolha a lista alvo para ver a mensagem com os dados de um contato real."
              )}
            </CardDescription>
          </CardHeader>
          <CardContent className="grid gap-3">
            {rendered ? <MessagePreview preview={rendered.preview} mediaUrl={mediaUrl || null} /> : <p className="text-sm text-muted-foreground">Escolha um template.</p>}
            {rendered && rendered.missing.length ? (
              <p className="text-xs text-warning-foreground" role="status">
                Este contato ficaria sem valor em {rendered.missing.map(variableLabel).join(", ")}: sem um texto para quem não tem o campo, contatos assim são
                pulados.
              </p>
            ) : null}
            {samples.length > 1 ? (
              <div className="flex items-center justify-between gap-2">
                <Button type="button" variant="outline" size="sm" onClick={() => setSampleIndex((i) => (i - 1 + samples.length) % samples.length)} aria-label="Contato anterior">
                  <ChevronLeftIcon aria-hidden="true" />
                </Button>
                <span className="text-sm tabular-nums text-muted-foreground" aria-live="polite">
                  Contato {sampleIndex + 1} de {samples.length}
                </span>
                <Button type="button" variant="outline" size="sm" onClick={() => setSampleIndex((i) => (i + 1) % samples.length)} aria-label="Próximo contato">
                  <ChevronRightIcon aria-hidden="true" />
                </Button>
              </div>
            ) : null}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Enviar teste</CardTitle>
            <CardDescription>A mensagem deste contato vai para o número que você digitar, pelo chip escolhido. Não conta na campanha.</CardDescription>
          </CardHeader>
          <CardContent className="grid gap-3">
            <FormField label="Telefone que recebe o teste" htmlFor="testPhone">
              <Input id="testPhone" inputMode="tel" value={testPhone} onChange={(e) => setTestPhone(e.target.value)} placeholder="(11) 98765-4321" maxLength={40} />
            </FormField>
            <Button type="button" variant="secondary" onClick={sendTest} disabled={testing}>
              {testing ? <LoaderCircleIcon className="animate-spin" aria-hidden="true" /> : <SendIcon aria-hidden="true" />}
              Enviar teste
            </Button>
            {testResult ? (
              <Alert variant={testResult.ok ? "success" : "destructive"} role="status" data-testid="test-result">
                <AlertDescription>{testResult.message}</AlertDescription>
              </Alert>
            ) : null}
          </CardContent>
        </Card>
      </aside>
    </form>
  );
}
