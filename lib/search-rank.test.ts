import { describe, expect, it } from "vitest";
import { UFS } from "@/lib/segments/filter";
import { rankOptions } from "./search-rank";

const ufOptions = UFS.map((u) => ({ value: u.uf, label: `${u.uf} — ${u.name}` }));
const first = (q: string) => rankOptions(ufOptions, q)[0]?.value;

describe("rankOptions (the pickers' order)", () => {
  it("an exact code or name comes first: SP is São Paulo, not Espírito Santo", () => {
    expect(first("SP")).toBe("SP");
    expect(first("sp")).toBe("SP");
    expect(first("ES")).toBe("ES");
    expect(first("Sao Paulo")).toBe("SP");
    expect(first("pará")).toBe("PA");
  });
  it("then labels that begin with the query, then words that do, then the rest; accents and case ignored", () => {
    expect(rankOptions(ufOptions, "para").map((o) => o.value).slice(0, 3)).toEqual(["PA", "PB", "PR"]);
    expect(first("rio")).toBe("RJ");
    expect(rankOptions(ufOptions, "xyz")).toEqual([]);
    expect(rankOptions(ufOptions, "  ")).toEqual(ufOptions);
  });
});

describe("rankOptions for etiquetas (the contact page's picker)", () => {
  const tags = ["Black Friday 2026", "Calçados infantis", "Calçados", "Cliente VIP", "Acessórios", "Frete grátis", "Dia das Mães"].map((label, i) => ({ value: i + 1, label }));
  const labels = (q: string) => rankOptions(tags, q).map((o) => o.label);
  it("typed without accents or capitals, the exact name comes before longer names that begin with it", () => {
    expect(labels("calcados")).toEqual(["Calçados", "Calçados infantis"]);
    expect(labels("ACESSORIOS")).toEqual(["Acessórios"]);
  });
  it("a word of the name finds it; a piece inside a word comes last", () => {
    expect(labels("gratis")).toEqual(["Frete grátis"]);
    expect(labels("vip")).toEqual(["Cliente VIP"]);
    expect(labels("da")).toEqual(["Dia das Mães", "Black Friday 2026"]);
  });
});
