import { readdirSync } from "node:fs";
import path from "node:path";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { CurrentUser } from "@/lib/auth/session";
import { createOrganization, createUser } from "./support/fixtures";

// The Configurações tabs a user sees, against what each tab's page lets that user open: every settings page is
// rendered with every role (the real requireUser and queries; only the session source and Next's navigation
// interrupts are replaced), and the nav must show exactly the tabs whose page does not answer 403.
const session = vi.hoisted(() => ({ user: null as CurrentUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));
vi.mock("next/navigation", () => ({
  forbidden: () => {
    throw new Error("FORBIDDEN");
  },
  notFound: () => {
    throw new Error("NOT_FOUND");
  },
  redirect: (to: string) => {
    throw new Error(`REDIRECT ${to}`);
  },
  usePathname: () => "/configuracoes/organizacao",
  useRouter: () => ({ push: () => {}, refresh: () => {}, replace: () => {} }),
  useSearchParams: () => new URLSearchParams(),
}));

const settingsDir = path.resolve(import.meta.dirname, "../app/(app)/configuracoes");
const sections = readdirSync(settingsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

const roles = ["operador", "gestor", "admin"] as const;
const users = {} as Record<(typeof roles)[number], CurrentUser>;

beforeAll(async () => {
  const org = await createOrganization("Abas Ltda");
  for (const role of roles) {
    const u = await createUser(org.id, role);
    users[role] = { id: u.id, organizationId: org.id, role, name: u.name, email: u.email, organizationName: org.name, timeZone: org.timeZone, sessionId: crypto.randomUUID() };
  }
});

/** Whether the section's page renders for the signed-in user, or answers 403. */
const opens = async (section: string) => {
  const page = (await import(path.join(settingsDir, section, "page.tsx"))) as { default: (props: unknown) => Promise<unknown> };
  try {
    await page.default({ params: Promise.resolve({}), searchParams: Promise.resolve({}) });
    return true;
  } catch (err) {
    if (err instanceof Error && err.message === "FORBIDDEN") return false;
    throw err;
  }
};

const shownTabs = async (role: CurrentUser["role"]) => {
  const { SettingsNav } = await import("@/components/settings/settings-nav");
  const html = renderToStaticMarkup(createElement(SettingsNav, { role }));
  return [...html.matchAll(/href="\/configuracoes\/([^"]+)"/g)].map((m) => m[1]!).sort();
};

describe("Configurações tabs", () => {
  it("finds the settings sections", () => {
    expect(sections).toEqual(expect.arrayContaining(["chips", "fluxos", "organizacao", "templates", "usuarios"]));
  });

  for (const role of roles)
    it(`show the ${role} exactly the sections whose page opens for them`, async () => {
      session.user = users[role];
      const open: string[] = [];
      for (const section of sections) if (await opens(section)) open.push(section);
      expect(await shownTabs(role)).toEqual(open);
      if (role !== "admin") expect(open).not.toContain("usuarios");
    });
});
