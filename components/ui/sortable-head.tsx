import Link from "next/link";
import { ArrowDownIcon, ArrowUpIcon } from "lucide-react";
import { TableHead } from "@/components/ui/table";

/** A column header that sorts the table by it: a link to the same page with the next order, and aria-sort. */
export function SortableHead({ label, href, dir, className }: { label: string; href: string; dir?: "asc" | "desc"; className?: string }) {
  return (
    <TableHead className={className} aria-sort={dir ? (dir === "asc" ? "ascending" : "descending") : undefined}>
      <Link href={href} className="inline-flex items-center gap-1 whitespace-nowrap hover:text-foreground">
        {label}
        {dir === "asc" ? <ArrowUpIcon className="size-3" aria-hidden="true" /> : dir === "desc" ? <ArrowDownIcon className="size-3" aria-hidden="true" /> : null}
      </Link>
    </TableHead>
  );
}
