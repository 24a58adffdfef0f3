"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "@/lib/utils";

const items = [
  { href: "/configuracoes/organizacao", label: "Organização" },
  { href: "/configuracoes/usuarios", label: "Usuários" },
  { href: "/configuracoes/chips", label: "Chips" },
  { href: "/configuracoes/templates", label: "Templates" },
  { href: "/configuracoes/fluxos", label: "Fluxos de chatbot" },
];

export function SettingsNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Configurações" className="mb-6 flex flex-wrap gap-1 border-b">
      {items.map((item) => {
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
