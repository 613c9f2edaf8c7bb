// Private components of the public status page: banners, the service grid with 90-day bars, incident
// timelines and the SLA report. Server-only; the charts are StatusChart islands.
import { Island } from "../../components/Island.tsx";
import { type Locale, type MessageKey, t } from "../../lib/core/mod.ts";
import type {
  DayPct,
  PublicIncident,
  PublicMaintenance,
  SlaRow,
  StatusDocument,
} from "../../lib/status/mod.ts";

const DAY_MS = 86_400_000;
const COLORS: Record<string, string> = {
  "Evolution API": "#2563eb",
  PostgreSQL: "#d97706",
  Redis: "#dc2626",
  Gateway: "#16a34a",
};

const when = (locale: Locale, value: Date | string) =>
  new Date(value).toLocaleString(locale === "es" ? "es-PY" : "en-GB", { timeZone: "UTC" }) + " UTC";

/** The colour band of one day's uptime (contract §13.4: ≥99.5 green, ≥95 yellow, ≥80 orange, else red). */
const band = (pct: number) => pct >= 99.5 ? "ok" : pct >= 95 ? "warn" : pct >= 80 ? "orange" : "down";

export function MaintenanceBanners({ locale, items }: { locale: Locale; items: PublicMaintenance[] }) {
  return (
    <>
      {items.map((m) => (
        <section key={m.id} class={`status-maint status-maint-${m.status}`} data-maintenance={m.id}>
          <p class="status-maint-kind">
            {t(locale, m.status === "in_progress" ? "status.maintInProgress" : "status.maintScheduled")}
          </p>
          <h2>{m.title}</h2>
          <p>
            <time dateTime={new Date(m.scheduled_start).toISOString()}>
              {when(locale, m.scheduled_start)}
            </time>
            {" – "}
            <time dateTime={new Date(m.scheduled_end).toISOString()}>{when(locale, m.scheduled_end)}</time>
          </p>
          {m.description && <p>{m.description}</p>}
          {m.affected_services.length > 0 && (
            <p class="badge-row">
              {m.affected_services.map((s) => <span key={s} class="badge badge-neutral">{s}</span>)}
            </p>
          )}
        </section>
      ))}
    </>
  );
}

/** 90 bars, one per UTC day ending today; a day without samples is grey. */
function DayBars({ locale, days, now }: { locale: Locale; days: DayPct[]; now: number }) {
  const byDay = new Map(days.map((d) => [d.day, d.pct]));
  const bars = Array.from(
    { length: 90 },
    (_, i) => new Date(now - (89 - i) * DAY_MS).toISOString().slice(0, 10),
  );
  return (
    <div class="status-bars" role="img" aria-label={t(locale, "status.uptime90")}>
      {bars.map((day) => {
        const pct = byDay.get(day);
        return (
          <span
            key={day}
            class={`status-bar status-bar-${pct === undefined ? "none" : band(pct)}`}
            title={pct === undefined
              ? `${t(locale, "status.noData")} - ${day}`
              : t(locale, "status.dayTip", { pct, day })}
          />
        );
      })}
    </div>
  );
}

export function ServiceGrid({ locale, doc, now }: { locale: Locale; doc: StatusDocument; now: number }) {
  return (
    <section class="card card-pad" aria-labelledby="svc-h">
      <h2 id="svc-h" class="card-title">{t(locale, "status.services")}</h2>
      <p class="field-hint">{t(locale, "status.uptimeHint")}</p>
      <ul class="status-services">
        {doc.services.map((s) => (
          <li key={s.name} data-service={s.name}>
            <div class="status-service-head">
              <span class={`status-dot status-dot-${s.status}`} aria-hidden="true" />
              <strong>{s.name}</strong>
              <span class={`badge ${s.status === "operational" ? "badge-ok" : "badge-danger"}`}>
                {t(locale, `status.svc.${s.status}` as MessageKey)}
              </span>
              <span class="status-ms">{s.response_time} ms</span>
              {doc.uptime[s.name] !== undefined && (
                <span class="status-pct">{t(locale, "status.uptime30", { pct: doc.uptime[s.name] })}</span>
              )}
            </div>
            <DayBars locale={locale} days={doc.uptime_daily[s.name] ?? []} now={now} />
          </li>
        ))}
      </ul>
    </section>
  );
}

export function ResponseCharts({ locale, doc }: { locale: Locale; doc: StatusDocument }) {
  const names = Object.keys(doc.response_time_history).filter((n) => n !== "Gateway");
  if (!names.length) return null;
  const hours = [...new Set(names.flatMap((n) => doc.response_time_history[n].map((h) => h.hour)))].sort();
  const x = hours.map((h) => Date.parse(h.replace(" ", "T") + "Z") / 1000);
  const series = names.map((n) => {
    const byHour = new Map(doc.response_time_history[n].map((h) => [h.hour, h.avg_ms]));
    return { label: n, color: COLORS[n] ?? "#6b7280", values: hours.map((h) => byHour.get(h) ?? null) };
  });
  return (
    <section class="card card-pad" aria-labelledby="rt-h">
      <h2 id="rt-h" class="card-title">{t(locale, "status.responseTimes")}</h2>
      <Island
        name="StatusChart"
        props={{ label: t(locale, "status.responseTimes"), x, series, unit: " ms" }}
      />
    </section>
  );
}

function Timeline({ locale, incident }: { locale: Locale; incident: PublicIncident }) {
  return (
    <ol class="status-timeline">
      {incident.updates.map((u, i) => (
        <li key={i} data-update-status={u.status}>
          <strong>{t(locale, `status.st.${u.status}` as MessageKey)}</strong>{" "}
          <time dateTime={u.created_at}>{when(locale, u.created_at)}</time>
          <p>{u.message}</p>
        </li>
      ))}
    </ol>
  );
}

export function IncidentList(
  { locale, incidents, past }: { locale: Locale; incidents: PublicIncident[]; past?: boolean },
) {
  const heading = past ? "status.pastIncidents" : "status.activeIncidents";
  if (!past && !incidents.length) return null;
  return (
    <section
      class="card card-pad"
      aria-labelledby={past ? "past-h" : "active-h"}
      data-incidents={past ? "past" : "active"}
    >
      <h2 id={past ? "past-h" : "active-h"} class="card-title">{t(locale, heading)}</h2>
      {!incidents.length && <p>{t(locale, "status.noIncidents")}</p>}
      {incidents.map((i) => {
        const body = (
          <>
            <p class="badge-row">
              <span class={`badge ${i.severity === "minor" ? "badge-warn" : "badge-danger"}`}>
                {t(locale, `status.sev.${i.severity}` as MessageKey)}
              </span>
              <span class="badge badge-info">{t(locale, `status.st.${i.status}` as MessageKey)}</span>
              {i.automatic && <span class="badge badge-neutral">{t(locale, "status.automatic")}</span>}
            </p>
            {i.affected_services.length > 0 && (
              <p>{t(locale, "status.affects", { services: i.affected_services.join(", ") })}</p>
            )}
            {i.resolved_at && <p>{t(locale, "status.resolvedAt", { time: when(locale, i.resolved_at) })}</p>}
            <Timeline locale={locale} incident={i} />
          </>
        );
        return past
          ? (
            <details key={i.id} class="status-incident" data-incident={i.id}>
              <summary>{i.title}</summary>
              {body}
            </details>
          )
          : (
            <article key={i.id} class="status-incident" data-incident={i.id}>
              <h3>{i.title}</h3>
              {body}
            </article>
          );
      })}
    </section>
  );
}

export function SlaReport({ locale, month, rows }: { locale: Locale; month: string; rows: SlaRow[] }) {
  return (
    <section class="card card-pad" aria-labelledby="sla-h" data-sla={month}>
      <h2 id="sla-h" class="card-title">{t(locale, "status.sla")}</h2>
      <form method="get" action="/status/" class="form-actions-start">
        <label class="field">
          <span>{t(locale, "status.slaMonth")}</span>
          <input class="input" type="month" name="month" value={month} required />
        </label>
        <input type="hidden" name="lang" value={locale} />
        <button class="btn btn-secondary" type="submit">{t(locale, "status.slaShow")}</button>
        <a class="btn btn-ghost" href={`/api/status/sla.csv?month=${month}`} download>
          {t(locale, "status.slaCsv")}
        </a>
      </form>
      {!rows.length ? <p>{t(locale, "status.slaEmpty")}</p> : (
        <>
          <table class="status-sla">
            <thead>
              <tr>
                <th scope="col">{t(locale, "status.slaService")}</th>
                <th scope="col">{t(locale, "status.slaUptime")}</th>
                <th scope="col">{t(locale, "status.slaChecks")}</th>
                <th scope="col">{t(locale, "status.slaExcluded")}</th>
                <th scope="col">{t(locale, "status.slaAvg")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.service}>
                  <th scope="row">{r.service}</th>
                  <td>{r.uptime.toFixed(2)}%</td>
                  <td>{r.checks}</td>
                  <td>{r.excluded}</td>
                  <td>{r.avg_ms} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Island
            name="StatusChart"
            props={{
              label: t(locale, "status.sla"),
              x: rows.map((_, i) => i),
              categories: rows.map((r) => r.service),
              series: [{
                label: t(locale, "status.slaUptime"),
                color: "#16a34a",
                values: rows.map((r) => r.uptime),
              }],
              unit: "%",
            }}
          />
        </>
      )}
    </section>
  );
}
