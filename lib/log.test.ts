import { describe, expect, it } from "vitest";
import { describeError } from "./log";

// The shapes postgres.js and drizzle throw (checked against the real ones in tests/error-logging.test.ts).
const postgresError = (fields: Record<string, unknown>) =>
  Object.assign(new Error(String(fields.message)), { name: "PostgresError", severity: "ERROR", ...fields });
const drizzleError = (cause: unknown) =>
  Object.assign(new Error("Failed query: insert into users (email) values ($1)\nparams: ana@loja.com.br"), {
    query: "insert into users (email) values ($1)",
    params: ["ana@loja.com.br"],
    cause,
  });

describe("describeError", () => {
  it("of a database error: code, constraint, table and column only", () => {
    const unique = postgresError({
      message: 'duplicate key value violates unique constraint "users_email_unique"',
      detail: "Key (lower(email))=(ana@loja.com.br) already exists.",
      code: "23505",
      constraint_name: "users_email_unique",
      table_name: "users",
    });
    const line = describeError(drizzleError(unique));
    expect(line).toMatch(/^PostgresError 23505 constraint=users_email_unique table=users( at |$)/);
    expect(line).not.toMatch(/ana|loja|Key|duplicate|insert/);
    const notNull = postgresError({ message: 'null value in column "phone"', code: "23502", table_name: "contacts", column_name: "phone" });
    expect(describeError(notNull)).toMatch(/^PostgresError 23502 table=contacts column=phone/);
  });

  it("of a query that failed without a server error: never the query or its parameters", () => {
    const line = describeError(drizzleError(Object.assign(new Error("write CONNECTION_CLOSED localhost:5432"), { code: "CONNECTION_CLOSED" })));
    expect(line).toMatch(/^erro de consulta CONNECTION_CLOSED/);
    expect(line).not.toMatch(/ana|insert|params/);
  });

  it("of any other error: class, code and a first line with e-mails and phone numbers masked", () => {
    const err = Object.assign(new Error("Contato ana.souza@loja.com.br (+55 11 98765-4321) sem opt-in\nsegunda linha"), { code: "E_OPTIN" });
    const line = describeError(err);
    expect(line).toMatch(/^Error E_OPTIN: Contato <e-mail> \(<número>\) sem opt-in at lib\/log\.test\.ts:\d+$/);
    expect(describeError(new TypeError("Cannot read properties of undefined (reading 'id')"))).toMatch(
      /^TypeError: Cannot read properties of undefined \(reading 'id'\)/,
    );
    expect(describeError(new Error("x".repeat(1000))).length).toBeLessThan(300);
    expect(describeError(new Error("falhou"), { location: false })).toBe("Error: falhou");
  });

  it("of a thrown value that is not an error: only its type", () => {
    expect(describeError("ana@loja.com.br")).toBe("valor lançado (string)");
    expect(describeError(undefined)).toBe("undefined");
  });
});
