// The shape every background worker has: a plain function the worker registry (operations issue) runs on
// its cron schedule under a cluster-wide lock, and tests call directly. A worker module exports one.
import type { AppDeps } from "../lib/core/mod.ts";

/** One background worker: a name (unique), a `Deno.cron` schedule, and the function a tick runs. */
export interface WorkerSpec {
  /** Unique, lowercase: "uptime", "reconnect", "scheduled", "backup", "cleanup", "log-rotation", … */
  name: string;
  /** A five-field cron expression in UTC, as `Deno.cron` takes it ("* * * * *" is every minute). */
  schedule: string;
  /** One tick. Resolves with a small summary recorded as the run's result; throws on failure. */
  run(deps: AppDeps): Promise<Record<string, unknown>>;
}
