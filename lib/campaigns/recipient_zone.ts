// The time zone of a recipient for quiet hours in the recipient's zone: the country of the number
// (libphonenumber-js) and that country's zones (countries-and-timezones). One zone: that one. Several: the
// campaign's zone when it is one of them (a Brazilian campaign in São Paulo to Brazilian numbers), else the
// country's first zone when all of them share one UTC offset (Argentina), else the campaign's zone (the
// United States, Spain with the Canaries): a number does not say which side of the country it lives on.
import { parsePhoneNumberFromString } from "libphonenumber-js";
import ct from "countries-and-timezones";

const cache = new Map<string, string[]>();

function zonesOf(country: string): string[] {
  let zones = cache.get(country);
  if (!zones) {
    zones = ct.getCountry(country)?.timezones ?? [];
    cache.set(country, zones);
  }
  return zones;
}

function oneOffset(zones: string[]): boolean {
  const offsets = new Set(zones.map((z) => {
    const t = ct.getTimezone(z);
    return t ? `${t.utcOffset}/${t.dstOffset}` : z;
  }));
  return offsets.size === 1;
}

/** The zone quiet hours of `phone` (digits, optional +) are read in; `fallback` when it cannot tell. */
export function recipientTimeZone(phone: string, fallback: string): string {
  const digits = phone.replace(/[^\d]/g, "");
  const country = parsePhoneNumberFromString(`+${digits}`)?.country;
  if (!country) return fallback;
  const zones = zonesOf(country);
  if (zones.length === 0 || zones.includes(fallback)) return fallback;
  if (zones.length === 1 || oneOffset(zones)) return zones[0];
  return fallback;
}
