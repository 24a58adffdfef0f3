import { describe, expect, it } from "vitest";
import type { ColumnMapping } from "./fields";
import { cleanCell, normalizeUf, parseDate, parseOptInSource, parseOptInStatus, splitTags, validateRow } from "./validate";

const ctx = { timeZone: "America/Sao_Paulo", now: new Date("2026-05-10T12:00:00Z") };
const mapping: ColumnMapping = { name: 0, phone: 1, city: 2, state: 3, optInStatus: 4, optInSource: 5, optInAt: 6, tags: 7 };
const row = (cells: Partial<Record<keyof typeof mapping, string>>) => {
  const out = Array<string>(8).fill("");
  for (const [k, v] of Object.entries(cells)) out[mapping[k as keyof ColumnMapping]!] = v!;
  return out;
};

describe("normalizeUf", () => {
  it.each([
    ["SP", "SP"],
    ["sp", "SP"],
    ["S.P.", "SP"],
    ["São Paulo", "SP"],
    ["SAO PAULO", "SP"],
    ["rio grande do sul", "RS"],
    ["Pará", "PA"],
    ["Paraíba", "PB"],
    ["Brasília", "DF"],
  ])("%s → %s", (input, uf) => expect(normalizeUf(input)).toBe(uf));

  it("refuses what is not one of the 27", () => {
    expect(normalizeUf("XX")).toBeNull();
    expect(normalizeUf("Paulista")).toBeNull();
  });
});

describe("opt-in words", () => {
  it.each([
    ["sim", "opted_in"],
    ["SIM", "opted_in"],
    ["Opt-in", "opted_in"],
    ["aceitou", "opted_in"],
    ["VERDADEIRO", "opted_in"],
    ["não", "none"],
    ["Nao", "none"],
    ["descadastrado", "opted_out"],
    ["SAIR", "opted_out"],
    ["opt-out", "opted_out"],
    ["pendente", "pending"],
  ])("%s → %s", (word, status) => expect(parseOptInStatus(word)).toBe(status));

  it("does not guess an unknown answer", () => {
    expect(parseOptInStatus("talvez")).toBeNull();
  });

  it("reads the origin in Portuguese", () => {
    expect(parseOptInSource("Formulário do site")).toBe("form");
    expect(parseOptInSource("loja física")).toBe("manual");
    expect(parseOptInSource("WhatsApp")).toBe("whatsapp_reply");
    expect(parseOptInSource("template de opt-in")).toBe("optin_template");
    expect(parseOptInSource("planilha")).toBe("import");
    expect(parseOptInSource("pombo-correio")).toBeNull();
  });
});

describe("parseDate", () => {
  it("reads dd/mm/aaaa in the organization's time zone", () => {
    expect(parseDate("15/03/2025", "America/Sao_Paulo")?.toISOString()).toBe("2025-03-15T03:00:00.000Z");
    expect(parseDate("15/03/2025 14:30", "America/Sao_Paulo")?.toISOString()).toBe("2025-03-15T17:30:00.000Z");
    expect(parseDate("5/3/25", "America/Manaus")?.toISOString()).toBe("2025-03-05T04:00:00.000Z");
  });

  it("reads ISO dates, with or without a zone", () => {
    expect(parseDate("2025-03-15", "America/Sao_Paulo")?.toISOString()).toBe("2025-03-15T03:00:00.000Z");
    expect(parseDate("2025-03-15T10:00:00Z", "America/Sao_Paulo")?.toISOString()).toBe("2025-03-15T10:00:00.000Z");
    expect(parseDate("2025-03-15 10:00-0300", "America/Sao_Paulo")?.toISOString()).toBe("2025-03-15T13:00:00.000Z");
  });

  it("refuses dates that do not exist or are not dates", () => {
    for (const v of ["31/02/2025", "13/13/2025", "2025-02-30", "ontem", "15/03", "15/03/1850"])
      expect(parseDate(v, "America/Sao_Paulo"), v).toBeNull();
  });
});

describe("cells", () => {
  it("splits etiquetas on commas and semicolons, each once", () => {
    expect(splitTags(" VIP, Cliente;vip | Black  Friday ,, ")).toEqual(["VIP", "Cliente", "Black Friday"]);
  });

  it("drops the spreadsheet's text mark in front of a formula-like value, and nothing else", () => {
    expect(cleanCell("'=HYPERLINK(\"x\")")).toBe('=HYPERLINK("x")');
    expect(cleanCell("'+55 11 98765-4321")).toBe("+55 11 98765-4321");
    expect(cleanCell("'Ana'")).toBe("'Ana'");
    expect(cleanCell("  Ana  ")).toBe("Ana");
  });
});

describe("validateRow", () => {
  it("turns a good row into a contact: E.164 with the ninth digit, UF by name, opt-in, date, etiquetas", () => {
    const result = validateRow(
      2,
      row({
        name: " Maria  Silva ",
        phone: "(11) 8765-4321",
        city: "São Paulo",
        state: "são paulo",
        optInStatus: "Sim",
        optInSource: "formulário",
        optInAt: "15/03/2025",
        tags: "VIP, Cliente",
      }),
      mapping,
      ctx,
    );
    expect(result).toEqual({
      ok: true,
      row: {
        line: 2,
        phone: "+5511987654321",
        name: "Maria Silva",
        city: "São Paulo",
        state: "SP",
        optInStatus: "opted_in",
        optInSource: "form",
        optInAt: new Date("2025-03-15T03:00:00.000Z"),
        tags: ["VIP", "Cliente"],
      },
    });
  });

  it("keeps formula-like text as text, never runs it", () => {
    const result = validateRow(3, row({ name: '=HYPERLINK("http://x.io","Clique")', phone: "11987654321" }), mapping, ctx);
    expect(result).toMatchObject({ ok: true, row: { name: '=HYPERLINK("http://x.io","Clique")' } });
  });

  it("leaves the name empty for the writer to decide (an existing contact keeps its own)", () => {
    expect(validateRow(4, row({ phone: "11987654321" }), mapping, ctx)).toMatchObject({ ok: true, row: { name: null } });
  });

  it("explains every problem of a row in Portuguese, at once", () => {
    const result = validateRow(
      5,
      row({ name: "Ana", phone: "123", state: "XX", optInStatus: "talvez", optInAt: "31/02/2025", optInSource: "pombo" }),
      mapping,
      ctx,
    );
    expect(result.ok).toBe(false);
    const reason = (result as { reason: string }).reason;
    expect(reason).toContain("Telefone curto demais: inclua o DDD.");
    expect(reason).toContain("UF “XX” não existe: use a sigla (SP, RJ, MG…) ou o nome do estado.");
    expect(reason).toContain("Opt-in “talvez” não reconhecido: use sim, não, pendente ou descadastrado.");
    expect(reason).toContain("Data do opt-in “31/02/2025” inválida: use dd/mm/aaaa, por exemplo 15/03/2025.");
    expect(reason).toContain("Origem do opt-in “pombo” não reconhecida");
    expect((result as { kinds: string[] }).kinds.sort()).toEqual(["optInAt", "optInSource", "optInStatus", "phone", "state"]);
  });

  it("tells the person when Excel turned the phone into scientific notation", () => {
    const result = validateRow(6, row({ name: "Ana", phone: "5,51199E+12" }), mapping, ctx);
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/notação científica \(5,51199E\+12\)/) });
  });

  it("says a phone cell without digits is probably the wrong column", () => {
    const result = validateRow(6, row({ name: "Ana", phone: "ana@loja.com.br" }), mapping, ctx);
    expect(result).toEqual({
      ok: false,
      line: 6,
      reason: "Telefone “ana@loja.com.br” não tem números: confira se a coluna do telefone é a certa.",
      kinds: ["phone"],
    });
  });

  it("refuses an opt-in date in the future", () => {
    const result = validateRow(7, row({ name: "Ana", phone: "11987654321", optInStatus: "sim", optInAt: "01/01/2030" }), mapping, ctx);
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/está no futuro/) });
  });

  it("joins a separate surname column to the name", () => {
    const m: ColumnMapping = { name: 0, surname: 1, phone: 2 };
    expect(validateRow(8, ["Ana", " Lima ", "11987654321"], m, ctx)).toMatchObject({ ok: true, row: { name: "Ana Lima" } });
    expect(validateRow(8, ["", "Lima", "11987654321"], m, ctx)).toMatchObject({ ok: true, row: { name: "Lima" } });
  });

  it("puts a separate DDD column in front of a local number", () => {
    const m: ColumnMapping = { name: 0, ddd: 1, phone: 2 };
    expect(validateRow(8, ["Ana", "21", "9 8877-6655"], m, ctx)).toMatchObject({ ok: true, row: { phone: "+5521988776655" } });
    expect(validateRow(9, ["Ana", "21", "+55 11 98877-6655"], m, ctx)).toMatchObject({ ok: true, row: { phone: "+5511988776655" } });
  });
});
