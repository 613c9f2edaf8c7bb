// daily-counts (every minute): moves the per-day count deltas the message_logs triggers append into
// message_daily (migration 0026), so the dashboards' reads stay a few rows per day.
import { rollupDailyCounts } from "../lib/messaging/mod.ts";
import type { WorkerSpec } from "./spec.ts";

export const dailyCountsWorker: WorkerSpec = {
  name: "daily-counts",
  schedule: "* * * * *",
  async run(deps) {
    return { merged: await rollupDailyCounts(deps.sql) };
  },
};
