import { describe, expect, it } from "vitest";
import { splitTags } from "@/lib/imports/validate";
import { tagSchema } from "./labels";

const issue = (name: string) => {
  const r = tagSchema.safeParse({ name });
  return r.success ? null : r.error.issues[0]!.message;
};

describe("etiqueta names", () => {
  it("accept what a marketing team writes", () => {
    for (const name of ["Calçados", "Black Friday 2026", "Campanha teste 22/05", "Pesquisa NPS — detrator"]) expect(issue(name)).toBeNull();
  });

  it("refuse the importer's separators, which would make the etiqueta unreachable from a file", () => {
    for (const name of ["Moda, verão", "VIP; ouro", "A|B"]) {
      expect(issue(name)).toMatch(/^Etiqueta: sem vírgula, ponto e vírgula ou barra vertical/);
      // What the importer would read from a file naming it: more than one etiqueta.
      expect(splitTags(name).length).toBeGreaterThan(1);
    }
  });

  it("say what to fix for empty and long names", () => {
    expect(issue("   ")).toBe("Informe o nome da etiqueta.");
    expect(issue("x".repeat(61))).toBe("Etiqueta: no máximo 60 caracteres.");
  });
});
