// The "uptime" worker: every 5 minutes, check the gateway, the engine, PostgreSQL and Redis, store the
// samples, alert on changes and follow automatic incidents (lib/status/uptime.ts holds the logic).
import { runUptime } from "../lib/status/mod.ts";
import type { WorkerSpec } from "./spec.ts";

export const uptimeWorker: WorkerSpec = {
  name: "uptime",
  schedule: "*/5 * * * *",
  async run(deps) {
    const r = await runUptime(deps);
    // A small summary for the run record: what was down and what changed.
    return {
      down: r.checks.filter((c) => c.status !== "operational").map((c) => c.name),
      alerts: r.alerts.filter((a) => a.result.outcome === "sent").map((a) => a.key),
      incidents_opened: r.incidents_opened,
      incidents_resolved: r.incidents_resolved,
      recorded: r.recorded,
    };
  },
};
