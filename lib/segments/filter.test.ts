import { describe, expect, it } from "vitest";
import {
  assertFilter,
  audienceFilterSchema,
  describeFilter,
  FilterValidationError,
  isCalendarDate,
  MAX_LIST,
  optInOf,
  parseFilter,
  UF_CODES,
  type AudienceFilter,
} from "./filter";

const messages = (input: unknown) => {
  const r = parseFilter(input);
  if (r.ok) throw new Error(`esperava erro, filtro aceito: ${JSON.stringify(r.filter)}`);
  return r.issues.map((i) => i.message);
};

const accept = (input: unknown) => {
  const r = parseFilter(input);
  if (!r.ok) throw new Error(`esperava aceitar: ${r.message}`);
  return r.filter;
};

describe("audience filter schema — accepted", () => {
  it("the smallest filter is just the version, and means only opted-in contacts", () => {
    const f = accept({ version: 1 });
    expect(f).toEqual({ version: 1 });
    expect(optInOf(f)).toEqual(["opted_in"]);
  });

  it("accepts every condition at once", () => {
    const f = accept({
      version: 1,
      tags: { any: [1, 2], all: [3], none: [4] },
      wallets: [7],
      period: { field: "last_interaction_at", from: "2026-02-01", to: "2026-02-28" },
      cities: [{ city: "São José", state: "SC" }],
      states: ["SC", "SP"],
      optIn: ["opted_in", "pending"],
      chips: [9, 10],
    });
    expect(f.tags).toEqual({ any: [1, 2], all: [3], none: [4] });
    expect(optInOf(f)).toEqual(["opted_in", "pending"]);
  });

  it("normalises UFs to upper case and trims city names", () => {
    const f = accept({ version: 1, states: [" sp", "rj"], cities: [{ city: "  Campinas ", state: "sp" }] });
    expect(f.states).toEqual(["SP", "RJ"]);
    expect(f.cities).toEqual([{ city: "Campinas", state: "SP" }]);
  });

  it("accepts an open-ended period, a one-day period and a leap day", () => {
    expect(accept({ version: 1, period: { field: "created_at", from: "2024-02-29" } }).period).toEqual({
      field: "created_at",
      from: "2024-02-29",
    });
    accept({ version: 1, period: { field: "created_at", to: "2026-03-01" } });
    accept({ version: 1, period: { field: "created_at", from: "2026-03-01", to: "2026-03-01" } });
  });

  it("accepts the JSON text as well as the object", () => {
    expect(accept('{"version":1,"states":["BA"]}')).toEqual({ version: 1, states: ["BA"] });
  });

  it(`accepts exactly ${MAX_LIST} ids in a list`, () => {
    const ids = Array.from({ length: MAX_LIST }, (_, i) => i + 1);
    expect(accept({ version: 1, tags: { any: ids } }).tags?.any).toHaveLength(MAX_LIST);
  });

  it("knows the 27 UFs", () => {
    expect(UF_CODES).toHaveLength(27);
    expect(new Set(UF_CODES).size).toBe(27);
  });
});

describe("audience filter schema — rejected, with a message that says what to fix", () => {
  it("an unknown version, before anything else", () => {
    expect(messages({ version: 2, tags: { any: [1] }, somethingNew: true })).toEqual([
      "Versão de filtro desconhecida: 2. Esta versão do Disparo entende a versão 1: refaça o filtro na tela de Segmentação.",
    ]);
    expect(messages({ version: "1" })[0]).toMatch(/^Versão de filtro desconhecida: "1"\./);
    expect(messages({ states: ["SP"] })).toContain('Informe a versão do filtro ("version": 1).');
  });

  it("something that is not a filter object, or not JSON", () => {
    expect(messages(null)[0]).toMatch(/O filtro precisa ser um objeto JSON/);
    expect(messages([1, 2])[0]).toMatch(/O filtro precisa ser um objeto JSON/);
    expect(messages("{version: 1")).toEqual(["O filtro não é um JSON válido. Confira aspas, vírgulas e chaves."]);
  });

  it("unknown fields", () => {
    expect(messages({ version: 1, tag: { any: [1] } })).toEqual([
      'Campo desconhecido no filtro: "tag". Campos aceitos: version, tags, wallets, period, cities, states, optIn, chips.',
    ]);
    expect(messages({ version: 1, tags: { some: [1] } })[0]).toMatch(/^Etiquetas: condição desconhecida "some"/);
  });

  it("`to` before `from`", () => {
    expect(messages({ version: 1, period: { field: "created_at", from: "2026-03-10", to: "2026-03-01" } })).toEqual([
      "Período: a data final (2026-03-01) é anterior à inicial (2026-03-10). Troque as datas.",
    ]);
  });

  it("impossible or badly written dates", () => {
    expect(messages({ version: 1, period: { field: "created_at", from: "2026-02-30" } })).toEqual([
      "Período: a data inicial 2026-02-30 não existe no calendário. Confira dia e mês.",
    ]);
    expect(messages({ version: 1, period: { field: "created_at", to: "2025-02-29" } })[0]).toMatch(/não existe no calendário/);
    expect(messages({ version: 1, period: { field: "created_at", from: "01/03/2026" } })).toEqual([
      'Período: a data inicial "01/03/2026" não está no formato AAAA-MM-DD (por exemplo 2026-03-01).',
    ]);
    expect(messages({ version: 1, period: { field: "created_at", from: "2026-13-01" } })[0]).toMatch(/não existe no calendário/);
    expect(isCalendarDate("2026-04-31")).toBe(false);
    expect(isCalendarDate("2026-04-30")).toBe(true);
  });

  it("a period without dates or without its field", () => {
    expect(messages({ version: 1, period: { field: "created_at" } })).toEqual([
      "Período: informe a data inicial, a final ou as duas.",
    ]);
    expect(messages({ version: 1, period: { field: "updated_at", from: "2026-01-01" } })[0]).toMatch(
      /^Período: escolha o campo — data de cadastro \(created_at\) ou última interação/,
    );
  });

  it("empty lists and an empty etiquetas condition", () => {
    expect(messages({ version: 1, tags: { any: [] } })).toEqual([
      'Etiquetas ("tem alguma"): escolha ao menos um(a) etiqueta ou remova esta condição.',
    ]);
    expect(messages({ version: 1, tags: {} })[0]).toMatch(/^Etiquetas: informe ao menos uma condição/);
    expect(messages({ version: 1, wallets: [] })[0]).toMatch(/^Carteiras: escolha ao menos/);
    expect(messages({ version: 1, chips: [] })[0]).toMatch(/^Chips: escolha ao menos/);
    expect(messages({ version: 1, states: [] })[0]).toMatch(/^UF: escolha ao menos uma UF/);
    expect(messages({ version: 1, cities: [] })[0]).toMatch(/^Cidades: escolha ao menos uma cidade/);
    expect(messages({ version: 1, optIn: [] })[0]).toMatch(/^Opt-in: escolha ao menos uma situação/);
  });

  it(`more than ${MAX_LIST} ids`, () => {
    const ids = Array.from({ length: MAX_LIST + 1 }, (_, i) => i + 1);
    expect(messages({ version: 1, wallets: ids })).toEqual([
      `Carteiras: no máximo ${MAX_LIST} itens por condição (recebidos ${MAX_LIST + 1}). Divida o público em mais de uma lista.`,
    ]);
  });

  it("duplicate ids, UFs, cities and statuses", () => {
    expect(messages({ version: 1, tags: { all: [5, 6, 5] } })).toEqual([
      'Etiquetas ("tem todas"): etiqueta 5 aparece mais de uma vez; deixe só uma.',
    ]);
    expect(messages({ version: 1, chips: [3, 3, 3] })).toEqual(["Chips: chip 3 aparece mais de uma vez; deixe só uma."]);
    expect(messages({ version: 1, states: ["SP", "sp"] })).toEqual(["UF: SP aparece mais de uma vez; deixe só uma."]);
    expect(
      messages({
        version: 1,
        cities: [
          { city: "Campinas", state: "SP" },
          { city: "campinas", state: "SP" },
        ],
      }),
    ).toEqual(["Cidades: campinas/SP aparece mais de uma vez; deixe só uma."]);
    expect(messages({ version: 1, optIn: ["pending", "pending"] })).toEqual([
      'Opt-in: "pending" aparece mais de uma vez; deixe só uma.',
    ]);
  });

  it("ids that are not positive integers", () => {
    expect(messages({ version: 1, tags: { any: [1.5] } })[0]).toBe(
      'Etiquetas ("tem alguma"): use o número (id) de cada etiqueta, um inteiro positivo.',
    );
    expect(messages({ version: 1, wallets: [0] })[0]).toMatch(/^Carteiras: use o número \(id\)/);
    expect(messages({ version: 1, chips: ["7"] })[0]).toMatch(/^Chips: use o número \(id\)/);
    expect(messages({ version: 1, chips: 7 })[0]).toBe("Chips: envie uma lista de ids, por exemplo [12, 15].");
  });

  it("UFs that do not exist", () => {
    expect(messages({ version: 1, states: ["SP", "XX"] })).toEqual([
      'UF: "XX" não é uma UF. Use uma das 27 siglas, como SP, RJ ou MG.',
    ]);
    expect(messages({ version: 1, cities: [{ city: "Lisboa", state: "PT" }] })[0]).toMatch(/^Cidade: "PT" não é uma UF/);
  });

  it("an unknown opt-in status", () => {
    expect(messages({ version: 1, optIn: ["subscribed"] })[0]).toMatch(/^Opt-in: situação "subscribed" desconhecida/);
  });

  it("contradictions that could only select nobody", () => {
    expect(messages({ version: 1, tags: { all: [1, 2], none: [2] } })).toEqual([
      'A etiqueta 2 está em "tem todas" e em "não tem nenhuma": nenhum contato atenderia. Tire-a de uma das duas.',
    ]);
    expect(messages({ version: 1, tags: { any: [1, 2], none: [1] } })[0]).toMatch(/"tem alguma" e em "não tem nenhuma"/);
    expect(messages({ version: 1, states: ["RJ"], cities: [{ city: "Campinas", state: "SP" }] })).toEqual([
      "A cidade Campinas/SP não está nas UFs escolhidas (RJ): nenhum contato dela entraria. Inclua SP nas UFs ou remova a cidade.",
    ]);
  });

  it("assertFilter throws every message at once", () => {
    try {
      assertFilter({ version: 1, states: ["XX"], wallets: [] });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(FilterValidationError);
      expect((err as FilterValidationError).issues.map((i) => i.path)).toEqual(["wallets", "states.0"]);
    }
  });

  it("the exported schema rejects what parseFilter rejects", () => {
    expect(audienceFilterSchema.safeParse({ version: 1, tags: { any: [] } }).success).toBe(false);
    expect(audienceFilterSchema.safeParse({ version: 1, tags: { any: [1] } }).success).toBe(true);
  });
});

describe("describeFilter", () => {
  const names = {
    tags: new Map([
      [1, "Cliente VIP"],
      [2, "Newsletter"],
      [3, "Inativo 180 dias"],
    ]),
    wallets: new Map([[10, "Varejo"]]),
    chips: new Map([
      [20, "Vendas"],
      [21, "Pós-venda"],
    ]),
  };

  it("summarises in Portuguese, in a fixed order", () => {
    const f: AudienceFilter = { version: 1, tags: { any: [1, 2] }, states: ["SP", "RJ"] };
    expect(describeFilter(f, names)).toBe("Etiquetas: tem alguma de Cliente VIP, Newsletter · UF: SP, RJ · Somente com opt-in");
  });

  it("describes everything, with dates in dd/mm/aaaa", () => {
    const f = assertFilter({
      version: 1,
      tags: { all: [1], none: [3, 2] },
      wallets: [10],
      period: { field: "created_at", from: "2026-03-01", to: "2026-03-31" },
      cities: [{ city: "Campinas", state: "SP" }],
      chips: [20, 21],
      optIn: ["opted_in", "pending"],
    });
    expect(describeFilter(f, names)).toBe(
      "Etiquetas: tem Cliente VIP; não tem nenhuma de Inativo 180 dias, Newsletter · Carteira: Varejo · " +
        "Cadastrados de 01/03/2026 a 31/03/2026 · Cidade: Campinas/SP · Registrados em algum dos chips Vendas, Pós-venda · " +
        "Opt-in: com opt-in, aguardando confirmação",
    );
  });

  it("open-ended periods, one chip, ids without a name", () => {
    expect(
      describeFilter(
        { version: 1, tags: { none: [99] }, period: { field: "last_interaction_at", from: "2026-01-05" }, chips: [20] },
        names,
      ),
    ).toBe("Etiquetas: não tem etiqueta #99 (removida) · Última interação a partir de 05/01/2026 · Registrados no chip Vendas · Somente com opt-in");
    expect(describeFilter({ version: 1, period: { field: "created_at", to: "2026-01-05" } }, names)).toBe(
      "Cadastrados até 05/01/2026 · Somente com opt-in",
    );
  });

  it("an empty filter says so", () => {
    expect(describeFilter({ version: 1 }, names)).toBe("Todos os contatos · Somente com opt-in");
    expect(describeFilter({ version: 1, optIn: ["opted_out"] }, names)).toBe("Todos os contatos · Opt-in: descadastrados");
  });
});
