// The in-process campaign loop started by main.ts: runs dispatchCampaigns back to back while it finds
// work, else sleeps `intervalMs` (the granularity of the pacing gaps). Several processes may run it at
// once: claims use FOR UPDATE SKIP LOCKED, so each recipient goes to one of them.
import type { AppDeps } from "../lib/core/mod.ts";
import { dispatchCampaigns } from "../lib/campaigns/mod.ts";

export interface CampaignDispatcher {
  stop(): Promise<void>;
}

/** Starts the loop; stop() waits for the send in progress. */
export function startCampaignDispatcher(
  deps: AppDeps,
  options: { intervalMs?: number } = {},
): CampaignDispatcher {
  const intervalMs = options.intervalMs ?? 1000;
  let stopped = false;
  let wake: (() => void) | null = null;
  async function loop() {
    while (!stopped) {
      let busy = false;
      try {
        const r = await dispatchCampaigns(deps, { maxClaims: 50 });
        busy = r.sent + r.failed + r.unknown + r.skipped + r.paused > 0;
      } catch (err) {
        deps.log.error("campaign dispatch failed", {
          error: err instanceof Error ? err.message : String(err),
        });
      }
      if (stopped || busy) continue;
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
  return {
    async stop() {
      stopped = true;
      wake?.();
      await done;
    },
  };
}
