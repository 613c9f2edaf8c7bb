import { Island } from "../../../components/Island.tsx";
import { PageHead } from "../../../components/PageHead.tsx";
import { t } from "../../../lib/core/mod.ts";
import { lastRuns } from "../../../lib/ops/mod.ts";
import { allWorkers } from "../../../workers/mod.ts";
import { nextRunAt } from "../../../workers/registry.ts";
import { definePage } from "../_layout.tsx";

/** `/panel/admin/workers`: the background workers, their last and next runs, and "run now". */
export const workersPage = definePage({
  path: "/admin/workers",
  access: "admin",
  title: "workers.title",
  nav: { label: "nav.workers", icon: "pulse", section: "admin" },
  async render(c, deps) {
    const l = c.get("locale");
    const last = await lastRuns(deps.sql);
    const now = new Date(deps.clock.now());
    const workers = allWorkers(deps.config).map((w) => {
      const r = last.get(w.name);
      return {
        name: w.name,
        schedule: w.schedule,
        next_run: nextRunAt(w.schedule, now)?.toISOString() ?? null,
        last_run: r
          ? {
            started_at: r.started_at.toISOString(),
            duration_ms: r.duration_ms,
            ok: r.ok,
            result: r.result,
            error: r.error,
            holder: r.holder,
            manual: r.manual,
          }
          : null,
      };
    });
    return (
      <>
        <PageHead title={t(l, "workers.title")} lead={t(l, "workers.intro")} />
        <Island name="WorkersAdmin" props={{ locale: l, workers }} />
      </>
    );
  },
});
