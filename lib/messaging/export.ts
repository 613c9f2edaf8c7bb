// The message log as CSV (GET /api/messages/export): the contract's header and quoting, with a UTF-8 BOM
// so spreadsheet programs read the accents right, and formula-injection protection. Streamed from a
// postgres.js cursor in batches, so any number of rows costs the same memory.
import type { Sql } from "../core/mod.ts";
import { type LogFilters, logWhere } from "./message_log.ts";

/** The first bytes of the export: the BOM and the contract's header line. */
export const CSV_HEADER = "\uFEFFID,Instance,Phone,Type,Status,Error,Date\n";

const BATCH_ROWS = 2000;

/** The user's filtered ledger as CSV lines, newest first, one string per cursor batch. */
export async function* exportLogCsv(sql: Sql, userId: number, filters: LogFilters) {
  const rows = sql`
    SELECT id, instance_name, phone_number, message_type, status, error_message, created_at
    FROM taguato.message_logs ${logWhere(sql, userId, filters)}
    ORDER BY created_at DESC, id DESC`.cursor(BATCH_ROWS);
  for await (const batch of rows) {
    let chunk = "";
    for (const r of batch as Record<string, unknown>[]) {
      chunk += `${r.id},${csvText(r.instance_name)},${
        csvText(r.phone_number)
      },${r.message_type},${r.status},${csvText(r.error_message)},${(r.created_at as Date).toISOString()}\n`;
    }
    yield chunk;
  }
}

// A cell a spreadsheet would run as a formula (OWASP's list: = + - @ tab CR) is prefixed with a quote.
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV text field: a would-be formula gets a leading `'`, then the field is quoted when it holds a
 * comma, double quote, CR or LF (inner quotes doubled).
 */
export function csvText(value: unknown): string {
  let text = value === null || value === undefined ? "" : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
