import { assertEquals } from "../core/testing.ts";
import { recipientTimeZone } from "./recipient_zone.ts";

Deno.test("a recipient's zone comes from the number's country, with the documented multi-zone choices", () => {
  assertEquals(recipientTimeZone("595981100000", "UTC"), "America/Asuncion");
  assertEquals(recipientTimeZone("+34 600 000 000", "Europe/Madrid"), "Europe/Madrid");
  // Several zones on one offset: the first; the campaign's own zone when the country has it.
  assertEquals(recipientTimeZone("5491155556666", "UTC"), "America/Argentina/Buenos_Aires");
  assertEquals(recipientTimeZone("5511999999999", "America/Manaus"), "America/Manaus");
  // Several offsets and none of them the campaign's: the campaign's zone.
  assertEquals(recipientTimeZone("14155550100", "America/Asuncion"), "America/Asuncion");
  assertEquals(recipientTimeZone("34600000000", "UTC"), "UTC");
  // Not a number of any country: the campaign's zone.
  assertEquals(recipientTimeZone("999", "America/Asuncion"), "America/Asuncion");
});
