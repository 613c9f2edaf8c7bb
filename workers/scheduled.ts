// The scheduled-messages worker (contract §5.3): every minute, due scheduled messages are sent. The
// logic is runScheduled (lib/messaging/scheduled_worker.ts); the registry runs this spec under its
// cluster lock, and several processes running it at once is safe as well (leases, per-recipient claims).
import { runScheduled } from "../lib/messaging/mod.ts";
import type { WorkerSpec } from "./spec.ts";

export const scheduledWorker: WorkerSpec = {
  name: "scheduled",
  schedule: "* * * * *",
  run: (deps) => runScheduled(deps),
};
