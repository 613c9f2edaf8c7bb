import { Island } from "../../components/Island.tsx";
import { PageHead } from "../../components/PageHead.tsx";
import { StatCard } from "../../components/StatCard.tsx";
import { type Locale, t } from "../../lib/core/mod.ts";
import { type PeriodUsage, quotaUsage, userDashboard } from "../../lib/messaging/mod.ts";
import { definePage } from "./_layout.tsx";

/** One quota bar: used of the cap (a native <meter>, so the CSP needs no inline style), or "no cap". */
function UsageMeter({ l, label, u }: { l: Locale; label: string; u: PeriodUsage }) {
  const resets = new Date(u.resets_at).toLocaleString(l === "es" ? "es-PY" : "en-US", { timeZone: "UTC" });
  return (
    <div class="usage-row" data-usage-period={label}>
      <div class="usage-head">
        <span>{label}</span>
        <span class="muted">
          {u.limit === null
            ? t(l, "usage.noLimit", { used: u.used })
            : t(l, "usage.used", { used: u.used, limit: u.limit, percent: u.percent ?? 0 })}
        </span>
      </div>
      {u.limit !== null && (
        <meter class="usage-meter" min={0} max={u.limit} value={u.used} low={u.limit * 0.8} high={u.limit}>
          {u.percent}%
        </meter>
      )}
      <p class="field-hint">{t(l, "usage.resets", { time: `${resets} UTC` })}</p>
    </div>
  );
}

/** `/panel/dashboard`: my message counts, rates, quota usage and the daily chart (same data as the API). */
export const dashboardPage = definePage({
  path: "/dashboard",
  title: "dash.title",
  nav: { label: "nav.dashboard", icon: "pulse" },
  async render(c, deps) {
    const l = c.get("locale");
    const user = c.var.user;
    const [dash, usage] = await Promise.all([
      userDashboard(deps.sql, user.id, new Date(deps.clock.now()), 7),
      quotaUsage(deps, user.id),
    ]);
    const n = (v: number) => v.toLocaleString(l === "es" ? "es-PY" : "en-US");
    return (
      <>
        <PageHead title={t(l, "dash.title")} lead={t(l, "dash.intro")} />
        <section class="card-grid" aria-label={t(l, "dash.title")}>
          <StatCard
            icon="chat"
            label={t(l, "dash.today")}
            value={n(dash.messages_today)}
            hint={t(l, "dash.weekMonth", { week: n(dash.messages_week), month: n(dash.messages_month) })}
          />
          <StatCard
            icon="list"
            label={t(l, "dash.total")}
            value={n(dash.messages_total)}
            hint={t(l, "dash.totalHint")}
          />
          <StatCard
            icon="check"
            label={t(l, "dash.deliveryRate")}
            value={`${dash.delivery_rate}%`}
            hint={t(l, "dash.readHint", { rate: dash.read_rate })}
          />
          <StatCard
            icon="server"
            label={t(l, "dash.instances")}
            value={`${dash.instances} / ${dash.max_instances}`}
            hint={t(l, "dash.instancesHint")}
          />
        </section>
        <section class="card stack" aria-labelledby="usage-title" data-usage>
          <h2 class="card-title" id="usage-title">{t(l, "usage.title")}</h2>
          <UsageMeter l={l} label={t(l, "usage.daily")} u={usage.daily} />
          <UsageMeter l={l} label={t(l, "usage.monthly")} u={usage.monthly} />
        </section>
        <Island name="UserDashboard" props={{ locale: l, daily: dash.daily }} />
      </>
    );
  },
});
