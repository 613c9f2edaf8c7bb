// Messages: the outbound ledger with receipts, the message log and its CSV export, templates.
export * from "./ledger.ts";
export * from "./message_log.ts";
export * from "./message_types.ts";
export * from "./templates.ts";
