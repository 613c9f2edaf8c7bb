// What the user's session list and the admins' list show alike: the device named from its User-Agent,
// and the address and time cells of a session row.
import type { Locale } from "../lib/core/i18n.ts";
import { DateCell } from "./data_table.tsx";

const BROWSERS: [RegExp, string][] = [
  [/Edg\//, "Edge"],
  [/OPR\/|Opera/, "Opera"],
  [/Firefox\//, "Firefox"],
  [/Chrom(e|ium)\//, "Chrome"],
  [/Safari\//, "Safari"],
  [/curl\//i, "curl"],
  [/Deno\//, "Deno"],
  [/node|undici/i, "Node.js"],
  [/python/i, "Python"],
];
const SYSTEMS: [RegExp, string][] = [
  [/Android/, "Android"],
  [/iPhone|iPad|iOS/, "iOS"],
  [/Windows/, "Windows"],
  [/Mac OS X|Macintosh/, "macOS"],
  [/CrOS/, "ChromeOS"],
  [/Linux/, "Linux"],
];

/** "Chrome · Linux" from a User-Agent string; the raw string stays available as a tooltip. */
export function describeAgent(ua: string | null): string | null {
  if (!ua || ua === "unknown") return null;
  const browser = BROWSERS.find(([re]) => re.test(ua))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(ua))?.[1];
  return [browser, system].filter(Boolean).join(" · ") || ua.slice(0, 40);
}

/** A session row's address, last-active and created cells. */
export function SessionCells({ session, locale }: {
  session: { ip_address: string | null; last_active: string; created_at: string };
  locale: Locale;
}) {
  return (
    <>
      <td>
        <code>{session.ip_address ?? "—"}</code>
      </td>
      <DateCell iso={session.last_active} locale={locale} />
      <DateCell iso={session.created_at} locale={locale} />
    </>
  );
}
