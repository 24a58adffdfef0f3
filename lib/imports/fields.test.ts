import { describe, expect, it } from "vitest";
import { columnLetter, guessMapping } from "./fields";

describe("guessMapping", () => {
  it("recognises the usual Portuguese headers, with any case and accents", () => {
    expect(
      guessMapping(["NOME", "Celular", "Cidade", "Estado", "Opt-in", "Origem do opt-in", "Data do opt-in", "Etiquetas"]),
    ).toEqual({ name: 0, phone: 1, city: 2, state: 3, optInStatus: 4, optInSource: 5, optInAt: 6, tags: 7 });
    expect(guessMapping(["Nome completo", "Telefone", "Município", "UF", "Aceita receber WhatsApp", "Tags"])).toEqual({
      name: 0,
      phone: 1,
      city: 2,
      state: 3,
      optInStatus: 4,
      tags: 5,
    });
  });

  it("recognises English exports and a separate DDD column", () => {
    expect(guessMapping(["name", "phone", "city", "state", "optin"])).toEqual({
      name: 0,
      phone: 1,
      city: 2,
      state: 3,
      optInStatus: 4,
    });
    expect(guessMapping(["Nome", "DDD", "Fone"])).toEqual({ name: 0, ddd: 1, phone: 2 });
    expect(guessMapping(["Nome", "Sobrenome", "WhatsApp"])).toEqual({ name: 0, surname: 1, phone: 2 });
  });

  it("prefers the WhatsApp or mobile column over a landline one", () => {
    expect(guessMapping(["Telefone fixo", "WhatsApp", "Nome"])).toMatchObject({ phone: 1, name: 2 });
    expect(guessMapping(["Telefone", "Celular"])).toMatchObject({ phone: 1 });
  });

  it("does not take an address number or unknown columns for anything", () => {
    expect(guessMapping(["E-mail", "Número", "Endereço", "CPF"])).toEqual({});
  });
});

describe("columnLetter", () => {
  it("names columns like a spreadsheet", () => {
    expect([0, 1, 25, 26, 27, 701, 702].map(columnLetter)).toEqual(["A", "B", "Z", "AA", "AB", "ZZ", "AAA"]);
  });
});
