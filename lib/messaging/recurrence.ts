// Times and recurrence of scheduled messages. A time is an instant; a recurrence is wall-clock time in the
// message's IANA zone, so "every day at 09:00" stays 09:00 across a DST change and the instant moves.
// Daily/weekly/monthly steps use Temporal (built into Deno); cron expressions use croner with its zone.
import { Cron } from "croner";
import { fail } from "../core/mod.ts";

export const RECURRENCE_TYPES = ["daily", "weekly", "monthly", "cron"] as const;
export type RecurrenceType = typeof RECURRENCE_TYPES[number];

/** How a message repeats. `days` are ISO weekdays (1 = Monday … 7 = Sunday). */
export type Recurrence =
  | { type: "daily" }
  | { type: "weekly"; days: number[] }
  | { type: "monthly" }
  | { type: "cron"; cron: string };

/** The canonical IANA name of `zone`, or null when it names no time zone. */
export function canonicalTimeZone(zone: unknown): string | null {
  if (typeof zone !== "string" || zone === "" || zone.length > 64) return null;
  try {
    return Temporal.Now.zonedDateTimeISO(zone).timeZoneId;
  } catch {
    return null;
  }
}

/** A zone name for an API field: canonical, or a 400. */
export function requireTimeZone(zone: unknown, field = "time_zone"): string {
  const canonical = canonicalTimeZone(zone);
  if (!canonical) throw fail("time_zone_invalid", { field });
  return canonical;
}

// An offset (Z, ±HH, ±HH:MM, ±HHMM) right after the time, or a bracketed zone name.
const HAS_OFFSET = /T\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}(:?\d{2})?)(\[.+\])?$/i;
const BRACKETED = /\[[^\]]+\]$/;

/**
 * The instant an API time names (epoch ms). ISO 8601 with an offset is taken as is; a time without one
 * (`2026-04-18 10:00`, as TAGUATO-SEND clients send browser-local times) is read in `zone`. A local time a
 * DST gap skips moves forward (02:30 on a spring-forward night is 03:30), an ambiguous one takes the
 * earlier instant.
 */
export function parseScheduledAt(text: unknown, zone: string, field = "scheduled_at"): number {
  if (typeof text !== "string" || text.length > 64) throw fail("scheduled_at_invalid", { field });
  const iso = text.trim().replace(/^(\d{4}-\d{2}-\d{2})[ t]/i, "$1T");
  try {
    if (BRACKETED.test(iso)) return Temporal.ZonedDateTime.from(iso).epochMilliseconds;
    if (HAS_OFFSET.test(iso)) return Temporal.Instant.from(iso).epochMilliseconds;
    if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(iso)) throw new RangeError(iso);
    return Temporal.PlainDateTime.from(iso).toZonedDateTime(zone, { disambiguation: "compatible" })
      .epochMilliseconds;
  } catch {
    throw fail("scheduled_at_invalid", { field });
  }
}

/** An instant as ISO 8601 with the zone's offset at that instant (`2026-03-29T09:00:00+02:00`). */
export function formatInZone(epochMs: number, zone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(zone)
    .toString({ timeZoneName: "never", fractionalSecondDigits: 0 });
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Validates an API recurrence (null/absent = once); throws the catalogue 400 for a bad shape. */
export function parseRecurrence(value: unknown, zone: string): Recurrence | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) throw fail("recurrence_invalid");
  const type = value.type;
  if (typeof type !== "string" || !(RECURRENCE_TYPES as readonly string[]).includes(type)) {
    throw fail("log_filter_choice", { field: "recurrence.type", values: RECURRENCE_TYPES.join(", ") });
  }
  if (type === "weekly") {
    const days = value.days;
    if (
      !Array.isArray(days) || days.length === 0 || days.length > 7 ||
      !days.every((d) => Number.isInteger(d) && d >= 1 && d <= 7)
    ) throw fail("recurrence_days_invalid");
    return { type, days: [...new Set(days as number[])].sort() };
  }
  if (type === "cron") {
    const cron = value.cron;
    if (typeof cron !== "string" || cron.length > 100 || cron.trim().split(/\s+/).length !== 5) {
      throw fail("recurrence_cron_invalid");
    }
    try {
      new Cron(cron.trim(), { timezone: zone, paused: true });
    } catch {
      throw fail("recurrence_cron_invalid");
    }
    return { type, cron: cron.trim() };
  }
  return { type: type as "daily" | "monthly" };
}

/**
 * The first occurrence strictly after `afterMs` of a series that started at `startMs` (the wall-clock time
 * of day and day of month come from the start, in `zone`), or null past `untilMs`. Missed occurrences
 * (the worker was down) are skipped rather than sent in a burst.
 */
export function nextOccurrence(
  rec: Recurrence,
  startMs: number,
  zone: string,
  afterMs: number,
  untilMs: number | null = null,
): number | null {
  const next = rec.type === "cron"
    ? nextCron(rec.cron, zone, afterMs)
    : nextStep(rec, startMs, zone, afterMs);
  return next === null || (untilMs !== null && next > untilMs) ? null : next;
}

function nextCron(cron: string, zone: string, afterMs: number): number | null {
  const at = new Cron(cron, { timezone: zone, paused: true }).nextRun(new Date(afterMs));
  return at ? at.getTime() : null;
}

function nextStep(rec: Recurrence, startMs: number, zone: string, afterMs: number): number {
  const start = Temporal.Instant.fromEpochMilliseconds(startMs).toZonedDateTimeISO(zone);
  const after = Temporal.Instant.fromEpochMilliseconds(afterMs).toZonedDateTimeISO(zone);
  // Counted from the start each time (not from the previous occurrence), so a 31st clamped to the 30th
  // in one month is the 31st again in the next, and 09:00 stays 09:00 after a DST gap pushed one to 10:00.
  const unit = rec.type === "monthly" ? "months" : "days";
  const elapsed = Math.max(0, Math.floor(start.until(after, { largestUnit: unit })[unit]) - 1);
  for (let n = Math.max(1, elapsed);; n++) {
    const candidate = start.add({ [unit]: n });
    if (candidate.epochMilliseconds <= afterMs) continue;
    if (rec.type === "weekly" && !rec.days.includes(candidate.dayOfWeek)) continue;
    return candidate.epochMilliseconds;
  }
}
