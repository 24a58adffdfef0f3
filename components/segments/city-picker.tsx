"use client";

import { useEffect, useRef, useState } from "react";
import { XIcon } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Input } from "@/components/ui/input";

export type CityValue = { city: string; state: string };
type Suggestion = CityValue & { contacts: number };

/** Autocomplete over the organization's own cities (the API folds accents: "sao" finds São Paulo). */
export function CityPicker({
  value,
  onChange,
  states = [],
}: {
  value: CityValue[];
  onChange: (next: CityValue[]) => void;
  /** When UFs are chosen, only their cities are offered (a city elsewhere could never match). */
  states?: string[];
}) {
  const [query, setQuery] = useState("");
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  const [open, setOpen] = useState(false);
  const controller = useRef<AbortController | null>(null);

  useEffect(() => {
    if (!open) return;
    const timer = setTimeout(async () => {
      controller.current?.abort();
      const c = new AbortController();
      controller.current = c;
      try {
        const res = await fetch(`/api/segmentacao/cidades?${new URLSearchParams({ q: query })}`, { signal: c.signal });
        if (res.ok) setSuggestions(((await res.json()) as { cities: Suggestion[] }).cities);
      } catch {}
    }, 200);
    return () => clearTimeout(timer);
  }, [query, open]);

  const key = (c: CityValue) => `${c.city}/${c.state}`;
  const offered = states.length ? suggestions.filter((s) => states.includes(s.state)) : suggestions;
  const chosen = new Set(value.map(key));
  const add = (c: CityValue) => {
    if (!chosen.has(key(c))) onChange([...value, { city: c.city, state: c.state }]);
    setQuery("");
  };
  return (
    <div className="relative grid gap-2">
      <Input
        role="combobox"
        aria-expanded={open && offered.length > 0}
        aria-controls="city-suggestions"
        aria-label="Cidade"
        placeholder="Digite o nome da cidade"
        value={query}
        maxLength={100}
        onChange={(e) => setQuery(e.target.value)}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      {open && offered.length > 0 ? (
        <ul id="city-suggestions" role="listbox" className="absolute top-10 z-20 max-h-64 w-full overflow-y-auto rounded-md border bg-popover p-1 shadow-md">
          {offered.map((s) => (
            <li key={key(s)}>
              <button
                type="button"
                role="option"
                aria-selected={chosen.has(key(s))}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => add(s)}
                className="flex w-full justify-between rounded-sm px-2 py-1.5 text-left text-sm hover:bg-accent"
              >
                <span>
                  {s.city} / {s.state}
                </span>
                <span className="text-xs text-muted-foreground">{new Intl.NumberFormat("pt-BR").format(s.contacts)}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {value.length ? (
        <div className="flex flex-wrap gap-1">
          {value.map((c) => (
            <Badge key={key(c)} variant="secondary" className="gap-1 pr-1">
              {c.city} / {c.state}
              <button type="button" aria-label={`Remover ${c.city}`} onClick={() => onChange(value.filter((v) => key(v) !== key(c)))} className="rounded-sm hover:bg-background/60">
                <XIcon className="size-3" aria-hidden="true" />
              </button>
            </Badge>
          ))}
        </div>
      ) : null}
    </div>
  );
}
