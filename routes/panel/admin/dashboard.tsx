import { Island } from "../../../components/Island.tsx";
import { PageHead } from "../../../components/PageHead.tsx";
import { StatCard } from "../../../components/StatCard.tsx";
import { t } from "../../../lib/core/mod.ts";
import { adminDashboard } from "../../../lib/status/mod.ts";
import { definePage } from "../_layout.tsx";
import { assetHref } from "../static.ts";

const href = assetHref();

const DAY_S = 86_400;

/** `/panel/admin/dashboard`: the GET /admin/dashboard figures as tiles, a 7-day chart and recent lists. */
export const adminDashboardPage = definePage({
  path: "/admin/dashboard",
  access: "admin",
  title: "adminDash.title",
  nav: { label: "nav.adminDashboard", icon: "pulse", section: "admin" },
  async render(c, deps) {
    const l = c.get("locale");
    const [d, css] = await Promise.all([adminDashboard(deps), href("status.css")]);
    const engine = d.instances.total_evolution;
    return (
      <>
        <link rel="stylesheet" href={css} />
        <PageHead title={t(l, "adminDash.title")} lead={t(l, "adminDash.lead")} />
        <div class="card-grid" data-dashboard>
          <StatCard
            icon="users"
            label={t(l, "adminDash.users")}
            value={String(d.users.total)}
            hint={t(l, "adminDash.usersHint", { active: d.users.active })}
          />
          <StatCard
            icon="devices"
            label={t(l, "adminDash.instances")}
            value={String(d.instances.total_registered)}
            hint={engine === null
              ? t(l, "adminDash.engineDown")
              : t(l, "adminDash.instancesHint", { connected: d.instances.connected ?? 0, engine })}
          />
          <StatCard
            icon="chat"
            label={t(l, "adminDash.messages")}
            value={String(d.messages.today)}
            hint={t(l, "adminDash.messagesHint", { total: d.messages.total, rate: d.messages.delivery_rate })}
          />
          <StatCard
            icon="pulse"
            label={t(l, "adminDash.uptime")}
            value={`${d.uptime_30d}%`}
            hint={t(l, "adminDash.uptimeHint")}
          />
        </div>
        <section class="card card-pad">
          <h2 class="card-title">{t(l, "adminDash.daily")}</h2>
          <Island
            name="StatusChart"
            props={{
              label: t(l, "adminDash.daily"),
              x: d.daily.map((day) => Date.parse(`${day.day}T12:00:00Z`) / 1000 - (DAY_S / 2)),
              series: [
                { label: t(l, "adminDash.sent"), color: "#16a34a", values: d.daily.map((day) => day.sent) },
                {
                  label: t(l, "adminDash.failed"),
                  color: "#dc2626",
                  values: d.daily.map((day) => day.failed),
                },
              ],
              unit: "",
            }}
          />
        </section>
        <div class="card-grid">
          <section class="card card-pad">
            <h2 class="card-title">{t(l, "adminDash.activity")}</h2>
            {!d.recent_activity.length ? <p>{t(l, "adminDash.none")}</p> : (
              <ul class="link-list">
                {d.recent_activity.map((a, i) => (
                  <li key={i}>
                    <span class="badge badge-neutral">{a.type}</span> {a.name}{" "}
                    <time dateTime={a.created_at.toISOString()}>
                      {a.created_at.toISOString().slice(0, 16)}
                    </time>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section class="card card-pad">
            <h2 class="card-title">{t(l, "adminDash.reconnections")}</h2>
            {!d.recent_reconnections.length ? <p>{t(l, "adminDash.none")}</p> : (
              <ul class="link-list">
                {d.recent_reconnections.map((r, i) => (
                  <li key={i}>
                    {r.instance_name}: {r.result} {r.error_message ?? ""}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </div>
      </>
    );
  },
});
