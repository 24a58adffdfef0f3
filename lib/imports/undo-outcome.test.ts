import { describe, expect, it } from "vitest";
import { describeUndo, emptyUndoOutcome, undoConfirmText, undoSummaryText } from "./undo-outcome";

describe("what undoing an import says", () => {
  it("the confirmation, in pt-BR numbers", () => {
    expect(undoConfirmText(12_340, 210)).toBe("12.340 contatos criados serão removidos, 210 atualizados voltam ao que eram.");
    expect(undoConfirmText(1, 1)).toBe("1 contato criado será removido, 1 atualizado volta ao que era.");
    expect(undoConfirmText(0, 2)).toBe("2 contatos atualizados voltam ao que eram.");
    expect(undoConfirmText(3, 0)).toBe("3 contatos criados serão removidos.");
    expect(undoConfirmText(0, 0)).toBe("Esta importação não gravou nenhum contato: nada muda na base.");
    expect(undoSummaryText(3, 0)).toBe("Desfazer remove os 3 contatos criados; o que mudou depois fica, e contamos cada um.");
    expect(undoSummaryText(1, 1_500)).toBe(
      "Desfazer remove o contato criado e devolve os 1.500 contatos atualizados ao que eram; o que mudou depois fica, e contamos cada um.",
    );
  });

  it("the outcome: what was done first, then what stayed and why", () => {
    const o = emptyUndoOutcome();
    expect(describeUndo(o)).toEqual([{ kind: "done", text: "A importação não tinha gravado nenhum contato: nada mudou na base." }]);
    o.removed = 2_000;
    o.keptCreated.campaign = 1;
    o.consent.keptChanged = 3;
    o.tags = { removed: ["Feira", "VIP"], kept: 0 };
    expect(describeUndo(o)).toEqual([
      { kind: "done", text: "2.000 contatos criados pela importação foram removidos." },
      { kind: "done", text: "Etiquetas removidas (criadas pela importação e sem contatos agora): Feira, VIP." },
      { kind: "kept", text: "1 contato criado ficou na base, porque removê-lo perderia o que aconteceu depois: 1 recebeu campanha." },
      { kind: "kept", text: "3 contatos mudaram de opt-in depois da importação e ficaram com o opt-in atual." },
    ]);
  });
});
