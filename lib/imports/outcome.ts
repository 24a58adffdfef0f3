import { formatInt } from "./fields";
import type { ImportView } from "./store";

// What an import that did not finish left in the base, line by line of the file, for the result screen. Batches
// commit one by one (lib/imports/run.ts says why), and the status records each batch before writing it, so the
// lines split into: settled (written, left as they were, or refused with a reason), at most one batch that may or
// may not have committed (only when the server itself went down), and the rest, never written. Client-safe.

export type OutcomeLine = { kind: "written" | "uncertain" | "not_written"; text: string };

const plural = (n: number, one: string, many: string) => `${formatInt(n)} ${n === 1 ? one : many}`;

const range = (from: number, to: number) =>
  from === to ? `Linha ${formatInt(from)}` : `Linhas ${formatInt(from)} a ${formatInt(to)}`;

export const describeStoppedImport = (view: ImportView): OutcomeLine[] => {
  const counts = view.counts ?? view.progress?.counts;
  const written = view.progress?.written;
  const wrote = counts ? counts.created + counts.updated : 0;
  const skipped = counts?.skipped ?? 0;
  const writing = written?.writing ?? null;
  const report: OutcomeLine[] = view.errorCount
    ? [{ kind: "not_written", text: `O relatório traz cada linha não gravada (${formatInt(view.errorCount)}), com o motivo.` }]
    : [];
  if (!written || (wrote === 0 && skipped === 0 && !writing))
    return [{ kind: "not_written", text: "Nenhum contato foi gravado: a base ficou como estava." }, ...report];

  const lines: OutcomeLine[] = [];
  const first = view.summary.preview[0]?.line ?? 2;
  if (counts && (wrote > 0 || skipped > 0)) {
    const detail = `${plural(counts.created, "novo", "novos")} e ${plural(counts.updated, "atualizado", "atualizados")}`;
    const kept = !skipped
      ? ""
      : skipped === 1
        ? " 1 já existia e ficou como estava."
        : ` ${formatInt(skipped)} já existiam e ficaram como estavam.`;
    lines.push({
      kind: "written",
      text: `Gravados: ${plural(wrote, "contato", "contatos")} (${detail}), das linhas ${formatInt(first)} a ${formatInt(written.settledThrough)}.${kept}`,
    });
  }
  if (writing)
    lines.push({
      kind: "uncertain",
      text:
        writing.from === writing.to
          ? `Linha ${formatInt(writing.from)}: estava sendo gravada quando a importação parou e pode ter entrado ou não.`
          : `${range(writing.from, writing.to)}: estavam sendo gravadas quando a importação parou e podem ter entrado ou não.`,
    });
  const next = (writing?.to ?? written.settledThrough) + 1;
  if (next <= written.lastLine)
    lines.push({ kind: "not_written", text: `${range(next, written.lastLine)}: nada foi gravado.` });
  return [...lines, ...report];
};
