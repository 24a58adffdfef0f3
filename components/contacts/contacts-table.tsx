"use client";

import Link from "next/link";
import { useState, useTransition } from "react";
import { bulkContactsAction } from "@/app/(app)/contatos/actions";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { SortableHead } from "@/components/ui/sortable-head";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toast";

// The bulk bar's selects are as wide as their longest option (an etiqueta's full name), never cut.
const fitted = { wrapperClassName: "w-auto max-w-full", className: "w-auto max-w-full" };

type Row = {
  id: number;
  name: string;
  phone: string;
  place: string;
  wallet: string | null;
  tagIds: number[];
  optIn: { label: string; variant: "success" | "destructive" | "warning" | "secondary" };
  since: string;
};
type Option = { id: number; name: string; color?: string };
type Sort = { href: string; dir?: "asc" | "desc" };

export function ContactsTable({ rows, tags, wallets, sort }: { rows: Row[]; tags: Option[]; wallets: Option[]; sort: { name: Sort; since: Sort } }) {
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [operation, setOperation] = useState("addTag");
  const [pending, startTransition] = useTransition();
  const tagById = new Map(tags.map((t) => [t.id, t]));
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));

  const apply = (form: FormData) =>
    startTransition(async () => {
      const result = await bulkContactsAction(null, form);
      if (result.ok) {
        toast.success(result.message ?? "Feito.");
        setSelected(new Set());
      } else toast.error(result.fieldErrors ? Object.values(result.fieldErrors).flat()[0] : result.message);
    });

  const toggle = (id: number) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <div className="grid min-w-0 gap-3">
      {selected.size > 0 ? (
        <form
          action={apply}
          className="flex flex-wrap items-center gap-2 rounded-lg border bg-muted/50 px-4 py-3 text-sm"
          aria-label="Ações em lote"
        >
          {[...selected].map((id) => (
            <input key={id} type="hidden" name="ids" value={id} />
          ))}
          <span className="font-medium">
            {selected.size} selecionado{selected.size === 1 ? "" : "s"}
          </span>
          <NativeSelect name="operation" aria-label="Ação" value={operation} onChange={(e) => setOperation(e.target.value)} {...fitted}>
            <NativeSelectOption value="addTag">Adicionar etiqueta</NativeSelectOption>
            <NativeSelectOption value="removeTag">Remover etiqueta</NativeSelectOption>
            <NativeSelectOption value="setWallet">Mover para carteira</NativeSelectOption>
          </NativeSelect>
          {operation === "setWallet" ? (
            <NativeSelect name="walletId" aria-label="Carteira" {...fitted} defaultValue="">
              <NativeSelectOption value="">Sem carteira</NativeSelectOption>
              {wallets.map((w) => (
                <NativeSelectOption key={w.id} value={w.id}>
                  {w.name}
                </NativeSelectOption>
              ))}
            </NativeSelect>
          ) : (
            <NativeSelect name="tagId" aria-label="Etiqueta" {...fitted} defaultValue="">
              <NativeSelectOption value="" disabled>
                Escolha a etiqueta
              </NativeSelectOption>
              {tags.map((t) => (
                <NativeSelectOption key={t.id} value={t.id}>
                  {t.name}
                </NativeSelectOption>
              ))}
            </NativeSelect>
          )}
          <Button type="submit" size="sm" disabled={pending}>
            {pending ? "Aplicando…" : "Aplicar"}
          </Button>
          <Button type="button" size="sm" variant="ghost" onClick={() => setSelected(new Set())}>
            Limpar seleção
          </Button>
        </form>
      ) : null}
      <Card className="min-w-0 py-0">
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead className="sticky left-0 z-10 w-10 bg-card">
                <input
                  type="checkbox"
                  aria-label="Selecionar todos desta página"
                  className="size-4 accent-primary"
                  checked={allSelected}
                  onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((r) => r.id)))}
                />
              </TableHead>
              <SortableHead label="Nome" {...sort.name} className="sticky left-10 z-10 bg-card" />
              <TableHead>Telefone</TableHead>
              <TableHead>Cidade / UF</TableHead>
              <TableHead>Carteira</TableHead>
              <TableHead>Etiquetas</TableHead>
              <TableHead>Opt-in</TableHead>
              <SortableHead label="Desde" {...sort.since} />
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((c) => (
              <TableRow key={c.id} data-state={selected.has(c.id) ? "selected" : undefined}>
                <TableCell className="sticky left-0 z-10 bg-card">
                  <input
                    type="checkbox"
                    aria-label={`Selecionar ${c.name}`}
                    className="size-4 accent-primary"
                    checked={selected.has(c.id)}
                    onChange={() => toggle(c.id)}
                  />
                </TableCell>
                <TableCell className="sticky left-10 z-10 max-w-56 truncate bg-card font-medium">
                  <Link href={`/contatos/${c.id}`} className="hover:underline" title={c.name}>
                    {c.name}
                  </Link>
                </TableCell>
                <TableCell className="font-mono text-xs tabular-nums whitespace-nowrap">{c.phone}</TableCell>
                <TableCell className="whitespace-nowrap">{c.place}</TableCell>
                <TableCell className="whitespace-nowrap">{c.wallet ?? "—"}</TableCell>
                <TableCell>
                  {/* One etiqueta and "+N" (two on wide screens), so every row stays on one line; all of them on hover. */}
                  <div
                    className="flex gap-1 whitespace-nowrap"
                    title={c.tagIds.map((id) => tagById.get(id)?.name).filter(Boolean).join(", ") || undefined}
                  >
                    {c.tagIds.slice(0, 2).map((id, i) => {
                      const tag = tagById.get(id);
                      return tag ? (
                        <Badge key={id} variant="outline" className={i > 0 ? "hidden gap-1.5 2xl:inline-flex" : "gap-1.5"}>
                          <span className="size-2 rounded-full" style={{ backgroundColor: tag.color }} aria-hidden="true" />
                          {tag.name}
                        </Badge>
                      ) : null;
                    })}
                    {c.tagIds.length > 1 ? (
                      <Badge variant="secondary" className="2xl:hidden">
                        +{c.tagIds.length - 1}
                      </Badge>
                    ) : null}
                    {c.tagIds.length > 2 ? (
                      <Badge variant="secondary" className="hidden 2xl:inline-flex">
                        +{c.tagIds.length - 2}
                      </Badge>
                    ) : null}
                  </div>
                </TableCell>
                <TableCell>
                  <Badge variant={c.optIn.variant}>{c.optIn.label}</Badge>
                </TableCell>
                <TableCell className="whitespace-nowrap text-muted-foreground">{c.since}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Card>
    </div>
  );
}
