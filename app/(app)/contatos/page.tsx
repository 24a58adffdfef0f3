import type { Metadata } from "next";
import { SearchIcon, UsersIcon } from "lucide-react";
import { PageHeader } from "@/components/shell/page-header";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Pagination } from "@/components/ui/pagination";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { CONTACTS_PAGE_SIZE, listContacts, listTags } from "@/db/queries/contacts";
import { requireUser } from "@/lib/auth/page";
import { formatDate, formatPhone, optInLabels } from "@/lib/i18n/labels";

export const metadata: Metadata = { title: "Contatos" };

const optInVariant = { opted_in: "success", opted_out: "destructive", pending: "warning", none: "secondary" } as const;

export default async function ContactsPage({ searchParams }: { searchParams: Promise<{ q?: string; page?: string }> }) {
  const user = await requireUser();
  const params = await searchParams;
  const q = typeof params.q === "string" ? params.q.slice(0, 100) : "";
  const page = Math.max(1, Math.min(100_000, Number.parseInt(params.page ?? "1", 10) || 1));
  const db = getDb();
  const [{ rows, total }, tagList] = await Promise.all([
    listContacts(db, user.organizationId, { page, search: q }),
    listTags(db, user.organizationId),
  ]);
  const tagById = new Map(tagList.map((t) => [t.id, t]));
  const pageCount = Math.max(1, Math.ceil(total / CONTACTS_PAGE_SIZE));
  const hrefFor = (p: number) => `/contatos?${new URLSearchParams({ ...(q ? { q } : {}), page: String(p) })}`;
  return (
    <>
      <PageHeader
        title="Contatos"
        description={`${new Intl.NumberFormat("pt-BR").format(total)} contato${total === 1 ? "" : "s"}${q ? ` para “${q}”` : " na base"}.`}
      />
      <form className="mb-4 flex max-w-md gap-2" role="search">
        <Input name="q" defaultValue={q} placeholder="Buscar por nome ou telefone" aria-label="Buscar contatos" maxLength={100} />
        <Button type="submit" variant="outline">
          <SearchIcon aria-hidden="true" />
          Buscar
        </Button>
      </form>
      {rows.length === 0 ? (
        <EmptyState icon={UsersIcon} title="Nenhum contato encontrado" description={q ? "Tente outro nome ou número." : "Sua base ainda está vazia."} />
      ) : (
        <Card className="py-0">
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Nome</TableHead>
                <TableHead>Telefone</TableHead>
                <TableHead>Cidade / UF</TableHead>
                <TableHead>Carteira</TableHead>
                <TableHead>Etiquetas</TableHead>
                <TableHead>Opt-in</TableHead>
                <TableHead>Desde</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((c) => (
                <TableRow key={c.id}>
                  <TableCell className="font-medium">{c.name}</TableCell>
                  <TableCell className="font-mono text-xs tabular-nums">{formatPhone(c.phone)}</TableCell>
                  <TableCell>{c.city ? `${c.city} / ${c.state}` : "—"}</TableCell>
                  <TableCell>{c.wallet ?? "—"}</TableCell>
                  <TableCell>
                    <div className="flex flex-wrap gap-1">
                      {c.tagIds.slice(0, 3).map((id) => {
                        const tag = tagById.get(id);
                        return tag ? (
                          <Badge key={id} variant="outline" className="gap-1.5">
                            <span className="size-2 rounded-full" style={{ backgroundColor: tag.color }} aria-hidden="true" />
                            {tag.name}
                          </Badge>
                        ) : null;
                      })}
                      {c.tagIds.length > 3 ? <Badge variant="secondary">+{c.tagIds.length - 3}</Badge> : null}
                    </div>
                  </TableCell>
                  <TableCell>
                    <Badge variant={optInVariant[c.optInStatus]}>{optInLabels[c.optInStatus]}</Badge>
                  </TableCell>
                  <TableCell className="text-muted-foreground">{formatDate(c.createdAt, user.timeZone)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Card>
      )}
      {pageCount > 1 ? <Pagination className="mt-4" page={page} pageCount={pageCount} hrefFor={hrefFor} /> : null}
    </>
  );
}
