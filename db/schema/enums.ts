import { pgEnum } from "drizzle-orm/pg-core";

export const userRole = pgEnum("user_role", ["admin", "gestor", "operador"]);

export const optInStatus = pgEnum("opt_in_status", ["none", "pending", "opted_in", "opted_out"]);

export const optInSource = pgEnum("opt_in_source", [
  "import",
  "manual",
  "form",
  "whatsapp_reply",
  "optin_template",
  "keyword",
  "api_error",
]);

export const chipStatus = pgEnum("chip_status", ["active", "disabled", "flagged", "restricted"]);

export const chipQuality = pgEnum("chip_quality", ["green", "yellow", "red", "unknown"]);

export const templateCategory = pgEnum("template_category", ["marketing", "utility", "authentication"]);

export const templateStatus = pgEnum("template_status", [
  "approved",
  "pending",
  "rejected",
  "paused",
  "disabled",
]);

export const campaignSendMode = pgEnum("campaign_send_mode", ["immediate", "scheduled"]);

export const campaignStatus = pgEnum("campaign_status", [
  "draft",
  // An operador pressed "Enviar Campanha": a gestor or admin must confirm it.
  "awaiting_confirmation",
  "scheduled",
  "queued",
  "sending",
  "paused",
  "completed",
  "cancelled",
  "failed",
]);

export const chipScope = pgEnum("chip_scope", ["this_chip", "other_chips", "both"]);

export const recipientStatus = pgEnum("recipient_status", [
  "pending",
  "skipped",
  "sending",
  "sent",
  "delivered",
  "read",
  "failed",
  "indeterminate",
]);

export const skipReason = pgEnum("skip_reason", [
  "no_opt_in",
  "opted_out",
  "invalid_phone",
  "duplicate_phone",
  "out_of_scope",
  "erased",
  "missing_variable",
  "frequency_cap",
]);

export const ledgerKind = pgEnum("ledger_kind", ["debit", "auto_increase", "manual_credit", "refund"]);

// A chatbot flow started for a campaign reply (flow_starts): pending → entry_sending (the entry message is in
// flight; found in this state after a crash it counts as "unknown" and is never sent again) → handoff (the
// external bot's POST, retried with backoff) → done, or failed.
export const flowStartStatus = pgEnum("flow_start_status", ["pending", "entry_sending", "handoff", "done", "failed"]);
