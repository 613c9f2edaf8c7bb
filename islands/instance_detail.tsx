import { useEffect, useState } from "preact/hooks";
import { type Locale, type MessageKey, t } from "../lib/core/i18n.ts";
import { phoneOfJid } from "./gateway_rules.ts";
import type { InstanceItem } from "./Instances.tsx";
import { LocalTime } from "./local_time.tsx";
import { Alert, Dialog, RefreshCloseActions, translator } from "./ui.tsx";
import { api, useApi } from "./use_api.ts";
import { StateBadge } from "./state_badge.tsx";
import { ReconnectFlag } from "./reconnect_flag.tsx";
import { InstanceHealth } from "./instance_health.tsx";

/** GET /api/instance/stats/{name}. */
export interface InstanceStats {
  total: number;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  cancelled: number;
  delivery_rate: number;
  registered_at: string | null;
  recent_errors: {
    phone_number: string;
    message_type: string;
    error_message: string | null;
    created_at: string;
  }[];
  reconnections: {
    previous_state: string | null;
    action: string;
    result: string;
    error_message: string | null;
    created_at: string;
  }[];
  daily: { day: string; total: number; sent: number; failed: number }[];
}

/** Seven stacked bars (sent and failed per day) drawn with CSS; the numbers are in each bar's label. */
function DailyChart({ locale, daily }: { locale: Locale; daily: InstanceStats["daily"] }) {
  const max = Math.max(1, ...daily.map((d) => d.total));
  const dayLabel = (day: string) =>
    new Date(`${day}T12:00:00Z`).toLocaleDateString(locale === "es" ? "es-PY" : "en-US", {
      weekday: "short",
      timeZone: "UTC",
    });
  return (
    <div class="bar-chart" role="img" aria-label={t(locale, "stats.chartLabel")}>
      {daily.map((d) => (
        <div class="bar-col" key={d.day} title={t(locale, "stats.dayTitle", { ...d, day: d.day })}>
          <div class="bar-track">
            <span class="bar bar-failed" style={{ height: `${(d.failed / max) * 100}%` }} />
            <span class="bar bar-sent" style={{ height: `${(d.sent / max) * 100}%` }} />
          </div>
          <span class="bar-count">{d.total}</span>
          <span class="bar-day">{dayLabel(d.day)}</span>
        </div>
      ))}
    </div>
  );
}

/** An instance's state, phone and send statistics, with its recent errors and reconnections. */
export function DetailDialog(
  { locale, instance, onClose }: { locale: Locale; instance: InstanceItem; onClose(): void },
) {
  const tr = translator(locale);
  const [stats, setStats] = useState<InstanceStats | null>(null);
  const load = useApi(locale);
  const refresh = async () => {
    const res = await load.run(() =>
      api<InstanceStats>(`/api/instance/stats/${encodeURIComponent(instance.name)}`)
    );
    if (res) setStats(res);
  };
  useEffect(() => {
    refresh();
  }, [instance.name]);

  const tiles: [MessageKey, string | number, string][] = stats
    ? [
      ["stats.total", stats.total, ""],
      ["stats.sent", stats.sent, ""],
      ["stats.delivered", stats.delivered, "tile-ok"],
      ["stats.failed", stats.failed, stats.failed ? "tile-danger" : ""],
      ["stats.rate", `${stats.delivery_rate}%`, ""],
    ]
    : [];

  return (
    <Dialog locale={locale} wide title={tr("stats.title", { name: instance.name })} onClose={onClose}>
      <div class="stack" data-instance-detail={instance.name}>
        <dl class="detail-list">
          <dt>{tr("inst.state")}</dt>
          <dd>
            <StateBadge locale={locale} state={instance.state} />
          </dd>
          <dt>{tr("inst.phone")}</dt>
          <dd>
            {phoneOfJid(instance.ownerJid) ?? <span class="muted">{tr("inst.noPhone")}</span>}
            {instance.profileName && <span class="muted">· {instance.profileName}</span>}
          </dd>
          <dt>{tr("inst.owner")}</dt>
          <dd>{instance.owner}</dd>
          <dt>{tr("stats.registered")}</dt>
          <dd>
            <LocalTime iso={stats?.registered_at ?? instance.createdAt} locale={locale} />
          </dd>
        </dl>
        <ReconnectFlag locale={locale} name={instance.name} />
        {load.error && <Alert tone="error">{load.error}</Alert>}
        {!stats && load.busy && (
          <p class="muted">
            <span class="spinner" aria-hidden="true" /> {tr("ui.loading")}
          </p>
        )}
        {stats && (
          <>
            <div class="tile-row" aria-busy={load.busy ? "true" : undefined}>
              {tiles.map(([label, value, tone]) => (
                <div class={`tile ${tone}`} key={label}>
                  <span class="tile-value">{value}</span>
                  <span class="tile-label">{tr(label)}</span>
                </div>
              ))}
            </div>
            <h3 class="subheading">{tr("stats.last7")}</h3>
            <DailyChart locale={locale} daily={stats.daily} />
            <p class="chart-legend muted">
              <span class="legend legend-sent" /> {tr("stats.sent")}
              <span class="legend legend-failed" /> {tr("stats.failed")}
            </p>
            <InstanceHealth locale={locale} name={instance.name} />
            <details class="disclosure" open={stats.recent_errors.length > 0}>
              <summary>{tr("stats.errors", { count: stats.recent_errors.length })}</summary>
              {stats.recent_errors.length === 0
                ? <p class="muted">{tr("stats.noErrors")}</p>
                : (
                  <div class="table-wrap">
                    <table class="table table-compact">
                      <thead>
                        <tr>
                          <th scope="col">{tr("hist.date")}</th>
                          <th scope="col">{tr("hist.number")}</th>
                          <th scope="col">{tr("hist.error")}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {stats.recent_errors.map((e, i) => (
                          <tr key={i}>
                            <td class="nowrap">
                              <LocalTime iso={e.created_at} locale={locale} />
                            </td>
                            <td>
                              <code>{e.phone_number}</code>
                            </td>
                            <td class="cell-truncate" title={e.error_message ?? ""}>
                              {e.error_message ?? "—"}
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
            </details>
            <details class="disclosure">
              <summary>{tr("stats.reconnections", { count: stats.reconnections.length })}</summary>
              {stats.reconnections.length === 0
                ? <p class="muted">{tr("stats.noReconnections")}</p>
                : (
                  <ul class="plain-list">
                    {stats.reconnections.map((r, i) => (
                      <li key={i}>
                        <LocalTime iso={r.created_at} locale={locale} />{" "}
                        <span class={`badge ${r.result === "reconnected" ? "badge-ok" : "badge-danger"}`}>
                          {tr(r.result === "reconnected" ? "stats.reconnected" : "stats.reconnectFailed")}
                        </span>{" "}
                        {r.error_message && <span class="muted">{r.error_message}</span>}
                      </li>
                    ))}
                  </ul>
                )}
            </details>
          </>
        )}
        <RefreshCloseActions locale={locale} busy={load.busy} onRefresh={refresh} onClose={onClose} />
      </div>
    </Dialog>
  );
}
