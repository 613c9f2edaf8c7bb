// The message log as CSV (GET /api/messages/export): the contract's header and quoting, with a UTF-8 BOM
// so spreadsheet programs read the accents right, and formula-injection protection. Streamed from a
// postgres.js cursor in batches, so any number of rows costs the same memory.
import type { Sql } from "../core/mod.ts";
import { type LogFilters, logWhere } from "./message_log.ts";

/** The first bytes of the export: the BOM and the contract's header line. */
export const CSV_HEADER = "\uFEFFID,Instance,Phone,Type,Status,Error,Date\n";

// Small batches of arrays with the date already text: fewer, shorter-lived objects keep the heap (and
// the process's resident size) flat however many rows stream.
const BATCH_ROWS = 500;

/** The user's filtered ledger as CSV lines, newest first, one string per cursor batch. */
export async function* exportLogCsv(sql: Sql, userId: number, filters: LogFilters) {
  const rows = sql`
    SELECT id, instance_name, phone_number, message_type, status, error_message,
      to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
    FROM taguato.message_logs ${logWhere(sql, userId, filters)}
    ORDER BY created_at DESC, id DESC`.values().cursor(BATCH_ROWS);
  for await (const batch of rows) {
    let chunk = "";
    for (const [id, instance, phone, type, status, error, at] of batch as unknown as unknown[][]) {
      chunk += `${id},${csvText(instance)},${csvText(phone)},${type},${status},${csvText(error)},${at}\n`;
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
