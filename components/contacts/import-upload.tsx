"use client";

import { useRef, useState, useTransition } from "react";
import { DownloadIcon, FileSpreadsheetIcon, Loader2Icon, ShieldCheckIcon, UploadCloudIcon } from "lucide-react";
import { uploadContactsFile } from "@/app/(app)/contatos/importar/actions";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { FormMessage } from "@/components/ui/form-field";
import { formatInt, LIMITS, tooLargeMessage } from "@/lib/imports/fields";
import type { ImportView } from "@/lib/imports/store";
import { cn } from "@/lib/utils";

const TEMPLATE_CSV =
  "\uFEFFNome;Telefone;Cidade;UF;Opt-in;Origem do opt-in;Data do opt-in;Etiquetas\r\n" +
  "Maria Silva;(11) 98765-4321;São Paulo;SP;sim;formulário;15/03/2025;Cliente VIP, Black Friday\r\n" +
  "João Souza;21 99876-5432;Rio de Janeiro;RJ;não;;;Lead\r\n";

const downloadTemplate = () => {
  const url = URL.createObjectURL(new Blob([TEMPLATE_CSV], { type: "text/csv;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = "modelo-contatos.csv";
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
};

export function ImportUpload({ notice, onUploaded }: { notice: string | null; onUploaded: (view: ImportView) => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [fileName, setFileName] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const [pending, startTransition] = useTransition();

  const send = (file: File) => {
    setFileName(file.name);
    // Refused here, before a byte is sent: the server would only see a body over its limit.
    if (file.size > LIMITS.maxBytes) {
      setError(tooLargeMessage(file.size));
      return;
    }
    setError(null);
    const form = new FormData();
    form.set("file", file);
    startTransition(async () => {
      try {
        const result = await uploadContactsFile(null, form);
        if (result.ok) onUploaded(result.data);
        else setError(result.fieldErrors?.file?.[0] ?? result.message);
      } catch {
        setError("Não conseguimos enviar o arquivo. Confira sua conexão e tente de novo.");
      } finally {
        if (input.current) input.current.value = "";
      }
    });
  };

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
      <Card>
        <CardHeader>
          <CardTitle>Envie sua planilha de contatos</CardTitle>
          <CardDescription>
            CSV ou Excel (.xlsx), até 10 MB e {formatInt(LIMITS.maxRows)} linhas. Na próxima etapa você confere as colunas
            antes de importar.
          </CardDescription>
        </CardHeader>
        <CardContent className="grid gap-4">
          {notice ? <FormMessage state={{ ok: false, message: notice }} /> : null}
          <label
            htmlFor="import-file"
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={(e) => {
              e.preventDefault();
              setDragging(false);
              const file = e.dataTransfer.files[0];
              if (file && !pending) send(file);
            }}
            className={cn(
              "flex cursor-pointer flex-col items-center justify-center gap-3 rounded-xl border-2 border-dashed px-6 py-14 text-center transition-colors",
              "hover:border-primary/60 hover:bg-primary/5 focus-within:border-primary focus-within:ring-[3px] focus-within:ring-ring/50",
              dragging && "border-primary bg-primary/5",
              pending && "pointer-events-none opacity-70",
            )}
          >
            <span className="flex size-14 items-center justify-center rounded-full bg-primary/10 text-primary">
              {pending ? (
                <Loader2Icon className="size-7 animate-spin" aria-hidden="true" />
              ) : (
                <UploadCloudIcon className="size-7" aria-hidden="true" />
              )}
            </span>
            <span className="text-base font-medium">
              {pending ? `Lendo ${fileName ?? "a planilha"}…` : "Arraste o arquivo até aqui ou clique para escolher"}
            </span>
            <span className="text-sm text-muted-foreground">
              .csv (separado por ponto e vírgula, vírgula ou tabulação) ou .xlsx · máximo 10 MB
            </span>
            <input
              ref={input}
              id="import-file"
              name="file"
              type="file"
              aria-label="Arquivo da planilha"
              accept=".csv,.xlsx,.txt,text/csv,text/plain,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              className="sr-only"
              disabled={pending}
              onChange={(e) => {
                const file = e.target.files?.[0];
                if (file) send(file);
              }}
            />
          </label>
          {error ? <FormMessage state={{ ok: false, message: error }} /> : null}
        </CardContent>
      </Card>

      <div className="grid content-start gap-4">
        <Card className="gap-4">
          <CardHeader>
            <CardTitle className="flex items-center gap-2 text-base">
              <FileSpreadsheetIcon className="size-4 text-primary" aria-hidden="true" />
              Como preparar a planilha
            </CardTitle>
          </CardHeader>
          <CardContent className="grid gap-3 text-sm">
            <ul className="grid list-disc gap-1.5 pl-4 text-muted-foreground">
              <li>
                A <strong className="text-foreground">primeira linha</strong> tem os nomes das colunas.
              </li>
              <li>
                Obrigatórios: <strong className="text-foreground">nome</strong> e{" "}
                <strong className="text-foreground">telefone com DDD</strong>. O nono dígito é incluído quando faltar.
              </li>
              <li>Opcionais: cidade, UF, opt-in (sim/não), origem e data do opt-in, etiquetas.</li>
              <li>Um telefone aparece uma vez só; repetidos são apontados no relatório.</li>
            </ul>
            <Button type="button" variant="outline" size="sm" onClick={downloadTemplate} className="justify-self-start">
              <DownloadIcon aria-hidden="true" />
              Baixar modelo (CSV)
            </Button>
          </CardContent>
        </Card>
        <Alert>
          <ShieldCheckIcon aria-hidden="true" />
          <AlertDescription>
            <p>
              <strong className="text-foreground">LGPD:</strong> só marque opt-in para quem autorizou receber mensagens.
              Cada mudança fica registrada com seu usuário e a data.
            </p>
          </AlertDescription>
        </Alert>
      </div>
    </div>
  );
}
