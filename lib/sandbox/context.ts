/** What every route module and state transition receives: options, store, timers and the webhook sender. */
import type { Scheduler } from "./scheduler.ts";
import type { SandboxStore } from "./state.ts";
import type { WebhookDispatcher } from "./webhooks.ts";

/** Options after defaults are applied. */
export interface ResolvedOptions {
  apiKey: string;
  serverUrl: string;
  globalWebhookUrl: string | null;
  globalWebhookByEvents: boolean;
  exposeInFetchInstances: boolean;
  webhookRetryDelaysMs: number[] | null;
  webhookTimeoutMs: number;
  webhookConcurrency: number;
  qrLimit: number;
}

export interface SandboxContext {
  options: ResolvedOptions;
  store: SandboxStore;
  scheduler: Scheduler;
  events: WebhookDispatcher;
  log: (line: string) => void;
}
