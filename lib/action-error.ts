// Expected failures of domain code, with a Portuguese message and per-field messages. Framework-free, so lib/
// modules used by scripts and the worker can throw it without pulling in the session (next-auth); the action
// wrapper (lib/auth/action.ts) turns it into a typed result.

export type ActionErrorCode = "unauthenticated" | "forbidden" | "invalid" | "not_found" | "conflict" | "error";

export class ActionError extends Error {
  constructor(
    readonly code: Exclude<ActionErrorCode, "unauthenticated">,
    message: string,
    readonly fieldErrors?: Record<string, string[]>,
  ) {
    super(message);
  }
}
