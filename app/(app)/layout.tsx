import Link from "next/link";
import { Building2Icon, SendIcon } from "lucide-react";
import { MobileNav } from "@/components/shell/mobile-nav";
import { NavLinks } from "@/components/shell/nav-links";
import { UserMenu } from "@/components/shell/user-menu";
import { requireUser } from "@/lib/auth/page";
import { roleLabels } from "@/lib/auth/roles";
import { timeZoneLabel } from "@/lib/campaigns/time";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser();
  return (
    <div className="flex min-h-screen">
      {/* The column takes the page's full height (its background with it); the menu inside stays in view. */}
      <div className="hidden w-60 shrink-0 border-r border-sidebar-border bg-sidebar md:block">
        <aside className="sticky top-0 flex h-screen flex-col p-4 text-sidebar-foreground">
          <Link href="/" className="mb-8 flex items-center gap-2 px-2 text-lg font-semibold">
            <span className="flex size-8 items-center justify-center rounded-lg bg-primary text-primary-foreground">
              <SendIcon className="size-4" aria-hidden="true" />
            </span>
            Disparo
          </Link>
          <NavLinks />
          <p className="mt-auto px-2 text-xs text-sidebar-foreground/60">
            Somente contatos com opt-in recebem campanhas (LGPD).
          </p>
        </aside>
      </div>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="sticky top-0 z-10 flex h-14 items-center justify-between gap-2 border-b bg-background/95 px-3 backdrop-blur sm:gap-4 sm:px-6">
          <div className="flex min-w-0 items-center gap-2 text-sm">
            <MobileNav />
            <Building2Icon className="hidden size-4 text-muted-foreground sm:block" aria-hidden="true" />
            <span className="truncate font-medium">{user.organizationName}</span>
            <span className="hidden whitespace-nowrap text-muted-foreground lg:inline">· {timeZoneLabel(user.timeZone)}</span>
          </div>
          <UserMenu name={user.name} email={user.email} roleLabel={roleLabels[user.role]} />
        </header>
        <main className="flex-1 px-4 py-6 sm:px-6 sm:py-8">
          <div className="mx-auto w-full max-w-6xl">{children}</div>
        </main>
      </div>
    </div>
  );
}
