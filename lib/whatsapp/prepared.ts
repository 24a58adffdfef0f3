import type { SQLWrapper } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import type { Sql } from "postgres";
import type { Db } from "@/db/client";

// The webhook's hot statements as PREPARED statements. drizzle's postgres-js driver sends every unnamed query
// unprepared, so PostgreSQL parses and plans it on every call — at thousands of webhooks a second that was a
// large share of the database's time. Here the same drizzle SQL (query builders or sql``) is rendered once
// to text + parameters and sent with postgres.js `prepare: true`: parsed once per connection, plan reused.
// Rows come back as postgres.js returns them: snake_case column names, int8 as strings, timestamps as text.

const dialect = new PgDialect();

export type Row = Record<string, unknown>;
/** Runs one statement and returns its rows. */
export type Exec = <T extends Row = Row>(query: SQLWrapper) => Promise<T[]>;

const clientOf = (db: Db) => (db as { $client?: Sql }).$client;

const preparedExec =
  (client: Sql): Exec =>
  async <T extends Row>(query: SQLWrapper) => {
    const { sql: text, params } = dialect.sqlToQuery(query.getSQL());
    return (await client.unsafe(text, params as never[], { prepare: true })) as unknown as T[];
  };

/** One statement, its own transaction. */
export const execPrepared: (db: Db) => Exec = (db) => {
  const client = clientOf(db);
  if (client?.unsafe) return preparedExec(client);
  return async <T extends Row>(query: SQLWrapper) => [...(await db.execute(query.getSQL()))] as T[];
};
