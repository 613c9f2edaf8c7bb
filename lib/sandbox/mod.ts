/**
 * The sandbox engine: an in-process HTTP server that behaves like Evolution API v2.3.7 for the subset the
 * gateway uses (contract §8), with control routes under `/_sandbox/` for tests. See README.md.
 */
import { createSandboxApp } from "./app.ts";
import type { ResolvedOptions, SandboxContext } from "./context.ts";
import { Scheduler } from "./scheduler.ts";
import { SandboxStore } from "./state.ts";
import { WebhookDispatcher } from "./webhooks.ts";

export interface SandboxOptions {
  /** The global key (`AUTHENTICATION_API_KEY`). */
  apiKey: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  hostname?: string;
  /** `server_url` in webhook envelopes; defaults to the listening URL. */
  serverUrl?: string;
  /** When given, only these numbers (or group JIDs) exist on WhatsApp. */
  knownNumbers?: string[];
  /** Numbers that do not exist when `knownNumbers` is not given (default: every number exists). */
  unknownNumbers?: string[];
  /** Delays before SERVER_ACK, then DELIVERY_ACK, then READ (and PLAYED); default [500, 1000, 2000]. */
  ackDelaysMs?: [number, number, number];
  /** Waits between webhook attempts (attempts = length + 1); default: Evolution's 10 attempts from 5 s. */
  webhookRetryDelaysMs?: number[];
  /** Per-attempt webhook timeout; default 30 s. */
  webhookTimeoutMs?: number;
  /**
   * First webhook attempts in flight at once per target URL. Default 1: one after another, in emission
   * order. The real engine posts each event in the background, so its events overtake each other; a
   * larger value mimics that (see the README: the gateway's early-receipt fold path under it).
   */
  webhookConcurrency?: number;
  /** `WEBHOOK_GLOBAL_URL`: receives every event of every instance as well. */
  globalWebhookUrl?: string;
  /** `WEBHOOK_GLOBAL_WEBHOOK_BY_EVENTS`. */
  globalWebhookByEvents?: boolean;
  /** `AUTHENTICATION_EXPOSE_IN_FETCH_INSTANCES`: put the instance token in the envelope's `apikey`. */
  exposeInFetchInstances?: boolean;
  /** `QRCODE_LIMIT`; default 30. */
  qrLimit?: number;
  /** Receives one line per request and per webhook give-up. */
  log?: (line: string) => void;
}

export interface Sandbox {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** Starts the sandbox engine on a loopback port and resolves once it listens. */
export function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const hostname = options.hostname ?? "127.0.0.1";
  const log = options.log ?? (() => {});
  const resolved: ResolvedOptions = {
    apiKey: options.apiKey,
    serverUrl: options.serverUrl ?? "",
    globalWebhookUrl: options.globalWebhookUrl ?? null,
    globalWebhookByEvents: options.globalWebhookByEvents ?? false,
    exposeInFetchInstances: options.exposeInFetchInstances ?? false,
    webhookRetryDelaysMs: options.webhookRetryDelaysMs ?? null,
    webhookTimeoutMs: options.webhookTimeoutMs ?? 30_000,
    webhookConcurrency: Math.max(1, options.webhookConcurrency ?? 1),
    qrLimit: options.qrLimit ?? 30,
  };
  const scheduler = new Scheduler();
  const store = new SandboxStore({
    knownNumbers: options.knownNumbers,
    unknownNumbers: options.unknownNumbers,
    ackDelaysMs: options.ackDelaysMs ?? [500, 1000, 2000],
  });
  const ctx: SandboxContext = {
    options: resolved,
    store,
    scheduler,
    events: new WebhookDispatcher(resolved, scheduler, log),
    log,
  };
  const app = createSandboxApp(ctx);
  const server = Deno.serve({ hostname, port: options.port ?? 0, onListen: () => {} }, app.fetch);
  const port = server.addr.port;
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`;
  resolved.serverUrl ||= url;
  let stopping: Promise<void> | null = null;
  return Promise.resolve({
    url,
    port,
    stop() {
      stopping ??= scheduler.stop().then(() => server.shutdown());
      return stopping;
    },
  });
}
