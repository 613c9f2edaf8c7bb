import { useEffect, useState } from "preact/hooks";
import type { Locale } from "../lib/core/i18n.ts";
import { LocalTime } from "./local_time.tsx";
import { Alert, translator } from "./ui.tsx";
import { api } from "./use_api.ts";

/**
 * The reconnect worker's loop flag on an instance's detail (GET /api/reconnects/{name}): shown only while
 * the instance keeps dropping, so the owner knows automatic retries are not bringing it back.
 */
export function ReconnectFlag({ locale, name }: { locale: Locale; name: string }) {
  const tr = translator(locale);
  const [flag, setFlag] = useState<{ since: string; next: string | null } | null>(null);
  useEffect(() => {
    api<{ reconnect_loop_at: string | null; next_reconnect_at: string | null }>(
      `/api/reconnects/${encodeURIComponent(name)}?limit=1`,
    ).then(
      (r) => setFlag(r.reconnect_loop_at ? { since: r.reconnect_loop_at, next: r.next_reconnect_at } : null),
      () => setFlag(null),
    );
  }, [name]);
  if (!flag) return null;
  return (
    <Alert tone="warn">
      <span data-reconnect-loop>{tr("reconnect.loop")}</span> <LocalTime iso={flag.since} locale={locale} />
      {flag.next && (
        <>
          {" · "}
          {tr("reconnect.next")} <LocalTime iso={flag.next} locale={locale} />
        </>
      )}
    </Alert>
  );
}
