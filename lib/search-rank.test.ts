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
