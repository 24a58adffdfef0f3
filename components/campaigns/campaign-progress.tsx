"use client";

import { useEffect, useRef, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { PauseIcon, PlayIcon } from "lucide-react";
import { pauseCampaignAction, resumeCampaignAction } from "@/app/(app)/campanhas/actions";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Progress } from "@/components/ui/progress";
import { toast } from "@/components/ui/toast";
import type { Campaign } from "@/db/schema";

type Counts = Record<"pending" | "sending" | "sent" | "delivered" | "read" | "failed" | "skipped" | "indeterminate" | "total", number>;
type Snapshot = { status: Campaign["status"]; pausedReason: string | null; progress: Counts; at: string };

const LIVE = new Set<Campaign["status"]>(["queued", "scheduled", "sending", "paused"]);
const fmt = (n: number) => new Intl.NumberFormat("pt-BR").format(Math.round(n));

const rows: { key: keyof Counts; label: string }[] = [
  { key: "sent", label: "Enviadas" },
  { key: "delivered", label: "Entregues" },
  { key: "read", label: "Lidas" },
  { key: "failed", label: "Falharam" },
  { key: "indeterminate", label: "Sem confirmação" },
  { key: "skipped", label: "Puladas" },
  { key: "pending", label: "Aguardando" },
];

/** Live counts of a campaign, polled, with the rate, the estimated finish and pause/resume. */
export function CampaignProgress({ campaignId, initial, canControl, timeZone }: { campaignId: number; initial: Snapshot; canControl: boolean; timeZone: string }) {
  const [snap, setSnap] = useState(initial);
  const [rate, setRate] = useState<number | null>(null);
  const previous = useRef<{ done: number; at: number } | null>(null);
  const [pending, start] = useTransition();
  const router = useRouter();

  // Every 2 s while the campaign is under way; every 10 s after it, since delivered and read statuses (and
  // replies) keep arriving long after the last message went out.
  useEffect(() => {
    const timer = setInterval(async () => {
      const res = await fetch(`/api/campanhas/${campaignId}/progresso`, { cache: "no-store" }).catch(() => null);
      if (!res?.ok) return;
      const next = (await res.json()) as Snapshot;
      const done = next.progress.total - next.progress.pending - next.progress.sending - next.progress.skipped;
      const at = new Date(next.at).getTime();
      if (previous.current && at > previous.current.at) setRate(((done - previous.current.done) * 1000) / (at - previous.current.at));
      previous.current = { done, at };
      setSnap((before) => {
        if (before.status !== next.status) router.refresh();
        return next;
      });
    }, LIVE.has(snap.status) ? 2000 : 10_000);
    return () => clearInterval(timer);
  }, [campaignId, snap.status, router]);

  const p = snap.progress;
  const toSend = p.total - p.skipped;
  const done = toSend - p.pending - p.sending;
  // From the moment of the last answer, not the render.
  const eta = rate && rate > 0 && p.pending > 0 ? new Date(new Date(snap.at).getTime() + (p.pending / rate) * 1000) : null;
  const act = (fn: typeof pauseCampaignAction) =>
    start(async () => {
      const r = await fn(null, { id: campaignId });
      if (r.ok) {
        toast.success(r.message ?? "Feito.");
        router.refresh();
      } else toast.error(r.message);
    });
  return (
    <Card>
      <CardHeader>
        <CardTitle>Andamento</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-4">
        {(snap.status === "paused" || snap.status === "failed") && snap.pausedReason ? (
          <Alert variant={snap.status === "failed" ? "destructive" : "warning"} role="status">
            <AlertDescription>
              {snap.status === "failed" ? "Falhou" : "Pausada"}: {snap.pausedReason}
            </AlertDescription>
          </Alert>
        ) : null}
        <div className="grid gap-1.5">
          <div className="flex items-baseline justify-between text-sm">
            <span data-testid="progress-done">
              {fmt(done)} de {fmt(toSend)} processadas
            </span>
            <span className="font-semibold tabular-nums" data-testid="progress-pct">
              {toSend ? Math.floor((done / toSend) * 100) : 0}%
            </span>
          </div>
          <Progress value={done} max={Math.max(1, toSend)} aria-label="Progresso do envio" />
          <p className="text-xs text-muted-foreground">
            {snap.status === "sending" && rate !== null ? `${fmt(rate)} mensagens/s agora` : snap.status === "scheduled" ? "Aguardando o horário agendado." : snap.status === "queued" ? "Na fila: o envio começa em instantes." : ""}
            {eta ? ` · término estimado ${new Intl.DateTimeFormat("pt-BR", { timeStyle: "short", timeZone }).format(eta)}` : ""}
          </p>
        </div>
        <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4" data-testid="progress-counts">
          {rows.map((r) => (
            <div key={r.key} className="rounded-lg border p-2">
              <dt className="text-xs text-muted-foreground">{r.label}</dt>
              <dd className="text-lg font-semibold tabular-nums" data-testid={`count-${r.key}`}>
                {fmt(p[r.key])}
              </dd>
            </div>
          ))}
        </dl>
        {canControl && (snap.status === "sending" || snap.status === "queued" || snap.status === "paused") ? (
          <div className="flex gap-2">
            {snap.status === "paused" ? (
              <Button onClick={() => act(resumeCampaignAction)} disabled={pending}>
                <PlayIcon aria-hidden="true" />
                Retomar
              </Button>
            ) : (
              <Button variant="outline" onClick={() => act(pauseCampaignAction)} disabled={pending}>
                <PauseIcon aria-hidden="true" />
                Pausar
              </Button>
            )}
          </div>
        ) : null}
      </CardContent>
    </Card>
  );
}
