// The organization's frequency cap bounds, shared by the settings schema (server) and the form (client): no imports.

/** At most N marketing messages per contact in D days. */
export const FREQUENCY_CAP_LIMITS = { messages: { min: 1, max: 50 }, days: { min: 1, max: 90 } } as const;

/** The suggestion shown in the form's hint. */
export const SUGGESTED_FREQUENCY_CAP = { messages: 2, days: 7 } as const;
