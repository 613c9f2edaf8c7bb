/**
 * Test helpers around the sandbox: a webhook receiver (a real HTTP server on a loopback port that records
 * every delivery and can be told to fail), typed control-route calls, a JSON caller, and a harness that
 * starts a sandbox plus a receiver and disposes of both (`await using t = await startSandboxHarness(…)`).
 */
import type { InboundInput } from "./inbound.ts";
import type { ReplyInput } from "./replies.ts";
import { type Sandbox, type SandboxOptions, startSandbox } from "./mod.ts";

export interface ReceivedHook {
  /** Request path, e.g. `/hook/messages-upsert` with byEvents. */
  path: string;
  headers: Headers;
  // deno-lint-ignore no-explicit-any
  body: any;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedHook[];
  /** Answer the next `count` deliveries with `status` instead of 200. */
  failNext(count: number, status?: number): void;
  /** Resolves with the first delivery (past or future) matching `predicate`; rejects after `timeoutMs`. */
  waitFor(predicate: (hook: ReceivedHook) => boolean, timeoutMs?: number): Promise<ReceivedHook>;
  /** Deliveries whose envelope `event` equals `event` (dotted form, e.g. `messages.update`). */
  events(event: string): ReceivedHook[];
  stop(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 with a random port. */
export function startWebhookReceiver(): WebhookReceiver {
  const received: ReceivedHook[] = [];
  const waiters = new Set<{ predicate: (h: ReceivedHook) => boolean; resolve: (h: ReceivedHook) => void }>();
  let failures: { count: number; status: number } = { count: 0, status: 500 };

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const text = await req.text();
    if (failures.count > 0) {
      failures.count--;
      return new Response("receiver failing on purpose", { status: failures.status });
    }
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch { /* keep the raw text */ }
    const hook = { path: new URL(req.url).pathname, headers: req.headers, body };
    received.push(hook);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(hook)) {
        waiters.delete(waiter);
        waiter.resolve(hook);
      }
    }
    return new Response("ok");
  });

  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    received,
    failNext(count, status = 500) {
      failures = { count, status };
    },
    waitFor(predicate, timeoutMs = 3000) {
      const past = received.find(predicate);
      if (past) return Promise.resolve(past);
      return new Promise((resolve, reject) => {
        const waiter = {
          predicate,
          resolve: (hook: ReceivedHook) => {
            clearTimeout(timer);
            resolve(hook);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(
              `no matching webhook within ${timeoutMs} ms; got ${received.map((h) => h.body?.event)}`,
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    events(event) {
      return received.filter((h) => h.body?.event === event);
    },
    stop() {
      return server.shutdown();
    },
  };
}

/** Typed calls to the sandbox's `/_sandbox/*` control routes (see README.md). */
export function sandboxControl(baseUrl: string, apiKey: string) {
  async function post(path: string, body: unknown = {}): Promise<unknown> {
    const res = await fetch(`${baseUrl}/_sandbox${path}`, {
      method: "POST",
      headers: { apikey: apiKey, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) {
      throw new Error(`sandbox control ${path} failed with ${res.status}: ${JSON.stringify(json)}`);
    }
    return json;
  }
  const inst = (name: string, action: string) => `/instances/${encodeURIComponent(name)}/${action}`;
  return {
    scan: (
      name: string,
      profile: { phone?: string; profileName?: string; profilePicUrl?: string | null } = {},
    ) => post(inst(name, "scan"), profile),
    drop: (name: string, reconnectMs = 50) => post(inst(name, "drop"), { reconnectMs }),
    phoneLogout: (name: string) => post(inst(name, "phone-logout")),
    qrRotate: (name: string) => post(inst(name, "qr-rotate")),
    qrLimit: (name: string) => post(inst(name, "qr-limit")),
    inbound: (name: string, message: InboundInput) => post(inst(name, "inbound"), message),
    ack: (keyId: string, status: string) => post(`/messages/${encodeURIComponent(keyId)}/ack`, { status }),
    reply: (keyId: string, reply: ReplyInput) => post(`/messages/${encodeURIComponent(keyId)}/reply`, reply),
    acks: (mode: "auto" | "manual", delaysMs?: [number, number, number]) => post("/acks", { mode, delaysMs }),
    fail: (rule: { count?: number; status?: number; pathPrefix?: string; body?: unknown }) =>
      post("/fail", rule),
    latency: (ms: number) => post("/latency", { ms }),
    sendDelay: (factor: number) => post("/send-delay", { factor }),
    directory: (config: { knownNumbers?: string[]; unknownNumbers?: string[]; groups?: string[] }) =>
      post("/directory", config),
    reset: () => post("/reset"),
    state: async () => (await fetch(`${baseUrl}/_sandbox/state`, { headers: { apikey: apiKey } })).json(),
  };
}

export interface ApiAnswer {
  status: number;
  // deno-lint-ignore no-explicit-any
  body: any;
  headers: Headers;
}

/** A JSON caller for engine routes: `call("POST", "/instance/create", body)` with the given apikey. */
export function engineCaller(baseUrl: string, apiKey: string) {
  return async function call(method: string, path: string, body?: unknown, key: string | null = apiKey) {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (key !== null) headers.apikey = key;
    const res = await fetch(baseUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch { /* not JSON */ }
    return { status: res.status, body: parsed, headers: res.headers } as ApiAnswer;
  };
}

/** A sandbox, a webhook receiver, a caller with the global key and the control routes; `await using` it. */
export async function startSandboxHarness(options: SandboxOptions) {
  const hook = startWebhookReceiver();
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox(options);
  } catch (e) {
    await hook.stop();
    throw e;
  }
  return {
    hook,
    sandbox,
    apiKey: options.apiKey,
    call: engineCaller(sandbox.url, options.apiKey),
    control: sandboxControl(sandbox.url, options.apiKey),
    async [Symbol.asyncDispose]() {
      await sandbox.stop();
      await hook.stop();
    },
  };
}

export type SandboxHarness = Awaited<ReturnType<typeof startSandboxHarness>>;

/** Creates a Baileys instance whose webhook (all events) points at the harness receiver. */
export async function createWithWebhook(
  t: SandboxHarness,
  name: string,
  extra: Record<string, unknown> = {},
) {
  const res = await t.call("POST", "/instance/create", {
    instanceName: name,
    integration: "WHATSAPP-BAILEYS",
    ...extra,
  });
  if (res.status !== 201) throw new Error(`create ${name} failed: ${res.status} ${JSON.stringify(res.body)}`);
  const hook = await t.call("POST", `/webhook/set/${name}`, {
    webhook: { enabled: true, url: t.hook.url, events: [] },
  });
  if (hook.status !== 201) throw new Error(`webhook/set ${name} failed: ${hook.status}`);
  return res.body;
}

/** A harness whose instance `name` (webhook to the receiver) is connected as `phone`; `await using` it. */
export async function startOpenHarness(options: SandboxOptions, name = "acme", phone = "595981000100") {
  const t = await startSandboxHarness(options);
  try {
    await createWithWebhook(t, name);
    await t.control.scan(name, { phone });
    await t.hook.waitFor((h) => h.body.instance === name && h.body.data?.state === "open");
    return t;
  } catch (err) {
    await t[Symbol.asyncDispose]();
    throw err;
  }
}

/** The events an instance's webhook received, as `event[:state|status]` strings in arrival order. */
export function eventTrail(t: SandboxHarness, name: string): string[] {
  return t.hook.received.filter((h) => h.body?.instance === name).map((h) => {
    const d = h.body.data;
    return `${h.body.event}${d?.state ? `:${d.state}` : d?.status ? `:${d.status}` : ""}`;
  });
}
