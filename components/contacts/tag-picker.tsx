"use client";

import Link from "next/link";
import { useId, useRef, useState } from "react";
import { PlusIcon, XIcon } from "lucide-react";
import { Badge } from "@/components/ui/badge";
import { Input } from "@/components/ui/input";
import { rankOptions } from "@/lib/search-rank";
import { cn } from "@/lib/utils";

export type TagOption = { id: number; name: string; color: string; contacts?: number };

const count = new Intl.NumberFormat("pt-BR");

/**
 * A contact's etiquetas: the chosen ones as removable chips, and a search box that adds more (a combobox: ↑/↓ move
 * the highlight, Enter adds the highlighted one — the best match of what was typed, accents and case ignored —,
 * Escape closes the list). Posts each chosen id as a `name` field, as checkboxes did.
 */
export function TagPicker({
  tags,
  defaultValue = [],
  name = "tagIds",
  label = "Etiquetas",
  error,
}: {
  /** All the organization's etiquetas, in the order to list them (pt-BR reading order). */
  tags: TagOption[];
  defaultValue?: number[];
  name?: string;
  label?: string;
  error?: string[];
}) {
  const [chosen, setChosen] = useState<number[]>(() => defaultValue.filter((id, i) => defaultValue.indexOf(id) === i));
  const [query, setQuery] = useState("");
  const [open, setOpen] = useState(false);
  const [highlight, setHighlight] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  const list = useRef<HTMLUListElement>(null);
  const id = useId();
  const listId = `${id}-opcoes`;
  const errorId = `${id}-erro`;

  const chosenSet = new Set(chosen);
  // Chips follow the list's order, so the page shows them the same way before and after saving.
  const chips = tags.filter((t) => chosenSet.has(t.id));
  // Exact name first, then names that begin with what was typed, then the rest (lib/search-rank.ts).
  const shown = rankOptions(
    tags.filter((t) => !chosenSet.has(t.id)).map((t) => ({ ...t, value: t.id, label: t.name })),
    query,
  );
  const active = open && shown.length > 0 ? Math.min(highlight, shown.length - 1) : -1;
  const optionId = (i: number) => `${id}-opcao-${i}`;

  const move = (to: number) => {
    setOpen(true);
    setHighlight(to);
    list.current?.querySelectorAll("[role=option]")[to]?.scrollIntoView({ block: "nearest" });
  };
  const add = (tagId: number, { close = false } = {}) => {
    setChosen((prev) => (prev.includes(tagId) ? prev : [...prev, tagId]));
    setQuery("");
    setHighlight(0);
    if (close) setOpen(false);
  };
  const remove = (tag: TagOption) => {
    setChosen((prev) => prev.filter((x) => x !== tag.id));
    input.current?.focus();
  };

  return (
    <fieldset className="grid min-w-0 gap-2" aria-describedby={error ? errorId : undefined}>
      <legend className="mb-2 text-sm font-medium">{label}</legend>
      {chosen.map((tagId) => (
        <input key={tagId} type="hidden" name={name} value={tagId} />
      ))}
      {chips.length ? (
        <ul className="flex flex-wrap gap-1.5" aria-label={`${label} do contato`}>
          {chips.map((t) => (
            <li key={t.id}>
              <Badge variant="outline" className="h-7 max-w-full gap-1.5 pr-1 pl-2 text-sm font-normal">
                <span className="size-2 shrink-0 rounded-full" style={{ backgroundColor: t.color }} aria-hidden="true" />
                <span className="truncate">{t.name}</span>
                <button
                  type="button"
                  onClick={() => remove(t)}
                  aria-label={`Remover etiqueta ${t.name}`}
                  className="flex size-5 items-center justify-center rounded-sm text-muted-foreground hover:bg-accent hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring/50 focus-visible:outline-none"
                >
                  <XIcon className="size-3.5" aria-hidden="true" />
                </button>
              </Badge>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-sm text-muted-foreground">Nenhuma etiqueta.</p>
      )}
      {tags.length === 0 ? (
        <p className="text-sm text-muted-foreground">
          Nenhuma etiqueta cadastrada.{" "}
          <Link href="/contatos/etiquetas" className="underline">
            Criar etiquetas
          </Link>
        </p>
      ) : (
        <div className="relative sm:max-w-sm">
          <PlusIcon className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden="true" />
          <Input
            ref={input}
            role="combobox"
            aria-label="Adicionar etiqueta"
            aria-expanded={open}
            aria-controls={listId}
            aria-autocomplete="list"
            aria-activedescendant={active >= 0 ? optionId(active) : undefined}
            aria-invalid={error ? true : undefined}
            autoComplete="off"
            placeholder="Adicionar etiqueta…"
            value={query}
            className="pl-8"
            onChange={(e) => {
              setQuery(e.target.value);
              setOpen(true);
              setHighlight(0);
            }}
            onClick={() => setOpen(true)}
            onBlur={() => setOpen(false)}
            onKeyDown={(e) => {
              if (e.key === "ArrowDown" || e.key === "ArrowUp") {
                e.preventDefault();
                if (!shown.length) return setOpen(true);
                const from = active < 0 ? (e.key === "ArrowDown" ? -1 : 0) : active;
                move((from + (e.key === "ArrowDown" ? 1 : -1) + shown.length) % shown.length);
              } else if (e.key === "Enter") {
                // With the list closed and nothing typed, Enter submits the form as in any field; otherwise it adds.
                if (!open && !query.trim()) return;
                e.preventDefault();
                if (!open) setOpen(true);
                // Typed and picked: done (typing again reopens the list). A click keeps it open for the next one.
                else if (active >= 0) add(shown[active].value, { close: true });
              } else if (e.key === "Escape" && open) {
                e.preventDefault();
                setOpen(false);
              }
            }}
          />
          <ul
            ref={list}
            id={listId}
            role="listbox"
            aria-label={label}
            hidden={!open}
            className="absolute inset-x-0 top-full z-20 mt-1 max-h-64 overflow-y-auto rounded-md border bg-popover p-1 text-popover-foreground shadow-md"
          >
            {shown.length === 0 ? (
              <li className="px-2 py-1.5 text-sm text-muted-foreground">{chips.length === tags.length ? "Todas as etiquetas já foram adicionadas." : "Nenhuma etiqueta encontrada."}</li>
            ) : null}
            {shown.map((t, i) => (
              <li
                key={t.id}
                id={optionId(i)}
                role="option"
                aria-selected={i === active}
                // Keeps the focus in the search box, so the list stays open for the next one.
                onMouseDown={(e) => e.preventDefault()}
                onMouseMove={() => i !== active && setHighlight(i)}
                onClick={() => add(t.value)}
                className={cn("flex cursor-pointer items-center gap-2 rounded-sm px-2 py-1.5 text-sm", i === active && "bg-accent text-accent-foreground")}
              >
                <span className="size-2 shrink-0 rounded-full" style={{ backgroundColor: t.color }} aria-hidden="true" />
                <span className="flex-1 truncate">{t.name}</span>
                {t.contacts !== undefined ? (
                  <span className="text-xs whitespace-nowrap text-muted-foreground">
                    {count.format(t.contacts)} contato{t.contacts === 1 ? "" : "s"}
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        </div>
      )}
      {error ? (
        <p id={errorId} role="alert" className="text-sm font-medium text-destructive">
          {error.join(" ")}
        </p>
      ) : null}
    </fieldset>
  );
}
