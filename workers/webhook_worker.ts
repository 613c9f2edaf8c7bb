// webhook-dispatch as a registered worker: the fast in-process loop (webhook_dispatch.ts) delivers within
// a second; this minute tick drains whatever is due across the cluster (a replica without a running loop,
// a kick that was missed) and reports it like every other worker.
import { dispatchDueDeliveries } from "../lib/webhooks/mod.ts";
import type { WorkerSpec } from "./spec.ts";

const BATCH = 20;
/** A tick stops after this many batches; the next minute goes on. */
const MAX_BATCHES = 50;

export const webhookDispatchWorker: WorkerSpec = {
  name: "webhook-dispatch",
  schedule: "* * * * *",
  async run(deps) {
    let delivered = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const n = await dispatchDueDeliveries(deps, BATCH);
      delivered += n;
      if (n < BATCH) break;
    }
    return { attempted: delivered };
  },
};
