import { useEffect, useState } from "preact/hooks";
import type { Locale } from "../lib/core/i18n.ts";

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * A timestamp. The server and the first browser render print it in UTC (so hydration matches); after
 * hydration it switches to the reader's own time zone and locale.
 */
export function LocalTime(
  { iso, locale, dateOnly }: { iso: string | null | undefined; locale: Locale; dateOnly?: boolean },
) {
  const [local, setLocal] = useState(false);
  useEffect(() => setLocal(true), []);
  if (!iso) return <span class="muted">—</span>;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return <span>{iso}</span>;
  const text = local
    ? d.toLocaleString(locale === "es" ? "es-PY" : "en-US", {
      dateStyle: "medium",
      ...(dateOnly ? {} : { timeStyle: "short" }),
    })
    : `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
      (dateOnly ? "" : ` ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`);
  return <time dateTime={d.toISOString()} title={d.toISOString()}>{text}</time>;
}
