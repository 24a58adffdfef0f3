"use client";

import { useState, useTransition } from "react";
import { ArrowRightIcon, FileSpreadsheetIcon, RefreshCwIcon, TriangleAlertIcon } from "lucide-react";
import { discardContactsUpload, startContactsImport } from "@/app/(app)/contatos/importar/actions";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from "@/components/ui/card";
import { FormField, FormMessage } from "@/components/ui/form-field";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import {
  columnLetter,
  fieldHints,
  fieldLabels,
  formatInt,
  formatMegabytes,
  IMPORT_FIELDS,
  IMPORT_OPT_IN_SOURCES,
  optInSourceLabels,
  REQUIRED_FIELDS,
  type ColumnMapping,
  type DuplicatePolicy,
  type ImportField,
  type ImportOptInSource,
  type OptInStatus,
} from "@/lib/imports/fields";
import type { ImportView } from "@/lib/imports/store";
import type { ImportTargets } from "@/lib/imports/targets";
import { cn } from "@/lib/utils";

const encodingLabels = { "utf-8": "UTF-8", "windows-1252": "Windows-1252 (Excel)", "utf-16le": "UTF-16", "utf-16be": "UTF-16" };
const delimiterLabels = { ";": "ponto e vírgula", ",": "vírgula", "\t": "tabulação" };

const defaultStatusOptions: { value: OptInStatus; label: string }[] = [
  { value: "none", label: "Sem opt-in (não recebem campanhas)" },
  { value: "opted_in", label: "Opt-in: autorizaram receber mensagens" },
  { value: "pending", label: "Aguardando confirmação" },
  { value: "opted_out", label: "Descadastrados (não querem receber)" },
];

const policies: { value: DuplicatePolicy; title: string; description: string }[] = [
  {
    value: "update",
    title: "Atualizar os contatos existentes",
    description:
      "Nome, cidade, UF e carteira vêm da planilha; etiquetas são somadas, nunca removidas. Quem se descadastrou continua descadastrado.",
  },
  {
    value: "skip",
    title: "Ignorar os que já existem",
    description: "Contatos com o mesmo telefone ficam como estão e aparecem como ignorados no resultado.",
  },
];

export function ImportMapping({
  view,
  targets,
  onStarted,
  onRestart,
}: {
  view: ImportView;
  targets: ImportTargets;
  onStarted: (view: ImportView) => void;
  onRestart: (message?: string) => void;
}) {
  const { summary } = view;
  const [mapping, setMapping] = useState<ColumnMapping>(summary.guessedMapping);
  const [tagIds, setTagIds] = useState<number[]>([]);
  const [walletId, setWalletId] = useState("");
  const [chipId, setChipId] = useState(targets.chips.length === 1 ? String(targets.chips[0]!.id) : "");
  const [defaultStatus, setDefaultStatus] = useState<OptInStatus>("none");
  const [defaultSource, setDefaultSource] = useState<ImportOptInSource>("import");
  const [duplicates, setDuplicates] = useState<DuplicatePolicy>("update");
  const [errors, setErrors] = useState<Record<string, string[]> | undefined>();
  const [message, setMessage] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  const fieldOf = new Map<number, ImportField>();
  for (const f of IMPORT_FIELDS) if (mapping[f] !== undefined) fieldOf.set(mapping[f]!, f);

  // A column fills one field: choosing it for another field moves it there.
  const choose = (field: ImportField, value: string) =>
    setMapping((m) => {
      const next: ColumnMapping = { ...m };
      if (value === "") delete next[field];
      else {
        const col = Number(value);
        for (const f of IMPORT_FIELDS) if (next[f] === col) delete next[f];
        next[field] = col;
      }
      return next;
    });

  const sample = (col: number | undefined) =>
    col === undefined ? undefined : summary.preview.map((r) => r.cells[col]).find((v) => v && v.trim());

  const submit = () => {
    setMessage(null);
    setErrors(undefined);
    startTransition(async () => {
      const result = await startContactsImport(null, {
        id: view.id,
        mapping,
        tagIds,
        walletId: walletId === "" ? null : Number(walletId),
        chipId: chipId === "" ? null : Number(chipId),
        defaultOptInStatus: defaultStatus,
        defaultOptInSource: defaultSource,
        duplicates,
      });
      if (result.ok) {
        const counts = { total: summary.totalRows, created: 0, updated: 0, skipped: 0, failed: 0 };
        onStarted({
          ...view,
          state: "running",
          progress: { phase: "validating", processed: 0, total: summary.totalRows, counts },
        });
      } else if (result.code === "not_found") onRestart(result.message);
      else {
        setErrors(result.fieldErrors);
        setMessage(result.message);
      }
    });
  };

  const discard = () =>
    startTransition(async () => {
      await discardContactsUpload(null, { id: view.id });
      onRestart();
    });

  const fieldError = (key: string) => errors?.[key];

  return (
    <div className="grid gap-6">
      <div className="flex flex-wrap items-center justify-between gap-3 rounded-xl border bg-card px-5 py-4 shadow-sm">
        <div className="flex min-w-0 items-center gap-3">
          <span className="flex size-10 shrink-0 items-center justify-center rounded-lg bg-primary/10 text-primary">
            <FileSpreadsheetIcon className="size-5" aria-hidden="true" />
          </span>
          <div className="min-w-0">
            <p className="truncate font-medium" title={view.fileName}>
              {view.fileName}
            </p>
            <p className="text-sm text-muted-foreground">
              <strong className="text-foreground tabular-nums">{formatInt(summary.totalRows)}</strong>{" "}
              {summary.totalRows === 1 ? "linha de contato" : "linhas de contatos"} · {summary.headers.length} colunas ·{" "}
              {summary.format === "xlsx"
                ? "Excel (.xlsx)"
                : `CSV, ${encodingLabels[summary.encoding ?? "utf-8"]}, separado por ${delimiterLabels[summary.delimiter ?? ";"]}`}{" "}
              · {formatMegabytes(view.fileSize)}
            </p>
          </div>
        </div>
        <Button type="button" variant="outline" size="sm" onClick={discard} disabled={pending}>
          <RefreshCwIcon aria-hidden="true" />
          Trocar arquivo
        </Button>
      </div>

      <Card>
        <CardHeader>
          <CardTitle>Qual coluna é cada informação?</CardTitle>
          <CardDescription>
            Já sugerimos pelas colunas da planilha; confira. Nome e telefone são obrigatórios; o que ficar em “Não importar”
            é deixado de fora.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-x-6 gap-y-5 sm:grid-cols-2 lg:grid-cols-3">
          {IMPORT_FIELDS.map((field) => {
            const required = REQUIRED_FIELDS.includes(field);
            const example = sample(mapping[field]);
            return (
              <FormField
                key={field}
                className="content-start"
                label={fieldLabels[field]}
                htmlFor={`map-${field}`}
                required={required}
                error={fieldError(`mapping.${field}`)}
                hint={example ? <span className="block truncate">Ex.: {example}</span> : fieldHints[field]}
              >
                <NativeSelect
                  id={`map-${field}`}
                  value={mapping[field] === undefined ? "" : String(mapping[field])}
                  onChange={(e) => choose(field, e.target.value)}
                >
                  <NativeSelectOption value="">{required ? "— Escolha a coluna —" : "— Não importar —"}</NativeSelectOption>
                  {summary.headers.map((h, i) => (
                    <NativeSelectOption key={i} value={String(i)}>
                      {columnLetter(i)} · {h}
                    </NativeSelectOption>
                  ))}
                </NativeSelect>
              </FormField>
            );
          })}
          {fieldError("mapping") ? (
            <FormMessage className="sm:col-span-2 lg:col-span-3" state={{ ok: false, message: fieldError("mapping")![0] }} />
          ) : null}
        </CardContent>
      </Card>

      <Card className="gap-4 pb-0">
        <CardHeader>
          <CardTitle>Prévia</CardTitle>
          <CardDescription>
            As {Math.min(summary.preview.length, 10)} primeiras linhas, como estão na planilha. Colunas em destaque serão importadas.
          </CardDescription>
        </CardHeader>
        <div className="border-t">
          <Table>
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead className="w-14 pl-6 text-muted-foreground">Linha</TableHead>
                {summary.headers.map((h, i) => {
                  const field = fieldOf.get(i);
                  return (
                    <TableHead key={i} className={cn("h-auto py-2 align-top", field ? "bg-primary/5" : "text-muted-foreground")}>
                      <div className="grid gap-1">
                        <span className="max-w-56 truncate" title={h}>
                          <span className="mr-1 text-xs text-muted-foreground">{columnLetter(i)}</span>
                          {h}
                        </span>
                        {field ? (
                          <Badge variant="success" className="font-normal">
                            {fieldLabels[field]}
                          </Badge>
                        ) : (
                          <span className="text-xs font-normal text-muted-foreground">não importada</span>
                        )}
                      </div>
                    </TableHead>
                  );
                })}
              </TableRow>
            </TableHeader>
            <TableBody>
              {summary.preview.map((row) => (
                <TableRow key={row.line}>
                  <TableCell className="pl-6 text-muted-foreground tabular-nums">{row.line}</TableCell>
                  {summary.headers.map((_, i) => (
                    <TableCell key={i} className={cn("max-w-56 truncate", fieldOf.has(i) ? "bg-primary/5" : "text-muted-foreground")}>
                      {row.cells[i] || <span className="text-muted-foreground/60">—</span>}
                    </TableCell>
                  ))}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Opções para todos os contatos do arquivo</CardTitle>
          <CardDescription>Valem para cada linha importada.</CardDescription>
        </CardHeader>
        <CardContent className="grid gap-6">
          <fieldset className="grid gap-2">
            <legend className="mb-2 text-sm font-medium">Adicionar etiquetas</legend>
            {targets.tags.length === 0 ? (
              <p className="text-sm text-muted-foreground">Sua organização ainda não tem etiquetas.</p>
            ) : (
              <div className="flex flex-wrap gap-2">
                {targets.tags.map((t) => {
                  const on = tagIds.includes(t.id);
                  return (
                    <button
                      key={t.id}
                      type="button"
                      aria-pressed={on}
                      onClick={() => setTagIds((ids) => (on ? ids.filter((x) => x !== t.id) : [...ids, t.id]))}
                      className={cn(
                        "inline-flex items-center gap-1.5 rounded-full border px-3 py-1 text-sm transition-colors outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50",
                        on ? "border-primary bg-primary/10 font-medium text-foreground" : "hover:bg-accent",
                      )}
                    >
                      <span className="size-2 rounded-full" style={{ backgroundColor: t.color }} aria-hidden="true" />
                      {t.name}
                    </button>
                  );
                })}
              </div>
            )}
            {fieldError("tagIds") ? (
              <p className="text-sm font-medium text-destructive" role="alert">
                {fieldError("tagIds")!.join(" ")}
              </p>
            ) : (
              <p className="text-sm text-muted-foreground">Somadas às etiquetas da coluna “Etiquetas”, se houver.</p>
            )}
          </fieldset>

          <div className="grid gap-5 sm:grid-cols-2">
            <FormField className="content-start" label="Carteira" htmlFor="walletId" error={fieldError("walletId")} hint="Os contatos passam para esta carteira.">
              <NativeSelect id="walletId" value={walletId} onChange={(e) => setWalletId(e.target.value)}>
                <NativeSelectOption value="">Nenhuma (manter como está)</NativeSelectOption>
                {targets.wallets.map((w) => (
                  <NativeSelectOption key={w.id} value={String(w.id)}>
                    {w.name}
                  </NativeSelectOption>
                ))}
              </NativeSelect>
            </FormField>
            <FormField
              className="content-start"
              label="Chip em que os contatos estão cadastrados"
              htmlFor="chipId"
              error={fieldError("chipId")}
              hint="Nas campanhas deste chip, eles contam como “cadastrados no chip” em Quem recebe."
            >
              <NativeSelect id="chipId" value={chipId} onChange={(e) => setChipId(e.target.value)}>
                <NativeSelectOption value="">Nenhum</NativeSelectOption>
                {targets.chips.map((c) => (
                  <NativeSelectOption key={c.id} value={String(c.id)}>
                    {c.name} ({c.displayNumber})
                  </NativeSelectOption>
                ))}
              </NativeSelect>
            </FormField>
            <FormField
              className="content-start"
              label="Opt-in de quem não tem essa informação"
              htmlFor="defaultOptInStatus"
              error={fieldError("defaultOptInStatus")}
              hint={mapping.optInStatus === undefined ? "Vale para todas as linhas." : "Vale para as linhas com a coluna de opt-in vazia."}
            >
              <NativeSelect
                id="defaultOptInStatus"
                value={defaultStatus}
                onChange={(e) => setDefaultStatus(e.target.value as OptInStatus)}
              >
                {defaultStatusOptions.map((o) => (
                  <NativeSelectOption key={o.value} value={o.value}>
                    {o.label}
                  </NativeSelectOption>
                ))}
              </NativeSelect>
            </FormField>
            <FormField
              className="content-start"
              label="Origem do opt-in"
              htmlFor="defaultOptInSource"
              error={fieldError("defaultOptInSource")}
              hint="Onde a autorização foi coletada, quando a planilha não diz."
            >
              <NativeSelect
                id="defaultOptInSource"
                value={defaultSource}
                onChange={(e) => setDefaultSource(e.target.value as ImportOptInSource)}
              >
                {IMPORT_OPT_IN_SOURCES.map((s) => (
                  <NativeSelectOption key={s} value={s}>
                    {optInSourceLabels[s]}
                  </NativeSelectOption>
                ))}
              </NativeSelect>
            </FormField>
          </div>

          {defaultStatus === "opted_in" ? (
            <Alert variant="warning">
              <TriangleAlertIcon aria-hidden="true" />
              <AlertTitle>Confirme que todos autorizaram</AlertTitle>
              <AlertDescription>
                <p>
                  Pela LGPD, só marque opt-in para quem autorizou receber mensagens da sua empresa pelo WhatsApp. A mudança fica
                  registrada como evidência, com seu usuário e a data de hoje. Quem se descadastrou continua descadastrado.
                </p>
              </AlertDescription>
            </Alert>
          ) : null}

          <fieldset className="grid gap-2">
            <legend className="mb-2 text-sm font-medium">Contatos que já estão na base (mesmo telefone)</legend>
            <div className="grid gap-3 sm:grid-cols-2">
              {policies.map((p) => (
                <label
                  key={p.value}
                  className={cn(
                    "flex cursor-pointer gap-3 rounded-lg border p-4 transition-colors has-[:focus-visible]:ring-[3px] has-[:focus-visible]:ring-ring/50",
                    duplicates === p.value ? "border-primary bg-primary/5" : "hover:bg-accent/50",
                  )}
                >
                  <input
                    type="radio"
                    name="duplicates"
                    value={p.value}
                    checked={duplicates === p.value}
                    onChange={() => setDuplicates(p.value)}
                    className="mt-0.5 size-4 accent-[var(--primary)]"
                  />
                  <span className="grid gap-1">
                    <span className="text-sm font-medium">{p.title}</span>
                    <span className="text-sm text-muted-foreground">{p.description}</span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
        </CardContent>
        <CardFooter className="flex-wrap justify-between gap-3 border-t">
          <div className="min-w-0 flex-1">
            {message ? <FormMessage state={{ ok: false, message }} /> : null}
          </div>
          <Button type="button" size="lg" onClick={submit} disabled={pending}>
            {pending ? "Iniciando…" : `Importar ${formatInt(summary.totalRows)} ${summary.totalRows === 1 ? "linha" : "linhas"}`}
            <ArrowRightIcon aria-hidden="true" />
          </Button>
        </CardFooter>
      </Card>
    </div>
  );
}
