import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { getDb } from "@/db/client";
import { users } from "@/db/schema";
import type { CurrentUser } from "@/lib/auth/session";
import { hashPassword } from "@/lib/auth/password";
import { describeError } from "@/lib/log";
import { createOrganization, createUser } from "./support/fixtures";

// The wrappers end to end against the database; only the session source is replaced (no request here).
const session = vi.hoisted(() => ({ user: null as CurrentUser | null }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => session.user }));

const { authorizedAction } = await import("@/lib/auth/action");
const { authorizedRoute } = await import("@/lib/auth/route");

// A failed query's message names the statement and every parameter: here a person's e-mail, name and hash.
const insertDuplicateUser = async (db: ReturnType<typeof getDb>) => {
  const existing = await createUser(session.user!.organizationId, "operador");
  await db.insert(users).values({
    organizationId: existing.organizationId,
    name: "Maria da Silva Pereira",
    email: existing.email.toUpperCase(),
    passwordHash: await hashPassword("senha-da-maria"),
    role: "operador",
  });
};

const signIn = async () => {
  const org = await createOrganization();
  const u = await createUser(org.id, "admin");
  session.user = { id: u.id, organizationId: org.id, role: "admin", name: u.name, email: u.email, organizationName: "Org", timeZone: "America/Sao_Paulo", sessionId: crypto.randomUUID() };
};

const logged = (spy: { mock: { calls: unknown[][] } }) => spy.mock.calls.map((args) => args.map(String).join(" ")).join("\n");

describe("error logs carry the database error's code and constraint, never the values of the statement", () => {
  afterEach(() => vi.restoreAllMocks());

  it("an action that hits a unique violation: the user gets the generic message, the log has 23505 and the constraint, not the e-mail", async () => {
    await signIn();
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const saveCopy = authorizedAction({ name: "copiarUsuario", role: "admin", schema: z.object({}) }, async (_input, { db }) =>
      insertDuplicateUser(db),
    );
    expect(await saveCopy(null, {})).toEqual({
      ok: false,
      code: "error",
      message: "Algo deu errado do nosso lado. Tente de novo em instantes.",
    });
    const line = logged(error);
    expect(line).toMatch(/^\[action copiarUsuario\] falhou: PostgresError 23505 constraint=users_email_unique table=users\b/);
    expect(line.toLowerCase()).not.toContain(session.user!.organizationId);
    expect(line).not.toMatch(/@exemplo\.com\.br|Maria|scrypt|insert into|params/i);
  });

  it("a route that hits one: 500 in Portuguese, and the same safe line", async () => {
    await signIn();
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const GET = authorizedRoute({ role: "operador" }, async (_req, { db }) => {
      await insertDuplicateUser(db);
      return new Response("ok");
    });
    const res = await GET(new Request("http://localhost/api/exemplo"), { params: Promise.resolve({}) });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: "Algo deu errado do nosso lado. Tente de novo em instantes." });
    const line = logged(error);
    expect(line).toMatch(/^\[route \/api\/exemplo\] falhou: PostgresError 23505 constraint=users_email_unique table=users\b/);
    expect(line).not.toMatch(/@exemplo\.com\.br|Maria|scrypt|insert into|params/i);
  });

  it("describeError keeps out what postgres.js puts in the message of other failures (a bad value, a too-long text)", async () => {
    const org = await createOrganization();
    const failures = await Promise.all(
      [
        // invalid input syntax for type uuid: "<the value>"
        getDb().execute(`select * from users where id = '11999887766-maria@exemplo.com.br'`),
        // value for an enum: invalid input value for enum user_role: "<the value>"
        getDb().insert(users).values({ organizationId: org.id, name: "Maria", email: "maria@exemplo.com.br", passwordHash: "x", role: "maria@exemplo.com.br" as "admin" }),
      ].map((p) => Promise.resolve(p).then(() => null, (err: unknown) => err)),
    );
    for (const err of failures) {
      expect(err).toBeTruthy();
      const line = describeError(err);
      expect(line).toMatch(/^PostgresError 22P02\b/);
      expect(line).not.toMatch(/maria|11999887766|exemplo/i);
    }
  });
});
