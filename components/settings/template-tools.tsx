"use client";

import { useState, useTransition } from "react";
import { EyeIcon, ImageIcon, RefreshCwIcon, UserCheckIcon, UserXIcon } from "lucide-react";
import { setTemplateOptInAction, syncTemplatesAction } from "@/app/(app)/configuracoes/templates/actions";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { toast } from "@/components/ui/toast";
import { renderTemplate, templateExamples } from "@/lib/templates/render";

export function SyncTemplatesButton() {
  const [pending, start] = useTransition();
  const sync = () =>
    start(async () => {
      const r = await syncTemplatesAction(null, {});
      if (r.ok) toast.success(r.message ?? "Sincronizado.");
      else toast.error(r.message, { duration: 10_000 });
    });
  return (
    <Button onClick={sync} disabled={pending}>
      <RefreshCwIcon aria-hidden="true" className={pending ? "animate-spin" : undefined} />
      {pending ? "Sincronizando…" : "Sincronizar"}
    </Button>
  );
}

/** Marks / unmarks the template as "Pedido de opt-in" (gestor or admin; marking needs an approved template). */
export function OptInRequestToggle({ id, name, marked }: { id: number; name: string; marked: boolean }) {
  const [pending, start] = useTransition();
  const toggle = () =>
    start(async () => {
      const r = await setTemplateOptInAction(null, { id, optInRequest: !marked });
      if (r.ok) toast.success(r.message ?? "Template atualizado.");
      else toast.error(r.message, { duration: 10_000 });
    });
  const Icon = marked ? UserXIcon : UserCheckIcon;
  return (
    <Button
      variant="ghost"
      size="sm"
      onClick={toggle}
      disabled={pending}
      aria-label={marked ? `Desmarcar ${name} como pedido de opt-in` : `Marcar ${name} como pedido de opt-in`}
    >
      <Icon aria-hidden="true" />
      {marked ? "Desmarcar opt-in" : "Pedido de opt-in"}
    </Button>
  );
}

/** What the contact sees: a WhatsApp-like bubble with the sample variables filled in. */
export function TemplatePreviewDialog({ name, components, variableCount }: { name: string; components: unknown; variableCount: number }) {
  const [values, setValues] = useState<string[]>(() => {
    const examples = templateExamples(components);
    return Array.from({ length: variableCount }, (_, i) => examples[i] ?? "");
  });
  const preview = renderTemplate(components, { body: values });
  return (
    <Dialog>
      <DialogTrigger asChild>
        <Button variant="ghost" size="sm" aria-label={`Pré-visualizar ${name}`}>
          <EyeIcon aria-hidden="true" />
          Ver
        </Button>
      </DialogTrigger>
      <DialogContent className="sm:max-w-2xl">
        <DialogHeader>
          <DialogTitle>Pré-visualização: {name}</DialogTitle>
          <DialogDescription>Troque os exemplos para ver como a mensagem chega ao contato.</DialogDescription>
        </DialogHeader>
        <div className="grid gap-6 sm:grid-cols-2">
          <div className="grid content-start gap-3">
            {values.length === 0 ? <p className="text-sm text-muted-foreground">Este template não tem variáveis.</p> : null}
            {values.map((v, i) => (
              <div key={i} className="grid gap-1.5">
                <Label htmlFor={`var-${i}`}>{`Variável {{${i + 1}}}`}</Label>
                <Input
                  id={`var-${i}`}
                  value={v}
                  maxLength={200}
                  onChange={(e) => setValues((prev) => prev.map((p, j) => (j === i ? e.target.value : p)))}
                />
              </div>
            ))}
          </div>
          <div className="rounded-xl bg-[#e5ddd5] p-4" data-testid="template-preview">
            <div className="max-w-xs rounded-lg bg-white p-2 text-sm shadow-sm">
              {preview.header?.format === "TEXT" && preview.header.text ? (
                <p className="mb-1 font-semibold">{preview.header.text}</p>
              ) : preview.header ? (
                <div className="mb-2 flex h-28 items-center justify-center rounded-md bg-muted text-muted-foreground">
                  <ImageIcon aria-hidden="true" className="size-6" />
                  <span className="sr-only">Mídia: {preview.header.format}</span>
                </div>
              ) : null}
              <p className="whitespace-pre-wrap">{preview.body}</p>
              {preview.footer ? <p className="mt-1 text-xs text-muted-foreground">{preview.footer}</p> : null}
            </div>
            {preview.buttons.map((b, i) => (
              <div key={i} className="mt-1 max-w-xs rounded-lg bg-white py-2 text-center text-sm font-medium text-sky-600 shadow-sm">
                {b.text}
              </div>
            ))}
          </div>
        </div>
      </DialogContent>
    </Dialog>
  );
}
