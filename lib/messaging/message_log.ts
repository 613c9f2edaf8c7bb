// The message log: the caller's ledger rows read with the contract's filters (validated here: garbage is a
// 400, not a silently empty list), one page at a time (GET /api/messages/log and the panel's history) or
// streamed as CSV rows (GET /api/messages/export).
import { type ErrorCode, type ErrorParams, escapeLike, type Sql } from "../core/mod.ts";
import { LEDGER_MESSAGE_TYPES } from "./ledger.ts";

const STATUSES = ["sending", "sent", "delivered", "read", "played", "failed", "cancelled", "unknown"];
const TYPES: string[] = [...LEDGER_MESSAGE_TYPES, "other"];
const SEARCH_MAX = 100;
const DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export interface LogFilters {
  status?: string;
  messageType?: string;
  instanceName?: string;
  direction?: string;
  /** Text search: part of the number, the message text or the error (case-insensitive). */
  search?: string;
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
  if (q.q) {
    if (q.q.length > SEARCH_MAX) return { code: "field_too_long", params: { field: "q", max: SEARCH_MAX } };
    f.search = q.q;
  }
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
export function logWhere(sql: Sql, userId: number, f: LogFilters) {
  const empty = sql``;
  return sql`
    WHERE user_id = ${userId}
    ${f.status ? sql`AND status = ${f.status}` : empty}
    ${f.messageType ? sql`AND message_type = ${f.messageType}` : empty}
    ${f.instanceName ? sql`AND instance_name = ${f.instanceName}` : empty}
    ${f.direction ? sql`AND direction = ${f.direction}` : empty}
    ${f.search ? searchClause(sql, f.search) : empty}
    ${f.from ? sql`AND created_at >= ${f.from}` : empty}
    ${f.toExclusive ? sql`AND created_at < ${f.toExclusive}` : empty}
    ${f.instances ? sql`AND instance_name = ANY (${f.instances})` : empty}`;
}

// why no trigram index: the search runs inside the caller's (user_id, created_at) range, and the embedded
// database has no pg_trgm. Wildcards in the needle match literally.
function searchClause(sql: Sql, text: string) {
  const like = `%${escapeLike(text)}%`;
  return sql`AND (phone_number ILIKE ${like} ESCAPE '\\' OR body_text ILIKE ${like} ESCAPE '\\'
    OR error_message ILIKE ${like} ESCAPE '\\')`;
}

// The contract's row (also what POST /api/messages/log answers), then the ledger's own columns.
const CONTRACT_COLUMNS = ["id", "instance_name", "phone_number", "message_type", "status", "error_message"];
const LOG_COLUMNS = [
  ...CONTRACT_COLUMNS,
  "direction",
  "source",
  "engine_message_id",
  "status_updated_at",
  "scheduled_message_id",
  "body_text",
  "client_reported_at",
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
  body_text: string | null;
  client_reported_at: Date | null;
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

// ---- client-reported rows (POST /api/messages/log) ----

const CLIENT_TYPES = ["text", "image", "document", "audio", "video"];
const CLIENT_STATUSES = ["sent", "failed", "cancelled"];
/** How far back a client's report looks for the gateway's own row of the same send. */
export const CLIENT_MERGE_WINDOW_MINUTES = 10;

/** A client's report of one send, validated. */
export interface ClientLog {
  instanceName: string;
  phoneNumber: string;
  messageType: string;
  status: string;
  errorMessage: string | null;
  /** The engine's message id (key.id) when the client has it: the exact merge key. */
  messageId: string | null;
}

const tooLong = (field: string, max: number): FilterProblem => ({
  code: "field_too_long",
  params: { field, max },
});

/** Checks POST /api/messages/log's body in the contract's order; returns the report or the 400. */
export function parseClientLog(body: Record<string, unknown>): ClientLog | FilterProblem {
  const type = body.message_type ?? "text";
  if (!CLIENT_TYPES.includes(type as string)) return choice("message_type", CLIENT_TYPES);
  const status = body.status ?? "sent";
  if (!CLIENT_STATUSES.includes(status as string)) return choice("status", CLIENT_STATUSES);
  const { instance_name: instance, phone_number: phone } = body;
  if (!instance || !phone) return { code: "log_fields_required", params: {} };
  for (const [field, value] of Object.entries({ instance_name: instance, phone_number: phone })) {
    if (typeof value !== "string") return { code: "field_not_string", params: { field } };
  }
  const error = body.error_message ?? null;
  if (error !== null && typeof error !== "string") {
    return { code: "field_not_string", params: { field: "error_message" } };
  }
  const messageId = body.message_id ?? null;
  if (messageId !== null && typeof messageId !== "string") {
    return { code: "field_not_string", params: { field: "message_id" } };
  }
  if ((instance as string).length > 255) return tooLong("instance_name", 255);
  if ((phone as string).length > 128) return tooLong("phone_number", 128);
  if ((error ?? "").length > 1000) return tooLong("error_message", 1000);
  if ((messageId ?? "").length > 255) return tooLong("message_id", 255);
  // The gateway stores numbers as digits: "+595 981-000" must meet its own row.
  const p = phone as string;
  const phoneNumber = p.includes("@") ? p : p.replace(/[\s+()-]/g, "");
  if (phoneNumber === "") return { code: "log_fields_required", params: {} };
  return {
    instanceName: instance as string,
    phoneNumber,
    messageType: type as string,
    status: status as string,
    errorMessage: error as string | null,
    messageId: messageId as string | null,
  };
}

const CLIENT_COLUMNS = [...CONTRACT_COLUMNS, "created_at"];

/**
 * Records a client's report of a send, never counting a message twice: when the gateway itself sent it (a
 * gateway row of this user and instance with the report's engine id, or else the newest not yet reported
 * row to the same number of the last 10 minutes), the report is folded into that row, which keeps the
 * gateway's status (it follows receipts); otherwise a `client` row is inserted. `merged` tells which.
 */
export async function recordClientLog(sql: Sql, userId: number, log: ClientLog) {
  const match = log.messageId !== null
    ? sql`engine_message_id = ${log.messageId}`
    : sql`phone_number = ${log.phoneNumber} AND message_type = ${log.messageType}
        AND created_at >= now() - make_interval(mins => ${CLIENT_MERGE_WINDOW_MINUTES})`;
  const [merged] = await sql<Record<string, unknown>[]>`
    UPDATE taguato.message_logs AS m SET client_reported_at = now()
    WHERE m.id = (
      SELECT id FROM taguato.message_logs
      WHERE user_id = ${userId} AND instance_name = ${log.instanceName} AND direction = 'outbound'
        AND source IN ('api', 'panel') AND client_reported_at IS NULL AND ${match}
      ORDER BY created_at DESC, id DESC LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING ${sql(CLIENT_COLUMNS)}`;
  if (merged) return { log: merged, merged: true };
  const [row] = await sql<Record<string, unknown>[]>`
    INSERT INTO taguato.message_logs
      (user_id, instance_name, phone_number, message_type, status, error_message, source, direction,
       client_reported_at)
    VALUES (${userId}, ${log.instanceName}, ${log.phoneNumber}, ${log.messageType}, ${log.status},
      ${log.errorMessage}, 'client', 'outbound', now())
    RETURNING ${sql(CLIENT_COLUMNS)}`;
  return { log: row, merged: false };
}
