import { formatInt } from "./fields";

// What undoing an import did, in numbers (stored on contact_imports.undo_outcome) and in words for the screen.
// Client-safe: the result screen and "Importações recentes" render it.

export type CreatedKeptReason = "campaign" | "messages" | "consent" | "edited";

export type UndoOutcome = {
  /** Contacts the import created, deleted. */
  removed: number;
  /** Contacts the import created, kept because deleting them would lose something. */
  keptCreated: Record<CreatedKeptReason, number>;
  /** Contacts the import updated, put back as they were. */
  restored: number;
  /** Contacts the import updated and someone edited since: left as they are now. */
  keptUpdated: number;
  consent: {
    /** Opt-in put back as it was (each with a consent event). */
    restored: number;
    /** Opted out now: undo never takes anyone out of opted_out. */
    keptOptedOut: number;
    /** Putting back would opt in someone who is not opted in now: never done. */
    keptNotOptedIn: number;
    /** The opt-in changed after the import (a reply, a person): the current one stays. */
    keptChanged: number;
  };
  tags: { removed: string[]; kept: number };
};

export const emptyUndoOutcome = (): UndoOutcome => ({
  removed: 0,
  keptCreated: { campaign: 0, messages: 0, consent: 0, edited: 0 },
  restored: 0,
  keptUpdated: 0,
  consent: { restored: 0, keptOptedOut: 0, keptNotOptedIn: 0, keptChanged: 0 },
  tags: { removed: [], kept: 0 },
});

const count = (n: number, one: string, many: string) => `${formatInt(n)} ${n === 1 ? one : many}`;

const joinAnd = (parts: string[]) =>
  parts.length <= 1 ? (parts[0] ?? "") : `${parts.slice(0, -1).join(", ")} e ${parts[parts.length - 1]}`;

/** What undo will do, for the result screen: "Desfazer remove os 3 contatos criados e devolve os 2 atualizados…". */
export const undoSummaryText = (created: number, updated: number) => {
  const removes = created === 1 ? "remove o contato criado" : `remove os ${formatInt(created)} contatos criados`;
  const restores =
    updated === 1 ? "devolve o contato atualizado ao que era" : `devolve os ${formatInt(updated)} contatos atualizados ao que eram`;
  const parts = [created ? removes : null, updated ? restores : null].filter(Boolean);
  return `Desfazer ${parts.join(" e ")}; o que mudou depois fica, e contamos cada um.`;
};

/** The confirmation's sentence: "12.340 contatos criados serão removidos, 210 atualizados voltam ao que eram." */
export const undoConfirmText = (created: number, updated: number) => {
  const parts = [
    created ? `${count(created, "contato criado será removido", "contatos criados serão removidos")}` : null,
    updated
      ? created
        ? `${formatInt(updated)} ${updated === 1 ? "atualizado volta ao que era" : "atualizados voltam ao que eram"}`
        : `${count(updated, "contato atualizado volta ao que era", "contatos atualizados voltam ao que eram")}`
      : null,
  ].filter((p): p is string => p !== null);
  return parts.length ? `${parts.join(", ")}.` : "Esta importação não gravou nenhum contato: nada muda na base.";
};

const keptReasonText: Record<CreatedKeptReason, (n: number) => string> = {
  campaign: (n) => `${formatInt(n)} ${n === 1 ? "recebeu campanha" : "receberam campanha"}`,
  messages: (n) => `${formatInt(n)} ${n === 1 ? "trocou mensagens" : "trocaram mensagens"} pelo WhatsApp`,
  consent: (n) => `${formatInt(n)} ${n === 1 ? "mudou" : "mudaram"} de opt-in depois da importação`,
  edited: (n) => `${formatInt(n)} ${n === 1 ? "foi editado" : "foram editados"} depois da importação`,
};

export type UndoLine = { kind: "done" | "kept"; text: string };

/** The undo's outcome in words: what was removed, what was put back, what stayed and why. */
export const describeUndo = (o: UndoOutcome): UndoLine[] => {
  const lines: UndoLine[] = [];
  if (o.removed)
    lines.push({
      kind: "done",
      text: `${count(o.removed, "contato criado pela importação foi removido", "contatos criados pela importação foram removidos")}.`,
    });
  if (o.restored)
    lines.push({
      kind: "done",
      text: `${count(o.restored, "contato atualizado voltou ao que era", "contatos atualizados voltaram ao que eram")} (nome, cidade, UF, carteira, etiquetas e chip).`,
    });
  if (o.consent.restored)
    lines.push({
      kind: "done",
      text: `${count(o.consent.restored, "opt-in voltou ao que era", "opt-ins voltaram ao que eram")}, com o registro de evidência (LGPD) em nome de quem desfez.`,
    });
  if (o.tags.removed.length)
    lines.push({
      kind: "done",
      text:
        o.tags.removed.length === 1
          ? `Etiqueta removida (criada pela importação e sem contatos agora): ${o.tags.removed[0]}.`
          : `Etiquetas removidas (criadas pela importação e sem contatos agora): ${o.tags.removed.join(", ")}.`,
    });

  const keptCreated = Object.values(o.keptCreated).reduce((a, b) => a + b, 0);
  if (keptCreated) {
    const reasons = (Object.keys(keptReasonText) as CreatedKeptReason[])
      .filter((r) => o.keptCreated[r] > 0)
      .map((r) => keptReasonText[r](o.keptCreated[r]));
    lines.push({
      kind: "kept",
      text: `${count(keptCreated, "contato criado ficou na base", "contatos criados ficaram na base")}, porque removê-${keptCreated === 1 ? "lo" : "los"} perderia o que aconteceu depois: ${joinAnd(reasons)}.`,
    });
  }
  if (o.keptUpdated)
    lines.push({
      kind: "kept",
      text: `${count(o.keptUpdated, "contato atualizado ficou como está", "contatos atualizados ficaram como estão")}: ${o.keptUpdated === 1 ? "foi editado" : "foram editados"} depois da importação.`,
    });
  if (o.consent.keptOptedOut)
    lines.push({
      kind: "kept",
      text: `${count(o.consent.keptOptedOut, "contato continua descadastrado", "contatos continuam descadastrados")} (opt-out): desfazer nunca tira ninguém do descadastro.`,
    });
  if (o.consent.keptNotOptedIn)
    lines.push({
      kind: "kept",
      text: `${count(o.consent.keptNotOptedIn, "contato ficou sem opt-in", "contatos ficaram sem opt-in")}: desfazer nunca dá opt-in a quem não o tem agora.`,
    });
  if (o.consent.keptChanged)
    lines.push({
      kind: "kept",
      text: `${count(o.consent.keptChanged, "contato mudou", "contatos mudaram")} de opt-in depois da importação e ${o.consent.keptChanged === 1 ? "ficou" : "ficaram"} com o opt-in atual.`,
    });
  if (o.tags.kept)
    lines.push({
      kind: "kept",
      text: `${count(o.tags.kept, "etiqueta criada pela importação ficou", "etiquetas criadas pela importação ficaram")}: ainda ${o.tags.kept === 1 ? "tem contatos ou é usada" : "têm contatos ou são usadas"} numa lista ou campanha.`,
    });
  if (!lines.length) lines.push({ kind: "done", text: "A importação não tinha gravado nenhum contato: nada mudou na base." });
  return lines;
};
