import * as React from "react";
import type { LucideIcon } from "lucide-react";

import { cn } from "@/lib/utils";
import { Card, CardContent } from "@/components/ui/card";

type StatCardProps = {
  label: React.ReactNode;
  /** Números são formatados em pt-BR (ex.: 12.345); strings são exibidas como estão. */
  value: number | string;
  hint?: React.ReactNode;
  icon?: LucideIcon;
  /** Opções extras para Intl.NumberFormat("pt-BR"), ex.: { style: "percent" }. */
  formatOptions?: Intl.NumberFormatOptions;
  className?: string;
};

function StatCard({ label, value, hint, icon: Icon, formatOptions, className }: StatCardProps) {
  const formatted =
    typeof value === "number" ? new Intl.NumberFormat("pt-BR", formatOptions).format(value) : value;

  return (
    <Card data-slot="stat-card" className={cn("gap-2 py-5", className)}>
      <CardContent className="grid gap-2 px-5">
        <div className="flex items-center justify-between gap-2">
          <p className="text-sm font-medium text-muted-foreground">{label}</p>
          {Icon ? (
            <span className="flex size-8 items-center justify-center rounded-md bg-primary/10 text-primary">
              <Icon aria-hidden="true" className="size-4" />
            </span>
          ) : null}
        </div>
        <p className="text-2xl font-semibold tracking-tight tabular-nums">{formatted}</p>
        {hint ? <p className="text-xs text-muted-foreground">{hint}</p> : null}
      </CardContent>
    </Card>
  );
}

export { StatCard };
export type { StatCardProps };
