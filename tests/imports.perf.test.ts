import { eq, sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { getDb } from "@/db/client";
import { contacts, wallets } from "@/db/schema";
import { acceptUpload, prepareImport } from "@/lib/imports/job";
import { undoImport } from "@/lib/imports/undo";
import { createOrganization, createUser } from "./support/fixtures";

// How long a large import takes, through the same steps as the screen (upload read and stored, then the run
// with its status writes): IMPORT_BENCH=1 [IMPORT_BENCH_ROWS=100000] [IMPORT_BENCH_FORMAT=xlsx]
// npx vitest run --project integration tests/imports.perf.test.ts. Off by default: it takes most of a minute.
const ROWS = Number(process.env.IMPORT_BENCH_ROWS ?? 100_000);
const FORMAT = process.env.IMPORT_BENCH_FORMAT === "xlsx" ? "xlsx" : "csv";
const UFS = ["SP", "Rio de Janeiro", "MG", "bahia", "PR", "RS"];
// Past ~150,000 rows the full columns no longer fit in the 10 MB limit: fewer columns, same work per row.
const COMPACT = ROWS > 150_000;
const HEADER = COMPACT ? ["Nome", "Telefone", "UF", "Opt-in"] : ["Nome", "Telefone", "Cidade", "UF", "Opt-in", "Etiquetas"];
const row = (i: number) =>
  COMPACT
    ? [`P ${i}`, `119${String(10_000_000 + i)}`, UFS[i % UFS.length]!, i % 3 ? "sim" : "não"]
    : [
        `Pessoa ${i} da Silva`,
        `(11) 9${String(10_000_000 + i)}`,
        "São Paulo",
        UFS[i % UFS.length]!,
        i % 3 ? "sim" : "não",
        i % 5 ? "VIP" : "VIP, Feira",
      ];

const fileBytes = async () => {
  if (FORMAT === "csv") {
    const lines = [HEADER.join(";")];
    for (let i = 0; i < ROWS; i++) lines.push(row(i).join(";"));
    return new TextEncoder().encode(lines.join("\r\n"));
  }
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("Contatos");
  ws.addRow(HEADER);
  for (let i = 0; i < ROWS; i++) ws.addRow(row(i));
  return new Uint8Array(await wb.xlsx.writeBuffer());
};

describe.runIf(process.env.IMPORT_BENCH)(`import of ${ROWS} rows (${FORMAT})`, () => {
  it("reads and writes them, a tenth already in the base, then undoes it", { timeout: 600_000 }, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "disparo-imports-bench-"));
    process.env.DISPARO_IMPORTS_DIR = dir;
    try {
      const db = getDb();
      const org = await createOrganization();
      const user = await createUser(org.id, "operador");
      const [wallet] = await db.insert(wallets).values({ organizationId: org.id, name: "Varejo" }).returning();
      await db.execute(sql`
        insert into contacts (organization_id, name, phone, opt_in_status)
        select ${org.id}::uuid, 'Antigo ' || i, '+55119' || (10000000 + i)::text, 'none'
        from generate_series(0, ${ROWS / 10 - 1}) i`);
      const bytes = await fileBytes();

      let t = performance.now();
      const uploaded = await acceptUpload({ organizationId: org.id, userId: user.id, fileName: `bench.${FORMAT}`, bytes });
      const uploadMs = performance.now() - t;
      t = performance.now();
      const run = await prepareImport(db, {
        organizationId: org.id,
        userId: user.id,
        timeZone: "America/Sao_Paulo",
        id: uploaded.id,
        settings: {
          mapping: uploaded.summary.guessedMapping,
          tagIds: [],
          walletId: wallet!.id,
          chipId: null,
          defaultOptInStatus: "none",
          defaultOptInSource: "import",
          duplicates: "update",
        },
      });
      const done = await run();
      const runMs = performance.now() - t;
      console.log(
        `[bench] ${ROWS} linhas ${FORMAT}, ${(bytes.length / 1e6).toFixed(1)} MB: envio (leitura + prévia) ` +
          `${(uploadMs / 1000).toFixed(1)} s, importação ${(runMs / 1000).toFixed(1)} s, ` +
          `rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`,
      );
      expect(done.counts).toEqual({ total: ROWS, created: ROWS * 0.9, updated: ROWS * 0.1, skipped: 0, failed: 0 });
      const count = async () =>
        (await db.select({ n: sql<number>`count(*)::int` }).from(contacts).where(eq(contacts.organizationId, org.id)))[0]!.n;
      expect(await count()).toBe(ROWS);

      // And its undo: one transaction over every contact the import wrote.
      t = performance.now();
      const { outcome } = await undoImport(db, { organizationId: org.id, userId: user.id, timeZone: "America/Sao_Paulo" }, uploaded.id);
      console.log(`[bench] desfazer: ${((performance.now() - t) / 1000).toFixed(1)} s`);
      expect(outcome).toMatchObject({ removed: ROWS * 0.9, restored: ROWS * 0.1 });
      expect(await count()).toBe(ROWS / 10);
    } finally {
      delete process.env.DISPARO_IMPORTS_DIR;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
