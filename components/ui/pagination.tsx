import * as React from "react";
import Link from "next/link";
import { ChevronLeftIcon, ChevronRightIcon } from "lucide-react";

import { cn } from "@/lib/utils";
import { buttonVariants } from "@/components/ui/button";

type PaginationProps = {
  page: number;
  pageCount: number;
  /** Monta o href de uma página. Função: use apenas em Server Components (não serializável). */
  hrefFor: (page: number) => string;
  /** What the page shows, e.g. "51–100 de 1.234", beside the page number. */
  summary?: string;
  className?: string;
};

function Pagination({ page, pageCount, hrefFor, summary, className }: PaginationProps) {
  const total = Math.max(1, Math.floor(pageCount) || 1);
  const current = Math.min(Math.max(1, Math.floor(page) || 1), total);
  const hasPrev = current > 1;
  const hasNext = current < total;
  const linkClass = buttonVariants({ variant: "outline", size: "sm" });

  return (
    <nav
      aria-label="Paginação"
      data-slot="pagination"
      className={cn("flex items-center justify-between gap-2", className)}
    >
      {hasPrev ? (
        <Link href={hrefFor(current - 1)} rel="prev" className={linkClass}>
          <ChevronLeftIcon aria-hidden="true" />
          Anterior
        </Link>
      ) : (
        <span aria-disabled="true" className={cn(linkClass, "pointer-events-none opacity-50")}>
          <ChevronLeftIcon aria-hidden="true" />
          Anterior
        </span>
      )}
      <p className="text-center text-sm text-muted-foreground">
        {summary ? <span className="block sm:inline">{summary}</span> : null}
        {summary ? <span className="hidden sm:inline"> · </span> : null}
        Página {current} de {total}
      </p>
      {hasNext ? (
        <Link href={hrefFor(current + 1)} rel="next" className={linkClass}>
          Próxima
          <ChevronRightIcon aria-hidden="true" />
        </Link>
      ) : (
        <span aria-disabled="true" className={cn(linkClass, "pointer-events-none opacity-50")}>
          Próxima
          <ChevronRightIcon aria-hidden="true" />
        </span>
      )}
    </nav>
  );
}

export { Pagination };
export type { PaginationProps };
