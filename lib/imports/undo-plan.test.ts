import { describe, expect, it } from "vitest";
import { decideUndo, type UndoFacts } from "./undo-plan";

const created = (o: Partial<UndoFacts> = {}): UndoFacts => ({
  kind: "created",
  dataEdited: false,
  consentEdited: false,
  laterImport: false,
  beforeKnown: false,
  importChangedConsent: false,
  inCampaign: false,
  hasMessages: false,
  outsideConsent: false,
  currentStatus: "opted_in",
  beforeStatus: null,
  ...o,
});
const updated = (o: Partial<UndoFacts> = {}): UndoFacts =>
  created({ kind: "updated", beforeKnown: true, importChangedConsent: true, beforeStatus: "none", ...o });
const consentOf = (f: UndoFacts) => {
  const d = decideUndo(f);
  return d.kind === "updated" ? d.consent : null;
};

describe("what undo does with each contact an import wrote", () => {
  it("removes a created contact only when nothing happened to it since, else says why it stays", () => {
    expect(decideUndo(created())).toEqual({ kind: "created", remove: true });
    expect(decideUndo(created({ inCampaign: true, hasMessages: true }))).toEqual({ kind: "created", remove: false, reason: "campaign" });
    expect(decideUndo(created({ hasMessages: true }))).toMatchObject({ remove: false, reason: "messages" });
    expect(decideUndo(created({ outsideConsent: true }))).toMatchObject({ remove: false, reason: "consent" });
    expect(decideUndo(created({ consentEdited: true }))).toMatchObject({ remove: false, reason: "consent" });
    expect(decideUndo(created({ dataEdited: true }))).toMatchObject({ remove: false, reason: "edited" });
    expect(decideUndo(created({ laterImport: true }))).toMatchObject({ remove: false, reason: "edited" });
  });

  it("puts an updated contact's fields back unless edited since or the earlier values are unknown", () => {
    expect(decideUndo(updated())).toMatchObject({ restoreData: true });
    expect(decideUndo(updated({ dataEdited: true }))).toMatchObject({ restoreData: false });
    expect(decideUndo(updated({ laterImport: true }))).toMatchObject({ restoreData: false, consent: "keptChanged" });
    expect(decideUndo(updated({ beforeKnown: false }))).toMatchObject({ restoreData: false, consent: "none" });
  });

  it("LGPD: never out of an opt-out, never into an opt-in the contact does not have now", () => {
    // The import opted in someone without consent on record: back to none.
    expect(consentOf(updated({ currentStatus: "opted_in", beforeStatus: "none" }))).toBe("restore");
    expect(consentOf(updated({ currentStatus: "opted_in", beforeStatus: "pending" }))).toBe("restore");
    // The file opted someone out: the opt-out stays.
    expect(consentOf(updated({ currentStatus: "opted_out", beforeStatus: "opted_in" }))).toBe("keptOptedOut");
    // The file took an opt-in back to pending: undo does not opt in again.
    expect(consentOf(updated({ currentStatus: "pending", beforeStatus: "opted_in" }))).toBe("keptNotOptedIn");
    expect(consentOf(updated({ currentStatus: "none", beforeStatus: "opted_in" }))).toBe("keptNotOptedIn");
    // The opt-in changed after the import (a "SAIR"): the current one stays, even where the data goes back.
    expect(decideUndo(updated({ consentEdited: true, currentStatus: "opted_out" }))).toEqual({ kind: "updated", restoreData: true, consent: "keptChanged" });
    // The import did not touch the opt-in: nothing to do.
    expect(consentOf(updated({ importChangedConsent: false }))).toBe("none");
  });
});
