import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/db/client";
import { auditLog, organizations, templates } from "@/db/schema";
import type { CurrentUser } from "@/lib/auth/session";
import { createOrganization, createUser } from "./support/fixtures";

// The settings actions end to end through authorizedAction, against the database: only the session source and
// Next's cache invalidation (no request here) are replaced.
const session = vi.hoisted(() => ({ user: null as CurrentUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));

const { saveOrganization } = await import("@/app/(app)/configuracoes/actions");
const { setTemplateOptInAction } = await import("@/app/(app)/configuracoes/templates/actions");

const signedIn = async (organizationId: string, role: CurrentUser["role"]): Promise<CurrentUser> => {
  const u = await createUser(organizationId, role);
  return { id: u.id, organizationId, role, name: u.name, email: u.email, organizationName: "Org", timeZone: "America/Sao_Paulo", sessionId: crypto.randomUUID() };
};

let orgId: string;
let otherOrgId: string;
let approvedId: number;
let otherOrgTemplateId: number;

beforeAll(async () => {
  orgId = (await createOrganization()).id;
  otherOrgId = (await createOrganization()).id;
  const row = (organizationId: string, name: string) => ({ organizationId, wabaId: "200000000000001", name, category: "marketing" as const, status: "approved" as const });
  [{ id: approvedId }] = await getDb().insert(templates).values(row(orgId, "boas_vindas_optin")).returning({ id: templates.id });
  [{ id: otherOrgTemplateId }] = await getDb().insert(templates).values(row(otherOrgId, "boas_vindas_optin")).returning({ id: templates.id });
});

const orgForm = (fields: Record<string, string>) => {
  const form = new FormData();
  const base = { card: "frequencyCap" };
  for (const [k, v] of Object.entries({ ...base, ...fields })) form.set(k, v);
  return form;
};

describe("Configurações › Organização: the frequency cap through saveOrganization", () => {
  it("an admin turns it on (2 em 7 dias), gets field errors in Portuguese for bad numbers, and turns it off", async () => {
    session.user = await signedIn(orgId, "admin");
    expect(await saveOrganization(null, orgForm({ frequencyCapEnabled: "on", frequencyCapMessages: "2", frequencyCapDays: "7" }))).toMatchObject({ ok: true });
    const read = async () => (await getDb().select().from(organizations).where(eq(organizations.id, orgId)))[0]!;
    expect(await read()).toMatchObject({ frequencyCapMessages: 2, frequencyCapDays: 7 });

    const bad = await saveOrganization(null, orgForm({ frequencyCapEnabled: "on", frequencyCapMessages: "60" }));
    expect(bad).toMatchObject({
      ok: false,
      code: "invalid",
      fieldErrors: { frequencyCapMessages: ["Use um número inteiro de 1 a 50 mensagens."], frequencyCapDays: [expect.stringMatching(/^Informe o período/)] },
    });
    expect(await read()).toMatchObject({ frequencyCapMessages: 2, frequencyCapDays: 7 });

    expect(await saveOrganization(null, orgForm({}))).toMatchObject({ ok: true });
    expect(await read()).toMatchObject({ frequencyCapMessages: null, frequencyCapDays: null });
    const audits = await getDb().select().from(auditLog).where(and(eq(auditLog.organizationId, orgId), eq(auditLog.action, "organization.update")));
    expect(audits).toHaveLength(2);
  });

  it("a gestor cannot change it", async () => {
    session.user = await signedIn(orgId, "gestor");
    expect(await saveOrganization(null, orgForm({ frequencyCapEnabled: "on", frequencyCapMessages: "5", frequencyCapDays: "7" }))).toMatchObject({ ok: false, code: "forbidden" });
  });
});

describe("Configurações › Templates: Pedido de opt-in through setTemplateOptInAction", () => {
  const flag = async (id: number) => (await getDb().select().from(templates).where(eq(templates.id, id)))[0]!.isOptInRequest;

  it("a gestor marks and unmarks a template of the organization", async () => {
    session.user = await signedIn(orgId, "gestor");
    const marked = await setTemplateOptInAction(null, { id: approvedId, optInRequest: true });
    expect(marked).toMatchObject({ ok: true, message: expect.stringContaining("boas_vindas_optin marcado como pedido de opt-in") });
    expect(await flag(approvedId)).toBe(true);
    const form = new FormData();
    form.set("id", String(approvedId));
    form.set("optInRequest", "false");
    expect(await setTemplateOptInAction(null, form)).toMatchObject({ ok: true, message: "boas_vindas_optin não é mais um pedido de opt-in." });
    expect(await flag(approvedId)).toBe(false);
  });

  it("an operador is refused; another organization's template is not found; bad input gets Portuguese errors", async () => {
    session.user = await signedIn(orgId, "operador");
    expect(await setTemplateOptInAction(null, { id: approvedId, optInRequest: true })).toMatchObject({ ok: false, code: "forbidden" });
    expect(await flag(approvedId)).toBe(false);

    session.user = await signedIn(orgId, "admin");
    expect(await setTemplateOptInAction(null, { id: otherOrgTemplateId, optInRequest: true })).toMatchObject({
      ok: false,
      code: "not_found",
      message: "Template não encontrado.",
    });
    expect(await flag(otherOrgTemplateId)).toBe(false);

    expect(await setTemplateOptInAction(null, { id: "x", optInRequest: "talvez" } as never)).toMatchObject({
      ok: false,
      code: "invalid",
      fieldErrors: { id: ["Template inválido."], optInRequest: [expect.stringMatching(/pedido de opt-in/)] },
    });
  });
});
