import type { OptInStatus } from "./fields";
import type { CreatedKeptReason } from "./undo-outcome";

// What undo does with each contact an import wrote, from facts read under lock (lib/imports/undo.ts). Pure.

export type UndoFacts = {
  kind: "created" | "updated";
  /** Name, phone, city, UF, carteira or etiquetas differ from what the import left. */
  dataEdited: boolean;
  /** Opt-in status, source or times differ from what the import left. */
  consentEdited: boolean;
  /** A later import (not undone) wrote this contact too: its undo owns the contact's present state. */
  laterImport: boolean;
  /** Updated: the fields before the import are on record (see db/schema/imports.ts before_name). */
  beforeKnown: boolean;
  /** Updated: the import changed the contact's opt-in. */
  importChangedConsent: boolean;
  /** Created: a campaign has it among its recipients. */
  inCampaign: boolean;
  /** Created: it wrote in on WhatsApp (inbound messages, a last interaction). */
  hasMessages: boolean;
  /** Created: a consent event not written by this import. */
  outsideConsent: boolean;
  currentStatus: OptInStatus;
  beforeStatus: OptInStatus | null;
};

export type ConsentDecision = "none" | "restore" | "keptOptedOut" | "keptNotOptedIn" | "keptChanged";

export type UndoDecision =
  | { kind: "created"; remove: true }
  | { kind: "created"; remove: false; reason: CreatedKeptReason }
  | { kind: "updated"; restoreData: boolean; consent: ConsentDecision };

// LGPD: undo never takes anyone out of opted_out, nor opts in anyone who is not opted in now; any other
// change of consent the import made is put back (towards what the person had before).
const consentDecision = (f: UndoFacts): ConsentDecision => {
  if (!f.importChangedConsent || !f.beforeKnown || f.beforeStatus === null) return "none";
  if (f.consentEdited || f.laterImport) return "keptChanged";
  if (f.currentStatus === "opted_out") return "keptOptedOut";
  if (f.beforeStatus === "opted_in" && f.currentStatus !== "opted_in") return "keptNotOptedIn";
  return "restore";
};

export const decideUndo = (f: UndoFacts): UndoDecision => {
  if (f.kind === "created") {
    if (f.inCampaign) return { kind: "created", remove: false, reason: "campaign" };
    if (f.hasMessages) return { kind: "created", remove: false, reason: "messages" };
    if (f.outsideConsent || f.consentEdited) return { kind: "created", remove: false, reason: "consent" };
    if (f.dataEdited || f.laterImport) return { kind: "created", remove: false, reason: "edited" };
    return { kind: "created", remove: true };
  }
  return {
    kind: "updated",
    restoreData: f.beforeKnown && !f.dataEdited && !f.laterImport,
    consent: consentDecision(f),
  };
};
