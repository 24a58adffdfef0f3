"use client";

import { useActionState, useState, useTransition } from "react";
import { CheckCircle2Icon, LoaderCircleIcon } from "lucide-react";
import { confirmCampaignAction } from "@/app/(app)/campanhas/actions";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { Label } from "@/components/ui/label";
import type { ActionResult } from "@/lib/auth/action";
import type { ChipScope, ConfirmSkipReason } from "@/lib/campaigns/audience";

export type ConfirmOption = {
  scope: ChipScope;
  title: string;
  description: string;
  inScope: number;
  recipients: number;
  skipped: { reason: ConfirmSkipReason; label: string; explanation: string; n: number }[];
  cost: string;
  duration: string;
  packageLine: string;
  limitLine: string;
  limitWarning: string | null;
  finishesAt: string;
};

const fmt = (n: number) => new Intl.NumberFormat("pt-BR").format(n);

export function ConfirmForm({ campaignId, options, canConfirm, blocked }: { campaignId: number; options: ConfirmOption[]; canConfirm: boolean; blocked: boolean }) {
  const [state, formAction, pending] = useActionState<ActionResult<unknown> | null, FormData>(confirmCampaignAction, null);
  const [, startTransition] = useTransition();
  const [scope, setScope] = useState<ChipScope>(options.find((o) => o.recipients > 0)?.scope ?? "this_chip");
  const [optInConfirmed, setOptInConfirmed] = useState(false);
  const chosen = options.find((o) => o.scope === scope)!;
  const skippedTotal = chosen.skipped.reduce((s, r) => s + r.n, 0);
  const errors = state && !state.ok ? (state.fieldErrors ?? {}) : {};
  return (
    <form
      className="grid gap-6"
      onSubmit={(event) => {
        event.preventDefault();
        const form = new FormData(event.currentTarget);
        startTransition(() => formAction(form));
      }}
    >
      <input type="hidden" name="id" value={campaignId} />
      <fieldset className="grid gap-3 md:grid-cols-3">
        <legend className="mb-3 text-sm font-medium">Quem recebe esta campanha?</legend>
        {options.map((o) => (
          <label
            key={o.scope}
            className="flex cursor-pointer flex-col gap-2 rounded-xl border bg-card p-4 shadow-xs has-[:checked]:border-primary has-[:checked]:ring-2 has-[:checked]:ring-primary/30"
            data-testid={`scope-${o.scope}`}
          >
            <span className="flex items-start gap-2">
              <input type="radio" name="chipScope" value={o.scope} checked={scope === o.scope} onChange={() => setScope(o.scope)} className="mt-1 accent-[var(--primary)]" />
              <span className="text-sm font-medium leading-snug">{o.title}</span>
            </span>
            <span className="text-3xl font-semibold tabular-nums" data-testid={`recipients-${o.scope}`}>
              {fmt(o.recipients)}
            </span>
            <span className="text-xs text-muted-foreground">
              destinatários de {fmt(o.inScope)} contatos neste escopo. {o.description}
            </span>
          </label>
        ))}
      </fieldset>

      {scope === "both" ? (
        <div className="flex items-start gap-3 rounded-lg border border-warning/50 bg-warning/10 p-4">
          <Checkbox id="optInConfirmed" name="optInConfirmed" checked={optInConfirmed} onCheckedChange={(v) => setOptInConfirmed(v === true)} aria-invalid={errors.optInConfirmed ? true : undefined} className="mt-0.5" />
          <Label htmlFor="optInConfirmed" className="grid gap-1 font-normal leading-snug">
            <span className="font-medium">Confirmo que todos esses contatos já têm opt-in com a minha empresa</span>
            <span className="text-sm text-muted-foreground">
              Eles já se relacionaram com a empresa e aceitaram receber mensagens, mesmo os que falaram por outro chip ou ainda por nenhum. Não é permitido
              enviar campanhas a quem não aceitou (LGPD).
            </span>
          </Label>
        </div>
      ) : null}

      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Quem fica de fora e por quê</CardTitle>
          </CardHeader>
          <CardContent>
            {skippedTotal === 0 ? (
              <p className="text-sm text-muted-foreground">Ninguém deste escopo será pulado.</p>
            ) : (
              <ul className="grid gap-2" data-testid="skip-reasons">
                {chosen.skipped
                  .filter((r) => r.n > 0)
                  .map((r) => (
                    <li key={r.reason} className="flex items-baseline justify-between gap-3 text-sm">
                      <span>
                        <span className="font-medium">{r.label}</span>
                        <span className="block text-xs text-muted-foreground">{r.explanation}</span>
                      </span>
                      <span className="font-semibold tabular-nums">{fmt(r.n)}</span>
                    </li>
                  ))}
                <li className="flex justify-between border-t pt-2 text-sm font-medium">
                  <span>Total pulado</span>
                  <span className="tabular-nums">{fmt(skippedTotal)}</span>
                </li>
              </ul>
            )}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Estimativa</CardTitle>
          </CardHeader>
          <CardContent>
            <dl className="grid gap-3 text-sm">
              <div className="flex justify-between gap-3">
                <dt className="text-muted-foreground">Custo estimado</dt>
                <dd className="font-semibold tabular-nums" data-testid="estimate-cost">
                  {chosen.cost}
                </dd>
              </div>
              <div className="flex justify-between gap-3">
                <dt className="text-muted-foreground">Duração estimada</dt>
                <dd className="font-semibold tabular-nums">{chosen.duration}</dd>
              </div>
              <div className="flex justify-between gap-3">
                <dt className="text-muted-foreground">Término previsto</dt>
                <dd className="font-semibold tabular-nums">{chosen.finishesAt}</dd>
              </div>
              <div className="grid gap-0.5">
                <dt className="text-muted-foreground">Pacote de conversas</dt>
                <dd>{chosen.packageLine}</dd>
              </div>
              <div className="grid gap-0.5">
                <dt className="text-muted-foreground">Limite de mensagens do portfólio (Meta, 24 h)</dt>
                <dd>{chosen.limitLine}</dd>
              </div>
            </dl>
            {chosen.limitWarning ? (
              <Alert variant="warning" className="mt-4">
                <AlertDescription>{chosen.limitWarning}</AlertDescription>
              </Alert>
            ) : null}
          </CardContent>
        </Card>
      </div>

      {state && !state.ok ? (
        <Alert variant="destructive" role="alert">
          <AlertDescription>{state.message}</AlertDescription>
        </Alert>
      ) : null}
      {canConfirm ? (
        <div className="flex justify-end">
          <Button type="submit" size="lg" disabled={pending || blocked || chosen.recipients === 0 || (scope === "both" && !optInConfirmed)}>
            {pending ? <LoaderCircleIcon className="animate-spin" aria-hidden="true" /> : <CheckCircle2Icon aria-hidden="true" />}
            Confirmar envio
          </Button>
        </div>
      ) : (
        <Alert variant="warning">
          <AlertDescription>Seu perfil não confirma envios: a campanha está aguardando a confirmação de um gestor ou administrador.</AlertDescription>
        </Alert>
      )}
    </form>
  );
}
