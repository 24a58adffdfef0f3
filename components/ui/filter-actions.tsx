import Link from "next/link";
import { SearchIcon } from "lucide-react";
import { Button } from "@/components/ui/button";

/**
 * The end of a list's filter form: the order the list is in (hidden, so filtering keeps it), "Filtrar", and
 * "Limpar filtros" back to the unfiltered list while a filter is on.
 */
export function FilterActions({ keep = {}, clearHref }: { keep?: Record<string, string | undefined>; clearHref?: string | null }) {
  return (
    <>
      {Object.entries(keep).map(([name, value]) => (value ? <input key={name} type="hidden" name={name} value={value} /> : null))}
      <Button type="submit" variant="secondary">
        <SearchIcon aria-hidden="true" />
        Filtrar
      </Button>
      {clearHref ? (
        <Button asChild variant="ghost">
          <Link href={clearHref}>Limpar filtros</Link>
        </Button>
      ) : null}
    </>
  );
}
