import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { CurrentUser } from "@/lib/auth/session";

// Whoever the test says is signed in; null = nobody. Only the session source is replaced: actions are real.
const session = vi.hoisted(() => ({ user: null as CurrentUser | null, real: true }));
vi.mock("@/lib/auth/session", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/auth/session")>();
  return { getCurrentUser: async () => (session.real ? original.getCurrentUser() : session.user) };
});

const root = path.resolve(import.meta.dirname, "../..");

// Every module under app/ that starts with "use server": a new action file cannot escape this test.
const serverActionFiles = () =>
  readdirSync(path.join(root, "app"), { recursive: true, encoding: "utf8" })
    .filter((f) => /\.(ts|tsx)$/.test(f))
    .filter((f) => /^\s*["']use server["']/.test(readFileSync(path.join(root, "app", f), "utf8")))
    .map((f) => path.join("app", f));

type Action = (prev: unknown, input: unknown) => Promise<{ ok: boolean; code?: string; message?: string }>;
const actions: { name: string; fn: Action; def: import("@/lib/auth/action").ActionDefinition | undefined }[] = [];

const user = (role: CurrentUser["role"]): CurrentUser => ({
  id: "00000000-0000-4000-8000-000000000001",
  organizationId: "00000000-0000-4000-8000-000000000002",
  role,
  name: "Teste",
  email: "teste@exemplo.com",
  organizationName: "Org",
  timeZone: "America/Sao_Paulo",
  sessionId: "00000000-0000-4000-8000-000000000003",
});

beforeAll(async () => {
  const { actionRegistry } = await import("@/lib/auth/action");
  for (const file of serverActionFiles()) {
    const mod = (await import(path.join(root, file))) as Record<string, unknown>;
    for (const [name, fn] of Object.entries(mod)) {
      if (typeof fn !== "function") continue;
      actions.push({ name: `${file}#${name}`, fn: fn as Action, def: actionRegistry.get(fn) });
    }
  }
});

describe("server actions", () => {
  it("finds the app's action files", () => {
    expect(serverActionFiles()).toContain(path.join("app", "(app)", "configuracoes", "actions.ts"));
    expect(actions.length).toBeGreaterThanOrEqual(5);
  });

  it("every exported server action is built with the authorized wrapper (only the login is public)", () => {
    const unwrapped = actions.filter((a) => !a.def).map((a) => a.name);
    expect(unwrapped).toEqual([]);
    const publicOnes = actions.filter((a) => a.def?.kind === "public").map((a) => a.name);
    expect(publicOnes).toEqual([path.join("app", "(auth)", "login", "actions.ts") + "#login"]);
  });

  it("every authorized action answers a call without a session with the wrapper's 'not signed in' result", async () => {
    session.real = true;
    const { NOT_SIGNED_IN } = await import("@/lib/auth/action");
    for (const a of actions.filter((x) => x.def?.kind === "authorized")) {
      const form = new FormData();
      form.set("name", "x");
      const result = await a.fn(null, form);
      expect(result, a.name).toEqual({ ok: false, code: "unauthenticated", message: NOT_SIGNED_IN });
    }
  });

  it("an operador is refused every action that needs a gestor or an admin, with the reason", async () => {
    session.real = false;
    session.user = user("operador");
    const guarded = actions.filter((a) => a.def?.kind === "authorized" && a.def.role !== "operador");
    expect(guarded.length).toBeGreaterThan(0);
    for (const a of guarded) {
      const result = await a.fn(null, new FormData());
      expect(result.code, a.name).toBe("forbidden");
      expect(result.message).toMatch(/Seu perfil \(Operador\) não permite/);
    }
  });

  it("a gestor is refused admin actions but passes the role check of gestor actions", async () => {
    session.real = false;
    session.user = user("gestor");
    // logout is left out: past the role check it signs out, which needs a real request.
    for (const a of actions.filter((x) => x.def?.kind === "authorized" && !x.name.endsWith("#logout"))) {
      const result = await a.fn(null, { definitely: "not valid" });
      if (a.def?.kind === "authorized" && a.def.role === "admin") expect(result.code, a.name).toBe("forbidden");
      else expect(result.code, a.name).not.toBe("forbidden");
    }
  });

  it("an admin gets field errors in Portuguese for an empty form, not an exception", async () => {
    session.real = false;
    session.user = user("admin");
    const invite = actions.find((a) => a.name.endsWith("#inviteUser"))!;
    const result = (await invite.fn(null, new FormData())) as { ok: false; code: string; fieldErrors: Record<string, string[]> };
    expect(result.code).toBe("invalid");
    expect(Object.keys(result.fieldErrors).sort()).toEqual(["email", "name", "password", "role"]);
    expect(result.fieldErrors.role![0]).toMatch(/Escolha o perfil/);
  });
});
