import { assertEquals } from "../core/testing.ts";
import { clockTime, gapAfterMs, type Pacing, parseClockTime, quietWaitMs } from "./pacing.ts";

const base: Pacing = {
  minGapS: 10,
  maxGapS: 20,
  longPauseEvery: 3,
  longPauseS: 300,
  quietStart: null,
  quietEnd: null,
  timeZone: "UTC",
};

Deno.test("the gap is random within [min, max] and every N-th send adds the long pause", () => {
  assertEquals(gapAfterMs(base, 1, () => 0), 10_000);
  assertEquals(gapAfterMs(base, 2, () => 0.5), 15_000);
  assertEquals(gapAfterMs(base, 3, () => 0.999999), 320_000);
  assertEquals(gapAfterMs(base, 6, () => 0), 310_000);
  assertEquals(gapAfterMs({ ...base, longPauseEvery: null }, 3, () => 0), 10_000);
});

Deno.test("quiet hours wait until their end, across midnight and in the campaign's time zone", () => {
  const night = { quietStart: 22 * 60, quietEnd: 7 * 60, timeZone: "UTC" };
  assertEquals(quietWaitMs(night, Date.UTC(2026, 0, 1, 21, 59)), 0);
  assertEquals(quietWaitMs(night, Date.UTC(2026, 0, 1, 22, 0)), 9 * 3600_000);
  assertEquals(quietWaitMs(night, Date.UTC(2026, 0, 2, 6, 59, 30)), 30_000);
  assertEquals(quietWaitMs(night, Date.UTC(2026, 0, 2, 7, 0)), 0);
  const lunch = { quietStart: 12 * 60, quietEnd: 13 * 60, timeZone: "America/Asuncion" };
  // 15:30 UTC is 12:30 in Asunción (UTC-3).
  assertEquals(quietWaitMs(lunch, Date.UTC(2026, 4, 2, 15, 30)), 30 * 60_000);
  assertEquals(quietWaitMs(lunch, Date.UTC(2026, 4, 2, 12, 30)), 0);
  assertEquals(quietWaitMs({ ...lunch, quietStart: null, quietEnd: null }, Date.UTC(2026, 4, 2, 15, 30)), 0);
});

Deno.test("HH:MM parses to minutes of the day and back; anything else is null", () => {
  assertEquals([parseClockTime("00:00"), parseClockTime("23:59"), parseClockTime("07:05")], [0, 1439, 425]);
  for (const bad of ["24:00", "7:00", "07:60", "0700", ""]) assertEquals(parseClockTime(bad), null, bad);
  assertEquals(clockTime(425), "07:05");
});
