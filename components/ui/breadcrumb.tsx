import * as React from "react";
import Link from "next/link";
import { Slot as SlotPrimitive } from "radix-ui";
import { ChevronRightIcon } from "lucide-react";

import { RememberedListLink } from "@/components/ui/remembered-list";
import { cn } from "@/lib/utils";

// The shadcn/ui breadcrumb parts, plus `Breadcrumbs` for the usual "Section › this page" trail above a page title.

function Breadcrumb(props: React.ComponentProps<"nav">) {
  return <nav aria-label="Você está em" data-slot="breadcrumb" {...props} />;
}

function BreadcrumbList({ className, ...props }: React.ComponentProps<"ol">) {
  return <ol data-slot="breadcrumb-list" className={cn("flex min-w-0 flex-wrap items-center gap-1.5 text-sm text-muted-foreground", className)} {...props} />;
}

function BreadcrumbItem({ className, ...props }: React.ComponentProps<"li">) {
  return <li data-slot="breadcrumb-item" className={cn("inline-flex min-w-0 items-center gap-1.5", className)} {...props} />;
}

function BreadcrumbLink({ asChild, className, ...props }: React.ComponentProps<"a"> & { asChild?: boolean }) {
  const Comp = asChild ? SlotPrimitive.Slot : "a";
  return <Comp data-slot="breadcrumb-link" className={cn("whitespace-nowrap transition-colors hover:text-foreground hover:underline", className)} {...props} />;
}

function BreadcrumbPage({ className, ...props }: React.ComponentProps<"span">) {
  // A long name is cut with an ellipsis instead of widening the page on a phone; its full text is the page title.
  return <span data-slot="breadcrumb-page" aria-current="page" className={cn("truncate font-medium text-foreground", className)} {...props} />;
}

function BreadcrumbSeparator({ className, ...props }: React.ComponentProps<"li">) {
  return (
    <li data-slot="breadcrumb-separator" role="presentation" aria-hidden="true" className={cn("[&>svg]:size-3.5", className)} {...props}>
      <ChevronRightIcon />
    </li>
  );
}

/** A section above this page; `remembered`: back to the list as the user last filtered it (remembered-list.tsx). */
type Crumb = { label: string; href: string; remembered?: boolean };

/** "Contatos › Maria da Silva": links to the sections above, then the current page. */
function Breadcrumbs({ trail, current, className }: { trail: Crumb[]; current: string; className?: string }) {
  return (
    <Breadcrumb className={cn("mb-3", className)}>
      <BreadcrumbList>
        {trail.map((crumb) => (
          <React.Fragment key={crumb.label}>
            <BreadcrumbItem>
              <BreadcrumbLink asChild>
                {crumb.remembered ? <RememberedListLink href={crumb.href}>{crumb.label}</RememberedListLink> : <Link href={crumb.href}>{crumb.label}</Link>}
              </BreadcrumbLink>
            </BreadcrumbItem>
            <BreadcrumbSeparator />
          </React.Fragment>
        ))}
        <BreadcrumbItem>
          <BreadcrumbPage title={current}>{current}</BreadcrumbPage>
        </BreadcrumbItem>
      </BreadcrumbList>
    </Breadcrumb>
  );
}

export { Breadcrumb, BreadcrumbItem, BreadcrumbLink, BreadcrumbList, BreadcrumbPage, BreadcrumbSeparator, Breadcrumbs };
