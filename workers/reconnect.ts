// reconnect (every 3 minutes): instances not open are reconnected with backoff (lib/ops/reconnect.ts).
import { runReconnect } from "../lib/ops/mod.ts";
import type { WorkerSpec } from "./spec.ts";

export const reconnectWorker: WorkerSpec = {
  name: "reconnect",
  schedule: "*/3 * * * *",
  run: async (deps) => ({ ...await runReconnect(deps) }),
};
