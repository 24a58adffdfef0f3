import type { ImportOptInSource, OptInStatus } from "./fields";

// How an imported row changes a contact's consent. LGPD: the base must never say someone consented when they
// did not, so the rules only ever move towards less consent, except where the row itself says otherwise.

export type ConsentState = {
  optInStatus: OptInStatus;
  optInSource: ImportOptInSource | "keyword" | "api_error" | null;
  optInAt: Date | null;
  optedOutAt: Date | null;
};

export type IncomingConsent = {
  /** From the row's opt-in column; null when the row says nothing (the import's default applies). */
  status: OptInStatus | null;
  source: ImportOptInSource | null;
  at: Date | null;
};

export type ConsentDefaults = { status: OptInStatus; source: ImportOptInSource };

const stateFor = (
  status: OptInStatus,
  source: ImportOptInSource,
  at: Date,
  current: ConsentState | null,
): ConsentState => {
  switch (status) {
    case "opted_in":
      return { optInStatus: status, optInSource: source, optInAt: at, optedOutAt: null };
    case "opted_out":
      // The opt-in that came before stays on record; the opt-out gets its own time.
      return {
        optInStatus: status,
        optInSource: current?.optInSource ?? source,
        optInAt: current?.optInAt ?? null,
        optedOutAt: at,
      };
    case "pending":
      return { optInStatus: status, optInSource: source, optInAt: null, optedOutAt: null };
    case "none":
      return { optInStatus: status, optInSource: null, optInAt: null, optedOutAt: null };
  }
};

/**
 * The consent a contact has after the import, and whether it changed (a change is recorded in consent_events).
 * - A contact who opted out stays opted out: only the person can opt back in (by WhatsApp), never a spreadsheet.
 * - An opt-out, from the row or the default, always applies.
 * - A value in the row's opt-in column applies as written.
 * - The import's default fills in only what the base does not know: new contacts, contacts without opt-in, and
 *   a pending contact when the default is opt-in. It never overwrites a known status.
 */
export const resolveConsent = (
  current: ConsentState | null,
  incoming: IncomingConsent,
  defaults: ConsentDefaults,
  now: Date,
): { state: ConsentState; changed: boolean } => {
  const status = incoming.status ?? defaults.status;
  const source = incoming.source ?? defaults.source;
  const at = incoming.at ?? now;
  if (!current) return { state: stateFor(status, source, at, null), changed: status !== "none" };
  const keep = { state: current, changed: false };
  if (current.optInStatus === "opted_out") return keep;
  const applies =
    status === "opted_out" ||
    incoming.status !== null ||
    current.optInStatus === "none" ||
    (current.optInStatus === "pending" && status === "opted_in");
  if (!applies || status === current.optInStatus) return keep;
  return { state: stateFor(status, source, at, current), changed: true };
};
