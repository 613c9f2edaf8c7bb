import { assertEquals, assertThrows } from "../core/testing.ts";
import { HttpError } from "../core/mod.ts";
import { formatInZone, nextOccurrence, parseRecurrence, parseScheduledAt } from "./recurrence.ts";

const utc = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

Deno.test("a time without offset is read in the zone; one with an offset is taken as is", () => {
  assertEquals(iso(parseScheduledAt("2026-04-18 10:00", "Europe/Madrid")), "2026-04-18T08:00:00.000Z");
  assertEquals(iso(parseScheduledAt("2026-04-18T10:00:00", "America/Asuncion")), "2026-04-18T13:00:00.000Z");
  assertEquals(iso(parseScheduledAt("2026-04-18T10:00:00Z", "Europe/Madrid")), "2026-04-18T10:00:00.000Z");
  assertEquals(iso(parseScheduledAt("2026-04-18T10:00:00+05:30", "UTC")), "2026-04-18T04:30:00.000Z");
  assertEquals(
    iso(parseScheduledAt("2026-04-18T10:00:00+02:00[Europe/Madrid]", "UTC")),
    "2026-04-18T08:00:00.000Z",
  );
  // 02:30 does not exist in Madrid on 29 March 2026 (02:00 → 03:00): it moves forward an hour.
  assertEquals(iso(parseScheduledAt("2026-03-29 02:30", "Europe/Madrid")), "2026-03-29T01:30:00.000Z");
  for (const bad of ["", "tomorrow", "2026-13-01 10:00", "2026-04-18 25:00", "10:00", 5]) {
    assertThrows(() => parseScheduledAt(bad, "UTC"), HttpError);
  }
});

Deno.test("daily at 09:00 Madrid keeps 09:00 across the March DST change (the instant moves an hour)", () => {
  const start = parseScheduledAt("2026-03-27 09:00", "Europe/Madrid");
  const daily = parseRecurrence({ type: "daily" }, "Europe/Madrid")!;
  const first = nextOccurrence(daily, start, "Europe/Madrid", start)!;
  const second = nextOccurrence(daily, start, "Europe/Madrid", first)!;
  const third = nextOccurrence(daily, start, "Europe/Madrid", second)!;
  assertEquals([iso(start), iso(first), iso(second), iso(third)], [
    "2026-03-27T08:00:00.000Z",
    "2026-03-28T08:00:00.000Z",
    "2026-03-29T07:00:00.000Z",
    "2026-03-30T07:00:00.000Z",
  ]);
  assertEquals(formatInZone(second, "Europe/Madrid"), "2026-03-29T09:00:00+02:00");
});

Deno.test("daily at 09:00 Asunción keeps 09:00 across Paraguay's last DST end (24 March 2024)", () => {
  const start = parseScheduledAt("2024-03-23 09:00", "America/Asuncion");
  const daily = parseRecurrence({ type: "daily" }, "America/Asuncion")!;
  const next = nextOccurrence(daily, start, "America/Asuncion", start)!;
  assertEquals([iso(start), iso(next)], ["2024-03-23T12:00:00.000Z", "2024-03-24T13:00:00.000Z"]);
  assertEquals(formatInZone(next, "America/Asuncion"), "2024-03-24T09:00:00-04:00");
});

Deno.test("weekly on days, monthly from the first day, cron in the zone, and the end date", () => {
  const zone = "Europe/Madrid";
  // Friday 2026-03-27 09:00; Mondays and Wednesdays.
  const start = parseScheduledAt("2026-03-27 09:00", zone);
  const weekly = parseRecurrence({ type: "weekly", days: [3, 1] }, zone)!;
  const mon = nextOccurrence(weekly, start, zone, start)!;
  const wed = nextOccurrence(weekly, start, zone, mon)!;
  assertEquals([formatInZone(mon, zone), formatInZone(wed, zone)], [
    "2026-03-30T09:00:00+02:00",
    "2026-04-01T09:00:00+02:00",
  ]);
  // The 31st: clamped to the 30th in April, the 31st again in May.
  const jan31 = parseScheduledAt("2026-01-31 08:00", zone);
  const monthly = parseRecurrence({ type: "monthly" }, zone)!;
  const feb = nextOccurrence(monthly, jan31, zone, jan31)!;
  const mar = nextOccurrence(monthly, jan31, zone, feb)!;
  const apr = nextOccurrence(monthly, jan31, zone, mar)!;
  const may = nextOccurrence(monthly, jan31, zone, apr)!;
  assertEquals([feb, mar, apr, may].map((ms) => formatInZone(ms, zone)), [
    "2026-02-28T08:00:00+01:00",
    "2026-03-31T08:00:00+02:00",
    "2026-04-30T08:00:00+02:00",
    "2026-05-31T08:00:00+02:00",
  ]);
  // "30 2 * * *" in Madrid on the spring-forward night: 02:30 does not exist, it runs at 03:00.
  const cron = parseRecurrence({ type: "cron", cron: "30 2 * * *" }, zone)!;
  const gap = nextOccurrence(cron, 0, zone, utc("2026-03-28T12:00:00Z"))!;
  assertEquals(formatInZone(gap, zone), "2026-03-29T03:00:00+02:00");
  // Missed occurrences are skipped: the next one after "now", not the one after the start.
  assertEquals(
    formatInZone(nextOccurrence(monthly, jan31, zone, utc("2026-06-15T00:00:00Z"))!, zone),
    "2026-06-30T08:00:00+02:00",
  );
  // Past the end date: none.
  assertEquals(nextOccurrence(weekly, start, zone, start, mon - 1), null);
  assertEquals(nextOccurrence(weekly, start, zone, start, mon), mon);
});

Deno.test("parseRecurrence refuses bad shapes", () => {
  for (
    const bad of [
      "daily",
      { type: "hourly" },
      { type: "weekly" },
      { type: "weekly", days: [] },
      { type: "weekly", days: [8] },
      { type: "cron", cron: "* * *" },
      { type: "cron", cron: "99 * * * *" },
    ]
  ) assertThrows(() => parseRecurrence(bad, "UTC"), HttpError);
  assertEquals(parseRecurrence(null, "UTC"), null);
  assertEquals(parseRecurrence({ type: "weekly", days: [5, 1, 5] }, "UTC"), { type: "weekly", days: [1, 5] });
});
