"use client";

import { useId, useState } from "react";
import { CheckIcon, ChevronDownIcon, XIcon } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Popover, PopoverContent, PopoverTrigger } from "@/components/ui/popover";
import { rankOptions } from "@/lib/search-rank";
import { cn } from "@/lib/utils";

export type PickerOption<V extends string | number> = { value: V; label: string; color?: string; hint?: string };

/** What the closed picker shows: the first two chosen, then how many more ("SP, RJ +3"). */
export const chosenSummary = (labels: string[]) => (labels.length <= 2 ? labels.join(", ") : `${labels.slice(0, 2).join(", ")} +${labels.length - 2}`);

/** A searchable multi-select in a popover; chosen values show as removable badges. */
export function MultiPicker<V extends string | number>({
  label,
  options,
  value,
  onChange,
  placeholder = "Escolher…",
}: {
  label: string;
  options: PickerOption<V>[];
  value: V[];
  onChange: (next: V[]) => void;
  placeholder?: string;
}) {
  const [query, setQuery] = useState("");
  const id = useId();
  // Exact code or name first, then prefixes, then the rest (lib/search-rank.ts): "SP" offers São Paulo first.
  const shown = rankOptions(options, query);
  const chosen = new Set(value);
  const byValue = new Map(options.map((o) => [o.value, o]));
  const toggle = (v: V) => onChange(chosen.has(v) ? value.filter((x) => x !== v) : [...value, v]);
  return (
    <div className="grid gap-2">
      <Popover>
        <PopoverTrigger asChild>
          <Button variant="outline" className="justify-between font-normal" aria-label={label}>
            <span className={value.length ? "truncate" : "truncate text-muted-foreground"}>{value.length ? chosenSummary(value.map((v) => byValue.get(v)?.label ?? String(v))) : placeholder}</span>
            <ChevronDownIcon aria-hidden="true" className="opacity-60" />
          </Button>
        </PopoverTrigger>
        <PopoverContent align="start" className="w-72 p-2">
          <Input
            aria-label={`Buscar em ${label}`}
            placeholder="Buscar…"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => {
              // Enter picks the best match of what was typed.
              if (e.key === "Enter" && query.trim() && shown[0]) {
                e.preventDefault();
                if (!chosen.has(shown[0].value)) toggle(shown[0].value);
                setQuery("");
              }
            }}
            className="mb-2 h-8"
          />
          <ul role="listbox" aria-multiselectable="true" aria-label={label} id={id} className="max-h-64 overflow-y-auto">
            {shown.length === 0 ? <li className="px-2 py-1.5 text-sm text-muted-foreground">Nada encontrado.</li> : null}
            {shown.map((o) => (
              <li key={String(o.value)}>
                <button
                  type="button"
                  role="option"
                  aria-selected={chosen.has(o.value)}
                  onClick={() => toggle(o.value)}
                  className="flex w-full items-center gap-2 rounded-sm px-2 py-1.5 text-left text-sm hover:bg-accent focus-visible:bg-accent focus-visible:outline-none"
                >
                  <span className={cn("flex size-4 items-center justify-center rounded-sm border", chosen.has(o.value) && "border-primary bg-primary text-primary-foreground")}>
                    {chosen.has(o.value) ? <CheckIcon className="size-3" aria-hidden="true" /> : null}
                  </span>
                  {o.color ? <span className="size-2 rounded-full" style={{ backgroundColor: o.color }} aria-hidden="true" /> : null}
                  <span className="flex-1 truncate">{o.label}</span>
                  {o.hint ? <span className="text-xs text-muted-foreground">{o.hint}</span> : null}
                </button>
              </li>
            ))}
          </ul>
        </PopoverContent>
      </Popover>
      {value.length ? (
        <div className="flex flex-wrap gap-1">
          {value.map((v) => (
            <Badge key={String(v)} variant="secondary" className="gap-1 pr-1">
              {byValue.get(v)?.label ?? String(v)}
              <button type="button" onClick={() => toggle(v)} aria-label={`Remover ${byValue.get(v)?.label ?? v}`} className="rounded-sm hover:bg-background/60">
                <XIcon className="size-3" aria-hidden="true" />
              </button>
            </Badge>
          ))}
        </div>
      ) : null}
    </div>
  );
}
