// Queries behind GET /api/messages/log and /api/messages/export: the caller's ledger rows with the
// contract's filters (validated here: garbage is a 400, not a silently empty list).
import type { Sql } from "../core/mod.ts";

const STATUSES = ["sending", "sent", "delivered", "read", "played", "failed", "cancelled", "unknown"];
const TYPES = [
  "text",
  "image",
  "document",
  "audio",
  "video",
  "sticker",
  "location",
  "contact",
  "reaction",
  "poll",
  "list",
  "buttons",
  "other",
];
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

/** Validates the query's filters; returns the 400 message or the filters. */
export function parseLogFilters(q: Record<string, string>): LogFilters | string {
  const f: LogFilters = {};
  if (q.status) {
    if (!STATUSES.includes(q.status)) return `status must be one of: ${STATUSES.join(", ")}`;
    f.status = q.status;
  }
  if (q.message_type) {
    if (!TYPES.includes(q.message_type)) return `message_type must be one of: ${TYPES.join(", ")}`;
    f.messageType = q.message_type;
  }
  if (q.direction) {
    if (q.direction !== "outbound" && q.direction !== "inbound") {
      return "direction must be one of: outbound, inbound";
    }
    f.direction = q.direction;
  }
  if (q.instance_name) f.instanceName = q.instance_name;
  if (q.date_from) {
    const d = parseFilterDate(q.date_from, false);
    if (!d) return "date_from must be a date (YYYY-MM-DD or ISO 8601)";
    f.from = d;
  }
  if (q.date_to) {
    const d = parseFilterDate(q.date_to, true);
    if (!d) return "date_to must be a date (YYYY-MM-DD or ISO 8601)";
    f.toExclusive = d;
  }
  return f;
}

/** The WHERE clause of the caller's filtered rows (uses the (user_id, created_at) indexes). */
export function logWhere(sql: Sql, userId: number, f: LogFilters) {
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

export const LOG_COLUMNS = [
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

/** One CSV field: quoted when it holds a comma, double quote, CR or LF (inner quotes doubled). */
export function csvField(value: unknown): string {
  const text = value === null || value === undefined
    ? ""
    : value instanceof Date
    ? value.toISOString()
    : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
