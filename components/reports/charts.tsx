import type { TimelineBucket } from "@/db/queries/reports";
import { formatCount } from "@/lib/i18n/labels";

// The report's two charts, drawn as SVG on the server: no chart library in the bundle, nothing to hydrate.

const pct = (n: number, of: number) => (of ? `${((n / of) * 100).toFixed(1).replace(".", ",")} %` : "—");

export type FunnelStep = { label: string; n: number };

/** Audience → sent → delivered → read → replied: bars against the audience, each with its share of the step before. */
export function Funnel({ steps }: { steps: FunnelStep[] }) {
  const top = Math.max(1, steps[0]?.n ?? 0);
  return (
    <ol className="grid gap-2" aria-label="Funil da campanha" data-testid="report-funnel">
      {steps.map((s, i) => (
        <li key={s.label} className="grid grid-cols-[5.5rem_1fr_5.5rem] items-center gap-2 text-sm sm:grid-cols-[7rem_1fr_7rem] sm:gap-3">
          <span className="text-muted-foreground">{s.label}</span>
          <span className="relative block h-6 rounded-md bg-muted" aria-hidden="true">
            <span className="absolute inset-y-0 left-0 rounded-md bg-primary/80" style={{ width: `${Math.max(s.n > 0 ? 1 : 0, (s.n / top) * 100)}%` }} />
          </span>
          <span className="text-right leading-tight">
            <span className="block font-medium tabular-nums">{formatCount(s.n)}</span>
            {i > 0 ? (
              <span className="block text-xs tabular-nums text-muted-foreground" title="da etapa anterior">
                {pct(s.n, steps[i - 1]!.n)}
              </span>
            ) : null}
          </span>
        </li>
      ))}
    </ol>
  );
}

const SERIES = [
  { key: "sent", label: "Enviadas", className: "stroke-chart-1" },
  { key: "delivered", label: "Entregues", className: "stroke-chart-2" },
  { key: "read", label: "Lidas", className: "stroke-chart-3" },
] as const;

const W = 640;
const H = 200;
const PAD = { left: 44, right: 8, top: 10, bottom: 26 };

const timeOf = (iso: string, timeZone: string, withDay: boolean) =>
  new Intl.DateTimeFormat("pt-BR", { timeZone, hour: "2-digit", minute: "2-digit", ...(withDay ? { day: "2-digit", month: "2-digit" } : {}) }).format(new Date(iso));

/** Messages sent, delivered and read per bucket (one minute or wider), as three lines. */
export function Timeline({ buckets, bucketMinutes, timeZone }: { buckets: TimelineBucket[]; bucketMinutes: number; timeZone: string }) {
  if (buckets.length === 0) return <p className="text-sm text-muted-foreground">Nenhuma mensagem enviada ainda.</p>;
  const max = Math.max(1, ...buckets.flatMap((b) => [b.sent, b.delivered, b.read]));
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const x = (k: number) => PAD.left + (buckets.length === 1 ? innerW / 2 : (k / (buckets.length - 1)) * innerW);
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;
  const spansDays = new Date(buckets[buckets.length - 1]!.at).getTime() - new Date(buckets[0]!.at).getTime() > 20 * 3600_000;
  const ticks = [...new Set([0, Math.floor((buckets.length - 1) / 2), buckets.length - 1])];
  const unit = bucketMinutes === 1 ? "por minuto" : bucketMinutes % 60 === 0 ? `a cada ${bucketMinutes / 60} h` : `a cada ${bucketMinutes} min`;
  const totals = SERIES.map((s) => buckets.reduce((a, b) => a + b[s.key], 0));
  return (
    <figure className="grid gap-2" data-testid="report-timeline">
      <svg viewBox={`0 0 ${W} ${H}`} className="h-auto w-full" role="img" aria-label={`Mensagens ${unit}: ${SERIES.map((s, i) => `${formatCount(totals[i]!)} ${s.label.toLowerCase()}`).join(", ")}`}>
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(max * f)} y2={y(max * f)} className="stroke-border" strokeWidth={1} />
            <text x={PAD.left - 6} y={y(max * f) + 4} textAnchor="end" className="fill-muted-foreground text-[11px]">
              {formatCount(Math.round(max * f))}
            </text>
          </g>
        ))}
        {ticks.map((k) => (
          <text key={k} x={x(k)} y={H - 6} textAnchor={k === 0 ? "start" : k === buckets.length - 1 ? "end" : "middle"} className="fill-muted-foreground text-[11px]">
            {timeOf(buckets[k]!.at, timeZone, spansDays)}
          </text>
        ))}
        {SERIES.map((s) =>
          buckets.length === 1 ? (
            <circle key={s.key} cx={x(0)} cy={y(buckets[0]![s.key])} r={4} className={`${s.className} fill-none`} strokeWidth={2} />
          ) : (
            <polyline
              key={s.key}
              points={buckets.map((b, k) => `${x(k).toFixed(1)},${y(b[s.key]).toFixed(1)}`).join(" ")}
              className={`${s.className} fill-none`}
              strokeWidth={2}
              strokeLinejoin="round"
            />
          ),
        )}
      </svg>
      <figcaption className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted-foreground">
        {SERIES.map((s, i) => (
          <span key={s.key} className="inline-flex items-center gap-1.5">
            <svg width="14" height="4" aria-hidden="true">
              <line x1="0" x2="14" y1="2" y2="2" className={s.className} strokeWidth={3} />
            </svg>
            {s.label} ({formatCount(totals[i]!)})
          </span>
        ))}
        <span>Mensagens {unit}.</span>
      </figcaption>
    </figure>
  );
}
