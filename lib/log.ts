// What a log line may say about an error. A database error's message and detail carry the values of the failed
// statement (postgres.js: `invalid input syntax for type uuid: "…"`, `Key (lower(email))=(…) already exists`;
// drizzle: the whole query and its parameters — e-mails, password hashes, names, phones), so from one only the
// SQLSTATE code, constraint, table and column are written. Other errors keep a short first line with e-mails
// and long digit runs masked. Framework-free: the request guard, the worker and scripts use it too.

type PgFields = { code?: unknown; constraint_name?: unknown; table_name?: unknown; column_name?: unknown };

const MAX_DEPTH = 5;
const MAX_MESSAGE = 200;

const str = (v: unknown) => (typeof v === "string" && v ? v : undefined);
// Codes and identifiers only (SQLSTATE, ECONNREFUSED, a constraint name): anything else is not written.
const ident = (v: unknown) => {
  const s = typeof v === "number" ? String(v) : str(v);
  return s && /^[\w.$-]{1,63}$/.test(s) ? s : undefined;
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;

// postgres.js raises PostgresError with the server's fields (severity, SQLSTATE code, constraint_name…);
// drizzle wraps it in DrizzleQueryError (query, params, cause).
const isPostgresError = (e: Record<string, unknown>) =>
  e.name === "PostgresError" || (typeof e.severity === "string" && typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code));
const isQueryWrapper = (e: Record<string, unknown>) => "query" in e && "params" in e;

const causes = (err: unknown) => {
  const chain: Record<string, unknown>[] = [];
  for (let e: unknown = err; isObject(e) && chain.length < MAX_DEPTH && !chain.includes(e); e = e.cause) chain.push(e);
  return chain;
};

const className = (e: Record<string, unknown>) => {
  const name = str(e.name) ?? (e.constructor as { name?: string } | undefined)?.name ?? "Error";
  return /^[\w$.-]{1,60}$/.test(name) ? name : "Error";
};

const redact = (text: string) =>
  text
    .replace(/[^\s@"'<>()]+@[^\s@"'<>()]+\.[^\s@"'<>()]+/g, "<e-mail>")
    .replace(/\+?\d[\d\s()-]{6,}\d/g, (m) => (m.replace(/\D/g, "").length >= 8 ? "<número>" : m));

// The first frame of our own code, so a generic "falhou" says where.
const location = (e: Record<string, unknown>) => {
  const stack = str(e.stack);
  if (!stack) return undefined;
  const cwd = typeof process !== "undefined" && typeof process.cwd === "function" ? `${process.cwd()}/` : "/";
  for (const line of stack.split("\n").slice(1)) {
    const m = /(?:\(|at (?:async )?)(?:file:\/\/)?(\/[^\s()]+):(\d+):\d+\)?$/.exec(line.trim());
    if (!m || m[1]!.includes("/node_modules/")) continue;
    return `${m[1]!.startsWith(cwd) ? m[1]!.slice(cwd.length) : m[1]}:${m[2]}`;
  }
  return undefined;
};

/**
 * One line describing an error, safe for the log: `PostgresError 23505 constraint=users_email_unique table=users`,
 * or `TypeError: Cannot read properties of undefined (reading 'id') at lib/x.ts:12`. Never a database error's
 * message, detail, query or parameters.
 */
export const describeError = (err: unknown, options: { location?: boolean } = {}): string => {
  const chain = causes(err);
  if (!chain.length) return err === undefined || err === null ? String(err) : `valor lançado (${typeof err})`;
  const pg = chain.find(isPostgresError) as (Record<string, unknown> & PgFields) | undefined;
  const where = options.location === false ? undefined : location(chain[0]!);
  if (pg || chain.some(isQueryWrapper)) {
    const named = (key: string, v: unknown) => (ident(v) ? `${key}=${ident(v)}` : undefined);
    const fields = pg
      ? [ident(pg.code), named("constraint", pg.constraint_name), named("table", pg.table_name), named("column", pg.column_name)]
      : [ident(chain.at(-1)!.code)];
    return [pg ? "PostgresError" : "erro de consulta", ...fields, where && `at ${where}`].filter(Boolean).join(" ");
  }
  const [top] = chain;
  const code = chain.map((e) => ident(e.code)).find(Boolean);
  const message = redact((str(top!.message) ?? "").split("\n")[0]!).slice(0, MAX_MESSAGE);
  const cause = chain[1] ? className(chain[1]) : undefined;
  return [
    `${className(top!)}${code ? ` ${code}` : ""}${message ? `: ${message}` : ""}`,
    cause && `(causa: ${cause})`,
    where && `at ${where}`,
  ]
    .filter(Boolean)
    .join(" ");
};
