import { describe, expect, it } from "vitest";
import { isOptInAnswer, isOptOut } from "./keywords";

describe("opt-out keywords", () => {
  it.each(["SAIR", "sair", "Sair!", " sáir ", "PARAR", "parar.", "Stop", "STOP!!!", "cancelar", "CANCELAR?", "Descadastrar", "DESCADASTRAR", "Parar promoções", "não quero mais"])(
    "%j opts out",
    (text) => expect(isOptOut(text)).toBe(true),
  );

  it.each(["Quero sair mais cedo hoje", "sairá amanhã?", "parada", "ok", "", "Stop motion é legal"])("%j does not", (text) =>
    expect(isOptOut(text)).toBe(false),
  );

  it("recognises an opt-in answer", () => {
    expect(isOptInAnswer("Sim")).toBe(true);
    expect(isOptInAnswer("sim, quero receber!")).toBe(true);
    expect(isOptInAnswer("simples")).toBe(false);
  });
});
