import type { Metadata } from "next";
import { FilterActions } from "@/components/ui/filter-actions";
import Link from "next/link";
import { FileUpIcon, PlusIcon, TagsIcon, UsersIcon } from "lucide-react";
import { ContactsTable } from "@/components/contacts/contacts-table";
import { PageHeader } from "@/components/shell/page-header";
import { Button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { NativeSelect, NativeSelectOption } from "@/components/ui/native-select";
import { Pagination } from "@/components/ui/pagination";
import { RememberList } from "@/components/ui/remembered-list";
import { getDb } from "@/db/client";
import { CONTACTS_PAGE_SIZE, listContacts, listTags, listWallets } from "@/db/queries/contacts";
import { requireUser } from "@/lib/auth/page";
import { CONTACT_SORTS, contactListFilterSchema, UFS } from "@/lib/contacts/schemas";
import { formatDate, formatPhone, optInLabels } from "@/lib/i18n/labels";

export const metadata: Metadata = { title: "Contatos" };

// A filter select as wide as its longest option from the `sm` breakpoint up (full width below it).
const fitted = { wrapperClassName: "sm:w-auto", className: "sm:w-auto" };

const optInVariant = { opted_in: "success", opted_out: "destructive", pending: "warning", none: "secondary" } as const;

export default async function ContactsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[]>> }) {
  const user = await requireUser();
  const filter = contactListFilterSchema.parse(await searchParams);
  const db = getDb();
  const [{ rows, total, totalIsAtLeast }, tagList, walletList] = await Promise.all([
    listContacts(db, user.organizationId, filter),
    listTags(db, user.organizationId),
    listWallets(db, user.organizationId),
  ]);
  const pageCount = Math.max(1, Math.ceil(total / CONTACTS_PAGE_SIZE));
  const params = Object.fromEntries(
    Object.entries({ q: filter.q, tag: filter.tag, wallet: filter.wallet, uf: filter.uf, optIn: filter.optIn })
      .filter(([, v]) => v !== undefined && v !== "")
      .map(([k, v]) => [k, String(v)]),
  );
  const order: Record<string, string> = filter.sort === "name" && filter.dir === "asc" ? {} : { sort: filter.sort, dir: filter.dir };
  const hrefFor = (p: number, withPage = true) => {
    const query = new URLSearchParams({ ...params, ...order, ...(withPage ? { page: String(p) } : {}) }).toString();
    return query ? `/contatos?${query}` : "/contatos";
  };
  const filtered = Object.keys(params).length > 0;
  // A header sorts by its column; again, the other way. Names start A→Z, dates newest first.
  const sortLink = (key: (typeof CONTACT_SORTS)[number]) => {
    const active = filter.sort === key;
    const dir = active ? (filter.dir === "asc" ? "desc" : "asc") : key === "since" ? "desc" : "asc";
    return { href: `/contatos?${new URLSearchParams({ ...params, sort: key, dir })}`, dir: active ? filter.dir : undefined };
  };
  const first = (filter.page - 1) * CONTACTS_PAGE_SIZE + 1;
  const count = new Intl.NumberFormat("pt-BR");
  return (
    <>
      <PageHeader
        title="Contatos"
        description={`${totalIsAtLeast ? "Mais de " : ""}${count.format(total)} contato${total === 1 ? "" : "s"}${filtered ? " com estes filtros" : " na base"}${totalIsAtLeast ? ": digite mais letras para refinar" : ""}.`}
        actions={
          <>
            <Button asChild variant="outline">
              <Link href="/contatos/etiquetas">
                <TagsIcon aria-hidden="true" />
                Etiquetas e carteiras
              </Link>
            </Button>
            <Button asChild variant="outline">
              <Link href="/contatos/importar">
                <FileUpIcon aria-hidden="true" />
                Importar
              </Link>
            </Button>
            <Button asChild>
              <Link href="/contatos/novo">
                <PlusIcon aria-hidden="true" />
                Novo contato
              </Link>
            </Button>
          </>
        }
      />
      <RememberList list="/contatos" href={hrefFor(filter.page, filter.page > 1)} />
      {/* One field a line on a phone; on wider screens a row where each select is as wide as its longest option, so
          neither "Todas as etiquetas" nor a long etiqueta name is cut. */}
      <form className="mb-4 grid gap-2 sm:flex sm:flex-wrap sm:items-end" role="search" aria-label="Filtrar contatos">
        <Input name="q" defaultValue={filter.q ?? ""} placeholder="Nome ou telefone" aria-label="Buscar por nome ou telefone" maxLength={100} className="sm:w-56" />
        <NativeSelect name="tag" defaultValue={filter.tag ?? ""} aria-label="Etiqueta" {...fitted}>
          <NativeSelectOption value="">Todas as etiquetas</NativeSelectOption>
          {tagList.map((t) => (
            <NativeSelectOption key={t.id} value={t.id}>
              {t.name}
            </NativeSelectOption>
          ))}
        </NativeSelect>
        <NativeSelect name="wallet" defaultValue={filter.wallet ?? ""} aria-label="Carteira" {...fitted}>
          <NativeSelectOption value="">Todas as carteiras</NativeSelectOption>
          {walletList.map((w) => (
            <NativeSelectOption key={w.id} value={w.id}>
              {w.name}
            </NativeSelectOption>
          ))}
        </NativeSelect>
        <NativeSelect name="uf" defaultValue={filter.uf ?? ""} aria-label="UF" {...fitted}>
          <NativeSelectOption value="">Todas as UFs</NativeSelectOption>
          {UFS.map((uf) => (
            <NativeSelectOption key={uf} value={uf}>
              {uf}
            </NativeSelectOption>
          ))}
        </NativeSelect>
        <NativeSelect name="optIn" defaultValue={filter.optIn ?? ""} aria-label="Opt-in" {...fitted}>
          <NativeSelectOption value="">Qualquer opt-in</NativeSelectOption>
          {Object.entries(optInLabels).map(([value, label]) => (
            <NativeSelectOption key={value} value={value}>
              {label}
            </NativeSelectOption>
          ))}
        </NativeSelect>
        <div className="flex flex-wrap gap-2">
          <FilterActions keep={order} clearHref={filtered ? "/contatos" : null} />
        </div>
      </form>
      {rows.length === 0 ? (
        <EmptyState
          icon={UsersIcon}
          title="Nenhum contato encontrado"
          description={filtered ? "Tente outros filtros." : "Importe uma planilha ou cadastre o primeiro contato."}
        />
      ) : (
        <ContactsTable
          sort={{ name: sortLink("name"), since: sortLink("since") }}
          tags={tagList.map((t) => ({ id: t.id, name: t.name, color: t.color }))}
          wallets={walletList.map((w) => ({ id: w.id, name: w.name }))}
          rows={rows.map((c) => ({
            id: c.id,
            name: c.name,
            phone: c.phone ? formatPhone(c.phone) : "sem telefone",
            place: c.city ? `${c.city} / ${c.state}` : "—",
            wallet: c.wallet,
            tagIds: c.tagIds,
            optIn: { label: optInLabels[c.optInStatus], variant: optInVariant[c.optInStatus] },
            since: formatDate(c.createdAt, user.timeZone),
          }))}
        />
      )}
      {rows.length > 0 ? (
        <Pagination
          className="mt-4"
          page={filter.page}
          pageCount={pageCount}
          hrefFor={hrefFor}
          summary={`${count.format(first)}–${count.format(first + rows.length - 1)} de ${totalIsAtLeast ? "mais de " : ""}${count.format(total)}`}
        />
      ) : null}
    </>
  );
}
