// Every background worker of the gateway, in one list: main.ts hands it to the registry, GET /admin/workers
// lists it. A worker module exports one WorkerSpec (workers/spec.ts).
import type { Config } from "../lib/core/mod.ts";
import { backupWorker } from "./backup.ts";
import { campaignsWorker } from "./campaigns.ts";
import { cleanupWorker } from "./cleanup.ts";
import { dailyCountsWorker } from "./daily_counts.ts";
import { logRotationWorker } from "./log_rotation.ts";
import { reconnectWorker } from "./reconnect.ts";
import { scheduledWorker } from "./scheduled.ts";
import type { WorkerSpec } from "./spec.ts";
import { uptimeWorker } from "./uptime.ts";
import { webhookDispatchWorker } from "./webhook_worker.ts";

export type { WorkerSpec } from "./spec.ts";
export { runWorkerNow, startWorkerRegistry, tickWorker } from "./registry.ts";

/** The registered workers, each a WorkerSpec from its own workers/<name>.ts. */
export function allWorkers(config: Config): WorkerSpec[] {
  return [
    uptimeWorker,
    reconnectWorker,
    scheduledWorker,
    backupWorker(config.backupIntervalSeconds),
    cleanupWorker,
    logRotationWorker,
    webhookDispatchWorker,
    campaignsWorker,
    dailyCountsWorker,
  ];
}
