import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { readStatus } from "@/lib/imports/store";

/**
 * Runs an import with one of its batches held mid-write: a trigger makes the insert of the contact with `phone`
 * wait on an advisory lock the test holds, `whileHeld` runs once the status says the batch starting at line
 * `batchFrom` is being written, then the lock is released. Resolves with what the run resolved with.
 */
export const withImportHeld = async (
  db: Db,
  opts: { name: string; phone: string; organizationId: string; importId: string; batchFrom: number; run: () => Promise<unknown> },
  whileHeld: () => Promise<void>,
) => {
  if (!/^[a-z_]+$/.test(opts.name) || !/^\+\d+$/.test(opts.phone)) throw new Error("nome ou telefone inválido para o teste");
  const fn = sql.raw(`${opts.name}_wait`);
  await db.execute(sql`
    create or replace function ${fn}() returns trigger language plpgsql as $$
    begin
      if new.phone = ${sql.raw(`'${opts.phone}'`)} then perform pg_advisory_xact_lock(hashtext(${sql.raw(`'${opts.name}'`)})); end if;
      return new;
    end $$`);
  await db.execute(sql`create trigger ${fn} before insert on contacts for each row execute function ${fn}()`);
  try {
    let finished: Promise<unknown> = Promise.resolve();
    await db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${opts.name}))`);
      finished = opts.run();
      const deadline = Date.now() + 30_000;
      while ((await readStatus(opts.organizationId, opts.importId))?.progress?.written?.writing?.from !== opts.batchFrom) {
        if (Date.now() > deadline) throw new Error(`a importação não chegou ao lote da linha ${opts.batchFrom}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      await whileHeld();
    });
    return await finished;
  } finally {
    await db.execute(sql`drop trigger if exists ${fn} on contacts`);
  }
};
