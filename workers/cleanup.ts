// cleanup (hourly): expiry sweeps and retention purges (lib/ops/cleanup.ts).
import { runCleanup } from "../lib/ops/mod.ts";
import type { WorkerSpec } from "./spec.ts";

export const cleanupWorker: WorkerSpec = {
  name: "cleanup",
  schedule: "7 * * * *",
  run: (deps) => runCleanup(deps),
};
