// Campaign pacing as pure functions of "now": the random gap after a send, the long pause every N sends,
// and quiet hours in the campaign's time zone. The dispatcher turns their answers into `next_send_at`.

export interface Pacing {
  minGapS: number;
  maxGapS: number;
  longPauseEvery: number | null;
  longPauseS: number;
  /** Local minutes of the day [0, 1439]; quiet when start === end is never. */
  quietStart: number | null;
  quietEnd: number | null;
  timeZone: string;
}

/** The canonical IANA name of `tz` ("america/asuncion" → "America/Asuncion"), or null when unknown. */
export function canonicalTimeZone(tz: string): string | null {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/** Minutes since local midnight of `ms` in `tz`. */
export function localMinutes(ms: number, tz: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: tz,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(ms));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get("hour") * 60 + get("minute");
}

/**
 * Milliseconds until quiet hours end, or 0 outside them. A window may wrap midnight (22:00-07:00). The
 * answer is rounded up to the next whole minute so the dispatcher never wakes inside the window.
 */
export function quietWaitMs(p: Pick<Pacing, "quietStart" | "quietEnd" | "timeZone">, nowMs: number): number {
  if (p.quietStart === null || p.quietEnd === null || p.quietStart === p.quietEnd) return 0;
  const m = localMinutes(nowMs, p.timeZone);
  const inside = p.quietStart < p.quietEnd
    ? m >= p.quietStart && m < p.quietEnd
    : m >= p.quietStart || m < p.quietEnd;
  if (!inside) return 0;
  const minutes = (p.quietEnd - m + 1440) % 1440;
  const intoMinute = nowMs % 60_000;
  return minutes * 60_000 - intoMinute;
}

/** The wait after the `dispatched`-th send: a random gap, plus the long pause on every N-th send. */
export function gapAfterMs(p: Pacing, dispatched: number, random: () => number = Math.random): number {
  const gapS = p.minGapS + random() * (p.maxGapS - p.minGapS);
  const long = p.longPauseEvery !== null && dispatched > 0 && dispatched % p.longPauseEvery === 0;
  return Math.round((gapS + (long ? p.longPauseS : 0)) * 1000);
}

/** "HH:MM" → minutes of the day, or null when malformed. */
export function parseClockTime(value: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** Minutes of the day → "HH:MM". */
export const clockTime = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
