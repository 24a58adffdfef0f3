import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

export type Db = PostgresJsDatabase<typeof schema>;
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

type Holder = { db?: Db; sql?: postgres.Sql; url?: string };
const holder = globalThis as unknown as { __disparoDb?: Holder };

export const createDb = (url: string, max = 10) => {
  const sql = postgres(url, { max, onnotice: () => {}, connection: { application_name: "disparo" } });
  return { sql, db: drizzle(sql, { schema, casing: undefined }) };
};

// One pool per process (kept on globalThis so dev reloads do not leak connections).
export const getDb = (): Db => {
  const h = (holder.__disparoDb ??= {});
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL não definida: rode pelo `npm run dev` ou defina a variável.");
  if (!h.db || h.url !== url) {
    const created = createDb(url, Number(process.env.DATABASE_POOL_MAX ?? 10));
    h.db = created.db;
    h.sql = created.sql;
    h.url = url;
  }
  return h.db;
};

export const closeDb = async () => {
  const h = holder.__disparoDb;
  if (h?.sql) await h.sql.end({ timeout: 5 });
  if (h) {
    h.db = undefined;
    h.sql = undefined;
  }
};
