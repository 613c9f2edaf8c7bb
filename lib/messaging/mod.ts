// Messages: the ledger (outbound sends, receipts, inbound, message types), the message log (the filtered
// reading of the ledger and its CSV export), per-instance statistics, templates.
export * from "./ledger.ts";
export * from "./export.ts";
export * from "./message_log.ts";
export * from "./quotas.ts";
export * from "./stats.ts";
export * from "./templates.ts";
