"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import {
  BarChart3Icon,
  FilterIcon,
  LayoutDashboardIcon,
  MegaphoneIcon,
  SettingsIcon,
  UsersIcon,
} from "lucide-react";
import { cn } from "@/lib/utils";

const items = [
  { href: "/", label: "Painel", icon: LayoutDashboardIcon },
  { href: "/contatos", label: "Contatos", icon: UsersIcon },
  { href: "/segmentacao", label: "Segmentação", icon: FilterIcon },
  { href: "/campanhas", label: "Campanhas", icon: MegaphoneIcon },
  { href: "/relatorios", label: "Relatórios", icon: BarChart3Icon },
  { href: "/configuracoes", label: "Configurações", icon: SettingsIcon },
];

export function NavLinks() {
  const pathname = usePathname();
  return (
    <nav aria-label="Seções" className="grid gap-1">
      {items.map(({ href, label, icon: Icon }) => {
        const active = href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
        return (
          <Link
            key={href}
            href={href}
            aria-current={active ? "page" : undefined}
            className={cn(
              "flex items-center gap-3 rounded-md px-3 py-2 text-sm font-medium transition-colors",
              active
                ? "bg-sidebar-accent text-sidebar-accent-foreground"
                : "text-sidebar-foreground/75 hover:bg-sidebar-accent/60 hover:text-sidebar-foreground",
            )}
          >
            <Icon className="size-4" aria-hidden="true" />
            {label}
          </Link>
        );
      })}
    </nav>
  );
}
