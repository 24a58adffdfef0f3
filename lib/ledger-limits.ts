// The conversation package's bounds, shared by the adjustment schema (server) and its form (client): no imports.

/** One manual adjustment adds or removes at most this many messages. */
export const MAX_PACKAGE_ADJUSTMENT = 10_000_000;

/**
 * The balance never goes above this (the column is a 32-bit integer, and the send engine adds automatic increases
 * on top of it) nor below zero (a prepaid package: the engine's debits never take it below zero either).
 */
export const MAX_PACKAGE_BALANCE = 1_000_000_000;

export const REASON_MAX_LENGTH = 200;

/** Movements per page of the package statement. */
export const STATEMENT_PAGE_SIZE = 20;
