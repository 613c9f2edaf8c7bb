// Messages: the ledger (outbound sends, receipts, inbound, message types), the message log (the filtered
// reading of the ledger and its CSV export), per-instance statistics, templates, the template renderer,
// the opt-out registry, contact lists (CSV import, WhatsApp check), and scheduled messages (recurrence,
// input rules, worker).
export * from "./ledger.ts";
export * from "./send_flights.ts";
export * from "./export.ts";
export * from "./message_log.ts";
export * from "./opt_outs.ts";
export * from "./recurrence.ts";
export * from "./render.ts";
export * from "./quotas.ts";
export * from "./scheduled.ts";
export * from "./scheduled_input.ts";
export * from "./scheduled_worker.ts";
export * from "./stats.ts";
export * from "./templates.ts";
export * from "./contacts.ts";
export * from "./contact_input.ts";
export * from "./csv_import.ts";
