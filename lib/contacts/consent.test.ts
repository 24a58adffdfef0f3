import { describe, expect, it } from "vitest";
import { optInChange } from "./consent";

const change = (current: string, loaded: string, chosen: string, role = "operador", reason: string | null = null) =>
  optInChange({ current, loaded, chosen, role, reason } as Parameters<typeof optInChange>[0]);

describe("which opt-in a save of the contact form writes", () => {
  it("nothing when the user left it as shown, whatever the row says now", () => {
    expect(change("opted_out", "opted_in", "opted_in")).toBeNull();
    expect(change("opted_in", "none", "none")).toBeNull();
    expect(change("opted_out", "opted_out", "opted_out")).toBeNull();
  });

  it("nothing when the row already has the chosen status", () => {
    expect(change("opted_out", "opted_in", "opted_out")).toBeNull();
  });

  it("the chosen status when the user changed it and nobody else did; an operador may opt a contact in or out", () => {
    expect(change("opted_in", "opted_in", "opted_out")).toBe("opted_out");
    expect(change("none", "none", "opted_in")).toBe("opted_in");
  });

  it("refuses a change over a status someone else changed meanwhile", () => {
    expect(() => change("opted_out", "opted_in", "pending", "admin", "motivo")).toThrow(/pediu para sair/);
    expect(() => change("opted_in", "none", "pending", "admin")).toThrow(/mudou para “Opt-in” depois que você abriu/);
  });

  it("leaving opted_out: gestor or admin, with a reason", () => {
    expect(() => change("opted_out", "opted_out", "opted_in", "operador", "motivo")).toThrow(/Operador/);
    expect(() => change("opted_out", "opted_out", "none", "gestor")).toThrow(/Informe o motivo/);
    expect(change("opted_out", "opted_out", "pending", "gestor", "motivo")).toBe("pending");
    expect(change("opted_out", "opted_out", "opted_in", "admin", "motivo")).toBe("opted_in");
  });
});
