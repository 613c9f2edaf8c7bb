// The message log: the caller's ledger rows read with the contract's filters (validated here: garbage is a
// 400, not a silently empty list), one page at a time (GET /api/messages/log and the panel's history) or
// streamed as CSV rows (GET /api/messages/export).
import type { ErrorCode, ErrorParams, Sql } from "../core/mod.ts";
import { LEDGER_MESSAGE_TYPES } from "./ledger.ts";

const STATUSES = ["sending", "sent", "delivered", "read", "played", "failed", "cancelled", "unknown"];
const TYPES: string[] = [...LEDGER_MESSAGE_TYPES, "other"];
const DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export interface LogFilters {
  status?: string;
  messageType?: string;
  instanceName?: string;
  direction?: string;
  from?: Date;
  /** Exclusive upper bound (a date-only `date_to` covers that whole day). */
  toExclusive?: Date;
  /** Set for instance-limited API keys. */
  instances?: string[] | null;
}

/** Parses a filter date; zone-less values are UTC. Returns null when the text is not a real date. */
export function parseFilterDate(text: string, endOfDay: boolean): Date | null {
  const m = DATE.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, zone] = m;
  // Reject roll-overs such as 2026-02-31 (Date would make it March 3) and out-of-range times.
  const day = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d)) return null;
  if (Number(h ?? 0) > 23 || Number(mi ?? 0) > 59 || Number(s ?? 0) > 59) return null;
  const offset = zone && zone !== "Z" ? zone.replace(/^([+-]\d{2}):?(\d{2})$/, "$1:$2") : "Z";
  const date = new Date(`${y}-${mo}-${d}T${h ?? "00"}:${mi ?? "00"}:${s ?? "00"}${offset}`);
  if (Number.isNaN(date.getTime())) return null;
  if (!endOfDay) return date;
  // An upper bound covers its whole last unit: the day, the minute or the second given (the panel sends
  // T23:59:59); with fractions, the exact instant.
  const step = h === undefined ? 86_400_000 : s === undefined ? 60_000 : text.includes(".") ? 1 : 1000;
  return new Date(date.getTime() + step);
}

/** Why a filter was refused: a catalogue code and its params. */
export interface FilterProblem {
  code: ErrorCode;
  params: ErrorParams;
}

const choice = (field: string, values: string[]): FilterProblem => ({
  code: "log_filter_choice",
  params: { field, values: values.join(", ") },
});
const badDate = (field: string): FilterProblem => ({ code: "log_filter_date", params: { field } });

/** Validates the query's filters; returns the filters, or the problem to answer with 400. */
export function parseLogFilters(q: Record<string, string>): LogFilters | FilterProblem {
  const f: LogFilters = {};
  if (q.status) {
    if (!STATUSES.includes(q.status)) return choice("status", STATUSES);
    f.status = q.status;
  }
  if (q.message_type) {
    if (!TYPES.includes(q.message_type)) return choice("message_type", TYPES);
    f.messageType = q.message_type;
  }
  if (q.direction) {
    if (q.direction !== "outbound" && q.direction !== "inbound") {
      return choice("direction", ["outbound", "inbound"]);
    }
    f.direction = q.direction;
  }
  if (q.instance_name) f.instanceName = q.instance_name;
  if (q.date_from) {
    const d = parseFilterDate(q.date_from, false);
    if (!d) return badDate("date_from");
    f.from = d;
  }
  if (q.date_to) {
    const d = parseFilterDate(q.date_to, true);
    if (!d) return badDate("date_to");
    f.toExclusive = d;
  }
  return f;
}

/** True when parseLogFilters refused the query. */
export const isFilterProblem = (f: LogFilters | FilterProblem): f is FilterProblem => "code" in f;

/** The WHERE clause of the caller's filtered rows (uses the (user_id, created_at) indexes). */
function logWhere(sql: Sql, userId: number, f: LogFilters) {
  const empty = sql``;
  return sql`
    WHERE user_id = ${userId}
    ${f.status ? sql`AND status = ${f.status}` : empty}
    ${f.messageType ? sql`AND message_type = ${f.messageType}` : empty}
    ${f.instanceName ? sql`AND instance_name = ${f.instanceName}` : empty}
    ${f.direction ? sql`AND direction = ${f.direction}` : empty}
    ${f.from ? sql`AND created_at >= ${f.from}` : empty}
    ${f.toExclusive ? sql`AND created_at < ${f.toExclusive}` : empty}
    ${f.instances ? sql`AND instance_name = ANY (${f.instances})` : empty}`;
}

const LOG_COLUMNS = [
  "id",
  "instance_name",
  "phone_number",
  "message_type",
  "status",
  "error_message",
  "direction",
  "source",
  "engine_message_id",
  "status_updated_at",
  "scheduled_message_id",
  "created_at",
];

/** One ledger row as the message log shows it. */
export interface LogRow {
  id: number;
  instance_name: string;
  phone_number: string;
  message_type: string;
  status: string;
  error_message: string | null;
  direction: string;
  source: string;
  engine_message_id: string | null;
  status_updated_at: Date;
  scheduled_message_id: number | null;
  created_at: Date;
}

/** One page of the user's filtered ledger, newest first, and the total. */
export async function messageLogPage(
  sql: Sql,
  userId: number,
  filters: LogFilters,
  limit: number,
  offset: number,
): Promise<{ logs: LogRow[]; total: number }> {
  const where = logWhere(sql, userId, filters);
  const [{ total }] = await sql<{ total: number }[]>`
    SELECT count(*)::int AS total FROM taguato.message_logs ${where}`;
  const logs = await sql<LogRow[]>`
    SELECT ${sql(LOG_COLUMNS)} FROM taguato.message_logs ${where}
    ORDER BY created_at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`;
  return { logs, total };
}

/** The CSV header of the export; exportRows yields the same columns. */
export const CSV_HEADER = "ID,Instance,Phone,Type,Status,Error,Date\n";

/**
 * The user's filtered ledger as CSV lines (newest first, at most `max` rows), read from a cursor in
 * batches so a large export never sits in memory.
 */
export async function* exportLogCsv(sql: Sql, userId: number, filters: LogFilters, max: number) {
  const rows = sql`
    SELECT id, instance_name, phone_number, message_type, status, error_message, created_at
    FROM taguato.message_logs ${logWhere(sql, userId, filters)}
    ORDER BY created_at DESC, id DESC LIMIT ${max}`.cursor(500);
  for await (const batch of rows) {
    let chunk = "";
    for (const r of batch as Record<string, unknown>[]) {
      chunk +=
        [r.id, r.instance_name, r.phone_number, r.message_type, r.status, r.error_message, r.created_at]
          .map(csvField).join(",") + "\n";
    }
    yield chunk;
  }
}

/** One CSV field: quoted when it holds a comma, double quote, CR or LF (inner quotes doubled). */
export function csvField(value: unknown): string {
  const text = value === null || value === undefined
    ? ""
    : value instanceof Date
    ? value.toISOString()
    : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
