"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import type { Role } from "@/db/schema";
import { hasRole } from "@/lib/auth/roles";
import { cn } from "@/lib/utils";

// Each tab with the role its page asks of requireUser: a tab whose page would answer 403 is not shown
// (tests/settings-nav.test.ts opens every page with every role to keep the two in step).
export const settingsTabs: { href: string; label: string; role: Role }[] = [
  { href: "/configuracoes/organizacao", label: "Organização", role: "operador" },
  { href: "/configuracoes/usuarios", label: "Usuários", role: "admin" },
  { href: "/configuracoes/chips", label: "Chips", role: "operador" },
  { href: "/configuracoes/templates", label: "Templates", role: "operador" },
  { href: "/configuracoes/fluxos", label: "Fluxos de chatbot", role: "operador" },
];

export function SettingsNav({ role }: { role: Role }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Configurações" className="mb-6 flex flex-wrap gap-1 border-b">
      {settingsTabs
        .filter((tab) => hasRole(role, tab.role))
        .map((item) => {
          const active = pathname.startsWith(item.href);
          return (
            <Link
              key={item.href}
              href={item.href}
              aria-current={active ? "page" : undefined}
              className={cn(
                "-mb-px border-b-2 px-3 py-2 text-sm font-medium transition-colors",
                active ? "border-primary text-foreground" : "border-transparent text-muted-foreground hover:text-foreground",
              )}
            >
              {item.label}
            </Link>
          );
        })}
    </nav>
  );
}
