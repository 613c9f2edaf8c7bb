// campaigns as a registered worker: the in-process loop (campaign_dispatch.ts) keeps the pacing gaps;
// this minute tick runs a pass across the cluster (a replica without a loop, a process that died) so a
// campaign continues where it stopped, and turns rows a crash left `sending` into `unknown`.
import { dispatchCampaigns } from "../lib/campaigns/mod.ts";
import type { WorkerSpec } from "./spec.ts";

export const campaignsWorker: WorkerSpec = {
  name: "campaigns",
  schedule: "* * * * *",
  async run(deps) {
    return { ...await dispatchCampaigns(deps, { maxClaims: 500 }) };
  },
};
