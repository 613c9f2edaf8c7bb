// The in-process loop that runs dispatchDueDeliveries: started by main.ts (and by tests), woken at once
// when the ingest route queues deliveries, otherwise polling for retries that come due.
import type { AppDeps } from "../lib/core/mod.ts";
import { dispatchDueDeliveries } from "../lib/webhooks/mod.ts";

export interface WebhookDispatcher {
  /** Run a pass now (new deliveries were queued). */
  kick(): void;
  /** Stop the loop and wait for the pass in progress. */
  stop(): Promise<void>;
}

const running = new WeakMap<AppDeps, WebhookDispatcher>();

/** Wakes the deps' dispatcher, if one runs in this process (other replicas pick the rows up by polling). */
export function kickWebhookDispatcher(deps: AppDeps): void {
  running.get(deps)?.kick();
}

/** Starts the loop; `intervalMs` bounds how late a due retry is attempted. */
export function startWebhookDispatcher(
  deps: AppDeps,
  options: { intervalMs?: number } = {},
): WebhookDispatcher {
  const intervalMs = options.intervalMs ?? 1000;
  const batch = 20;
  let stopped = false;
  let wake: (() => void) | null = null;
  let pending = false;

  async function loop() {
    while (!stopped) {
      pending = false;
      let n = 0;
      try {
        n = await dispatchDueDeliveries(deps, batch);
      } catch (err) {
        deps.log.error("webhook dispatch failed", {
          error: err instanceof Error ? err.message : String(err),
        });
      }
      // A full batch means more may be due already; a kick during the pass means new rows were queued.
      if (stopped || n === batch || pending) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  }

  const done = loop();
  const dispatcher: WebhookDispatcher = {
    kick() {
      pending = true;
      wake?.();
    },
    async stop() {
      stopped = true;
      wake?.();
      await done;
      if (running.get(deps) === dispatcher) running.delete(deps);
    },
  };
  running.set(deps, dispatcher);
  return dispatcher;
}
