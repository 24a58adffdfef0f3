import { describe, expect, it } from "vitest";
import { describeStoppedImport } from "./outcome";
import type { ImportView } from "./store";

const view = (over: Partial<ImportView>): ImportView => ({
  id: "3f1c2a4e-0000-4000-8000-000000000001",
  fileName: "clientes.xlsx",
  fileSize: 1000,
  uploadedAt: "2026-12-01T12:00:00Z",
  updatedAt: "2026-12-01T12:00:10Z",
  state: "failed",
  summary: {
    format: "xlsx",
    encoding: null,
    delimiter: null,
    headers: ["Nome", "Telefone"],
    preview: [{ line: 2, cells: ["Ana", "11987654321"] }],
    totalRows: 3500,
    guessedMapping: { name: 0, phone: 1 },
  },
  ...over,
});

const counts = (c: { created: number; updated: number; skipped?: number; failed?: number }) => ({
  total: 3500,
  skipped: 0,
  failed: 0,
  ...c,
});

describe("describeStoppedImport", () => {
  it("a server that went down mid-batch: lines written, the batch that may or may not be in, and the rest", () => {
    const lines = describeStoppedImport(
      view({
        progress: {
          phase: "writing",
          processed: 2000,
          total: 3500,
          counts: counts({ created: 1500, updated: 480, skipped: 20 }),
          written: { settledThrough: 2001, writing: { from: 2002, to: 3001 }, lastLine: 3501 },
        },
      }),
    );
    expect(lines).toEqual([
      {
        kind: "written",
        text: "Gravados: 1.980 contatos (1.500 novos e 480 atualizados), das linhas 2 a 2.001. 20 já existiam e ficaram como estavam.",
      },
      { kind: "uncertain", text: "Linhas 2.002 a 3.001: estavam sendo gravadas quando a importação parou e podem ter entrado ou não." },
      { kind: "not_written", text: "Linhas 3.002 a 3.501: nada foi gravado." },
    ]);
  });

  it("a run that stopped between batches, with its report of every line not written", () => {
    const lines = describeStoppedImport(
      view({
        counts: counts({ created: 1, updated: 0, failed: 1499 }),
        errorCount: 1499,
        progress: {
          phase: "writing",
          processed: 2000,
          total: 3500,
          counts: counts({ created: 1, updated: 0 }),
          written: { settledThrough: 2001, writing: null, lastLine: 3501 },
        },
      }),
    );
    expect(lines).toEqual([
      { kind: "written", text: "Gravados: 1 contato (1 novo e 0 atualizados), das linhas 2 a 2.001." },
      { kind: "not_written", text: "Linhas 2.002 a 3.501: nada foi gravado." },
      { kind: "not_written", text: "O relatório traz cada linha não gravada (1.499), com o motivo." },
    ]);
  });

  it("nothing written: stopped before the first batch, or while reading the file", () => {
    const nothing = [{ kind: "not_written", text: "Nenhum contato foi gravado: a base ficou como estava." }];
    expect(describeStoppedImport(view({}))).toEqual(nothing);
    expect(
      describeStoppedImport(
        view({
          progress: {
            phase: "writing",
            processed: 0,
            total: 3500,
            counts: counts({ created: 0, updated: 0 }),
            written: { settledThrough: 1, writing: null, lastLine: 3501 },
          },
        }),
      ),
    ).toEqual(nothing);
  });
});
