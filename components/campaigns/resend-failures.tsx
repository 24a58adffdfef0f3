"use client";

import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { RotateCcwIcon } from "lucide-react";
import { resendFailuresAction } from "@/app/(app)/campanhas/actions";
import {
  AlertDialog,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { Checkbox } from "@/components/ui/checkbox";
import { FormMessage } from "@/components/ui/form-field";
import { Label } from "@/components/ui/label";
import { toast } from "@/components/ui/toast";

const fmt = (n: number) => new Intl.NumberFormat("pt-BR").format(n);

/** "Reenviar falhas": retryable failures; the indeterminate ones only when the gestor ticks them after seeing how many. */
export function ResendFailures({ campaignId, failed, indeterminate }: { campaignId: number; failed: number; indeterminate: number }) {
  const [open, setOpen] = useState(false);
  const [withUnknown, setWithUnknown] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const router = useRouter();
  const submit = () =>
    start(async () => {
      const r = await resendFailuresAction(null, { id: campaignId, includeIndeterminate: withUnknown });
      if (r.ok) {
        toast.success(r.message ?? "Feito.");
        setOpen(false);
        router.refresh();
      } else setError(r.message);
    });
  return (
    <AlertDialog open={open} onOpenChange={(o) => (setOpen(o), setError(null))}>
      <AlertDialogTrigger asChild>
        <Button variant="outline">
          <RotateCcwIcon aria-hidden="true" />
          Reenviar falhas
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>Reenviar falhas</AlertDialogTitle>
          <AlertDialogDescription>
            {fmt(failed)} envio{failed === 1 ? "" : "s"} falhou por um motivo que pode ter passado (instabilidade, limite de ritmo): volta{failed === 1 ? "" : "m"} para a
            fila. Quem já recebeu a mensagem nunca recebe de novo.
          </AlertDialogDescription>
        </AlertDialogHeader>
        {indeterminate > 0 ? (
          <div className="flex items-start gap-3 rounded-lg border border-warning/50 bg-warning/10 p-3">
            <Checkbox id="resend-unknown" checked={withUnknown} onCheckedChange={(v) => setWithUnknown(v === true)} className="mt-0.5" />
            <Label htmlFor="resend-unknown" className="grid gap-1 font-normal leading-snug">
              <span className="font-medium">Também reenviar {fmt(indeterminate)} sem confirmação</span>
              <span className="text-sm text-muted-foreground">
                A Meta pode ter aceitado essas mensagens sem que a resposta chegasse: esses contatos podem receber duas vezes.
              </span>
            </Label>
          </div>
        ) : null}
        <FormMessage state={error ? { ok: false, message: error } : null} />
        <AlertDialogFooter>
          <AlertDialogCancel type="button">Voltar</AlertDialogCancel>
          <Button onClick={submit} disabled={pending || failed + (withUnknown ? indeterminate : 0) === 0}>
            Reenviar {fmt(failed + (withUnknown ? indeterminate : 0))}
          </Button>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
