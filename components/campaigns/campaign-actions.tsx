"use client";

import Link from "next/link";
import { useState, useTransition } from "react";
import { CalendarClockIcon, CheckCircle2Icon, CopyIcon, PencilIcon, XCircleIcon } from "lucide-react";
import { cancelCampaignAction, duplicateCampaignAction, rescheduleCampaignAction } from "@/app/(app)/campanhas/actions";
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
import { DateTimePicker } from "@/components/ui/date-time-picker";
import { FormMessage } from "@/components/ui/form-field";
import { Label } from "@/components/ui/label";
import { toast } from "@/components/ui/toast";

export function CampaignActions({
  id,
  name,
  canEdit,
  canConfirmLink,
  canReschedule,
  canCancel,
  scheduledLocal,
  minScheduled,
  timeZoneLabel,
}: {
  id: number;
  name: string;
  canEdit: boolean;
  canConfirmLink: boolean;
  canReschedule: boolean;
  canCancel: boolean;
  scheduledLocal: string | null;
  minScheduled: string;
  timeZoneLabel: string;
}) {
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<"cancel" | "reschedule" | null>(null);
  const [when, setWhen] = useState(scheduledLocal ?? "");
  const run = (fn: () => Promise<{ ok: boolean; message?: string }>) =>
    start(async () => {
      const r = await fn();
      if (r.ok) {
        toast.success(r.message ?? "Feito.");
        setOpen(null);
      } else setError(r.message ?? "Não foi possível.");
    });
  return (
    <div className="flex flex-wrap gap-2">
      {canEdit ? (
        <Button asChild variant="outline">
          <Link href={`/campanhas/${id}/editar`}>
            <PencilIcon aria-hidden="true" />
            Editar
          </Link>
        </Button>
      ) : null}
      {canConfirmLink ? (
        <Button asChild>
          <Link href={`/campanhas/${id}/confirmar`}>
            <CheckCircle2Icon aria-hidden="true" />
            Revisar e confirmar
          </Link>
        </Button>
      ) : null}
      <Button variant="outline" disabled={pending} onClick={() => start(async () => void (await duplicateCampaignAction(null, { id })))}>
        <CopyIcon aria-hidden="true" />
        Duplicar
      </Button>
      {canReschedule ? (
        <AlertDialog open={open === "reschedule"} onOpenChange={(o) => (setOpen(o ? "reschedule" : null), setError(null))}>
          <AlertDialogTrigger asChild>
            <Button variant="outline">
              <CalendarClockIcon aria-hidden="true" />
              Reagendar
            </Button>
          </AlertDialogTrigger>
          <AlertDialogContent>
            <AlertDialogHeader>
              <AlertDialogTitle>Reagendar “{name}”</AlertDialogTitle>
              <AlertDialogDescription>Escolha um novo momento no futuro ({timeZoneLabel}).</AlertDialogDescription>
            </AlertDialogHeader>
            <div className="grid gap-2">
              <Label htmlFor="reschedule-at">Novo dia e horário</Label>
              <DateTimePicker id="reschedule-at" name="scheduledAt" defaultValue={scheduledLocal ?? undefined} min={minScheduled} timeZoneLabel={timeZoneLabel} onChange={setWhen} />
            </div>
            <FormMessage state={error ? { ok: false, message: error } : null} />
            <AlertDialogFooter>
              <AlertDialogCancel type="button">Voltar</AlertDialogCancel>
              <Button disabled={pending} onClick={() => run(() => rescheduleCampaignAction(null, { id, scheduledAt: when }))}>
                Reagendar
              </Button>
            </AlertDialogFooter>
          </AlertDialogContent>
        </AlertDialog>
      ) : null}
      {canCancel ? (
        <AlertDialog open={open === "cancel"} onOpenChange={(o) => (setOpen(o ? "cancel" : null), setError(null))}>
          <AlertDialogTrigger asChild>
            <Button variant="outline" className="text-destructive">
              <XCircleIcon aria-hidden="true" />
              Cancelar campanha
            </Button>
          </AlertDialogTrigger>
          <AlertDialogContent>
            <AlertDialogHeader>
              <AlertDialogTitle>Cancelar “{name}”?</AlertDialogTitle>
              <AlertDialogDescription>Nada desta campanha será enviado. Para enviar de novo, use “Duplicar”.</AlertDialogDescription>
            </AlertDialogHeader>
            <FormMessage state={error ? { ok: false, message: error } : null} />
            <AlertDialogFooter>
              <AlertDialogCancel type="button">Voltar</AlertDialogCancel>
              <Button variant="destructive" disabled={pending} onClick={() => run(() => cancelCampaignAction(null, { id }))}>
                Cancelar campanha
              </Button>
            </AlertDialogFooter>
          </AlertDialogContent>
        </AlertDialog>
      ) : null}
    </div>
  );
}
