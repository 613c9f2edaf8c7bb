/**
 * Webhook delivery (contract §6): the envelope, the instance and global targets, the byEvents suffix,
 * custom headers (with the `jwt_key` rule) and retries with exponential backoff. First attempts to one URL
 * start in emission order, up to `webhookConcurrency` at once (default 1: one after another, so tests see
 * SEND_MESSAGE before its acks; more lets events overtake each other, as the real engine's do, §6.3), and
 * retries run independently, so receivers must tolerate reordering.
 */
import type { ResolvedOptions } from "./context.ts";
import type { Scheduler } from "./scheduler.ts";
import type { Instance } from "./state.ts";
import { ENGINE_EVENTS, type EngineEvent } from "../gateway/engine_client.ts";
import { timeoutSignal } from "../core/timeout.ts";

/** Event names accepted in `webhook.events`, in Evolution's order (used in its enum error text). */
export const EVENT_NAMES = ENGINE_EVENTS;

export type EventName = EngineEvent;

const DOTTED_EXCEPTIONS: Partial<Record<EventName, string>> = {
  GROUP_PARTICIPANTS_UPDATE: "group-participants.update",
  TYPEBOT_CHANGE_STATUS: "typebot.change-status",
  GROUP_UPDATE: "groups.update",
};

/** `MESSAGES_UPSERT` → `messages.upsert`, the value of the envelope's `event`. */
export function dottedEvent(name: EventName): string {
  return DOTTED_EXCEPTIONS[name] ?? name.toLowerCase().replaceAll("_", ".");
}

/** `MESSAGES_UPSERT` → `/messages-upsert`, the byEvents URL suffix. */
export function eventSuffix(name: EventName): string {
  return "/" + dottedEvent(name).replaceAll(".", "-");
}

/** Server wall-clock time with a `Z`, which is what Evolution prints whatever the time zone. */
function localIso(): string {
  const now = new Date();
  return new Date(now.getTime() - now.getTimezoneOffset() * 60_000).toISOString();
}

/** One recorded attempt, for `/_sandbox/deliveries`. */
export interface DeliveryRecord {
  event: string;
  instance: string;
  url: string;
  attempt: number;
  status: number | null;
  error?: string;
}

interface Job {
  event: EventName;
  instance: string;
  url: string;
  body: string;
  headers: Record<string, string>;
}

const NON_RETRYABLE = new Set([400, 401, 403, 404, 422]);
const MAX_RECORDS = 1000;

/** Sends events to the configured webhooks in the background. */
export class WebhookDispatcher {
  readonly deliveries: DeliveryRecord[] = [];
  // Per target URL: first attempts in flight and those waiting for a free place, in emission order.
  readonly #lanes = new Map<string, { active: number; waiting: (() => void)[] }>();

  constructor(
    readonly options: ResolvedOptions,
    readonly scheduler: Scheduler,
    readonly log: (line: string) => void,
  ) {}

  /** Emits one event of an instance to every matching target. */
  emit(instance: Instance, event: EventName, data: unknown, extra: Record<string, unknown> = {}): void {
    if (this.scheduler.signal.aborted) return;
    const base = {
      event: dottedEvent(event),
      instance: instance.name,
      data,
      ...extra,
    };
    const tail = {
      date_time: localIso(),
      ...(instance.wuid ? { sender: instance.wuid } : {}),
      server_url: this.options.serverUrl,
      apikey: this.options.exposeInFetchInstances ? instance.token : null,
    };
    const hook = instance.webhook;
    if (hook?.enabled && hook.events.includes(event) && /^https?:\/\//.test(hook.url)) {
      const url = hook.webhookByEvents ? hook.url + eventSuffix(event) : hook.url;
      const body = JSON.stringify({ ...base, destination: hook.url, ...tail });
      this.#start(instance.name, event, url, body, hook.headers ?? {});
    }
    const global = this.options.globalWebhookUrl;
    if (global) {
      const url = this.options.globalWebhookByEvents ? global + eventSuffix(event) : global;
      this.#start(instance.name, event, url, JSON.stringify({ ...base, destination: url, ...tail }), {});
    }
  }

  #start(
    instance: string,
    event: EventName,
    url: string,
    body: string,
    custom: Record<string, string>,
  ): void {
    const run = async () => {
      const job: Job = { event, instance, url, body, headers: await buildHeaders(custom) };
      await this.#attempt(job, 1);
    };
    let lane = this.#lanes.get(url);
    if (!lane) this.#lanes.set(url, lane = { active: 0, waiting: [] });
    const go = (lane: { active: number; waiting: (() => void)[] }) => {
      lane.active++;
      this.scheduler.track(
        run().catch((e) => this.log(`webhook ${url}: ${e}`)).finally(() => {
          lane.active--;
          const next = lane.waiting.shift();
          if (next) next();
          else if (lane.active === 0) this.#lanes.delete(url);
        }),
      );
    };
    if (lane.active < this.options.webhookConcurrency) go(lane);
    else lane.waiting.push(() => go(lane));
  }

  async #attempt(job: Job, attempt: number): Promise<void> {
    if (this.scheduler.signal.aborted) return;
    let status: number | null = null;
    let error: string | undefined;
    try {
      const timeout = timeoutSignal(this.options.webhookTimeoutMs, "webhook");
      try {
        const signal = AbortSignal.any([this.scheduler.signal, timeout.signal]);
        const res = await fetch(job.url, { method: "POST", headers: job.headers, body: job.body, signal });
        status = res.status;
        await res.body?.cancel();
      } finally {
        timeout.clear();
      }
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    this.#record({
      event: dottedEvent(job.event),
      instance: job.instance,
      url: job.url,
      attempt,
      status,
      error,
    });
    if (status !== null && status >= 200 && status < 300) return;
    if (status !== null && NON_RETRYABLE.has(status)) return;
    const delay = this.#retryDelay(attempt);
    if (delay === null || this.scheduler.signal.aborted) {
      this.log(`webhook ${job.event} to ${job.url} gave up after ${attempt} attempts`);
      return;
    }
    this.scheduler.after(delay, () => this.#attempt(job, attempt + 1));
  }

  /** Delay before attempt `attempt + 1`, or null when attempts are exhausted. */
  #retryDelay(attempt: number): number | null {
    const fixed = this.options.webhookRetryDelaysMs;
    if (fixed) return attempt <= fixed.length ? fixed[attempt - 1] : null;
    // Evolution's defaults: 10 attempts, 5 s doubling up to 300 s, ±20 % jitter, never below 5 s.
    if (attempt >= 10) return null;
    const base = Math.min(5_000 * 2 ** (attempt - 1), 300_000);
    return Math.max(5_000, base * (1 + (Math.random() * 2 - 1) * 0.2));
  }

  #record(record: DeliveryRecord): void {
    this.deliveries.push(record);
    if (this.deliveries.length > MAX_RECORDS) this.deliveries.splice(0, this.deliveries.length - MAX_RECORDS);
  }
}

/** JSON content type plus the configured headers; `jwt_key` becomes a short-lived HS256 bearer token. */
async function buildHeaders(custom: Record<string, string>): Promise<Record<string, string>> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  for (const [name, value] of Object.entries(custom)) {
    if (name === "jwt_key") headers["authorization"] = `Bearer ${await signJwt(value)}`;
    else headers[name] = String(value);
  }
  return headers;
}

function b64url(data: Uint8Array | string): string {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function signJwt(secret: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64url(JSON.stringify({ iat: now, exp: now + 600, app: "evolution", action: "webhook" }));
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${header}.${payload}`));
  return `${header}.${payload}.${b64url(new Uint8Array(signature))}`;
}
