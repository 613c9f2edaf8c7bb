// Helpers for the ledger/webhook tests: a tenant with an instance that is open in the sandbox and points
// its engine webhook at the gateway, direct envelope posts to the ingest route, and polling. And for the
// multi-engine tests: more sandbox engines, each on its own port with its own key and request log.
import { createEngine, engineEventsToken } from "../../lib/gateway/mod.ts";
import { ensureGatewayWebhook } from "../../lib/messaging/mod.ts";
import { type Sandbox, startSandbox } from "../../lib/sandbox/mod.ts";
import { sandboxControl } from "../../lib/sandbox/testing.ts";
import { ENGINE_KEY, type TestApp } from "./app.ts";
import { call, createUser, login } from "./auth_client.ts";

export interface Tenant {
  id: number;
  token: string;
  instance: string;
}

/** A user (logged in) who owns `instance`, created in the sandbox, wired to the gateway and scanned open. */
export async function tenantWithInstance(
  app: TestApp,
  username: string,
  instance: string,
  phone = "595981000001",
): Promise<Tenant> {
  const id = await createUser(app, username, "Passw0rd!x");
  const token = await login(app, username, "Passw0rd!x");
  await app.db.sql`INSERT INTO taguato.user_instances (user_id, instance_name) VALUES (${id}, ${instance})`;
  await app.deps.evolution.createInstance({ instanceName: instance, integration: "WHATSAPP-BAILEYS" });
  await ensureGatewayWebhook(app.deps, instance);
  await control(app).scan(instance, { phone, profileName: username });
  return { id, token, instance };
}

export const control = (app: TestApp) => sandboxControl(app.sandbox.url, ENGINE_KEY);

/** POSTs an engine envelope to the ingest route with the instance's token (or `token`). */
export async function postEnvelope(
  app: TestApp,
  envelope: { event: string; instance: string; data: unknown; [k: string]: unknown },
  token?: string,
): Promise<number> {
  const t = token ?? await engineEventsToken(app.deps, envelope.instance);
  const res = await fetch(`${app.url}/internal/engine-events/${t}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ date_time: new Date().toISOString(), ...envelope }),
  });
  await res.body?.cancel();
  return res.status;
}

/** Polls `probe` until it returns a truthy value; fails after `timeoutMs` with `what`. */
export async function eventually<T>(
  what: string,
  probe: () => T | Promise<T>,
  timeoutMs = 5000,
): Promise<Exclude<T, false | null | undefined | 0 | "">> {
  const until = Date.now() + timeoutMs;
  let last: T;
  do {
    last = await probe();
    if (last) return last as Exclude<T, false | null | undefined | 0 | "">;
    await new Promise((r) => setTimeout(r, 20));
  } while (Date.now() < until);
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** The caller's message log rows (GET /api/messages/log). */
export async function logRows(app: TestApp, token: string, query = ""): Promise<Record<string, unknown>[]> {
  const r = await call(app, "GET", `/api/messages/log${query}`, { token });
  if (r.status !== 200) throw new Error(`log: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.logs as Record<string, unknown>[];
}

/** Another sandbox engine registered in the engines table (stop() only stops its server). */
export interface ExtraEngine {
  id: number;
  name: string;
  sandbox: Sandbox;
  key: string;
  /** One line per request it received: `METHOD /path -> status (ms)`. */
  log: string[];
  control: ReturnType<typeof sandboxControl>;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

let engineSeq = 0;

/** Starts a sandbox on its own loopback port and adds it to the app's engines table. */
export async function addSandboxEngine(
  app: TestApp,
  options: { name?: string; capacity?: number | null; enabled?: boolean } = {},
): Promise<ExtraEngine> {
  const key = `extra-engine-key-${++engineSeq}-${crypto.randomUUID()}`;
  const log: string[] = [];
  const sandbox = await startSandbox({
    apiKey: key,
    port: 0,
    hostname: "127.0.0.1",
    ackDelaysMs: [5, 5, 5],
    log: (line) => log.push(line),
  });
  const name = options.name ?? `engine-${engineSeq}`;
  const created = await createEngine(app.deps, {
    name,
    url: sandbox.url,
    apiKey: key,
    capacity: options.capacity ?? null,
    enabled: options.enabled ?? true,
  });
  if (!created.ok) {
    await sandbox.stop();
    throw new Error(`engine ${name}: ${created.reason}`);
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await sandbox.stop();
  };
  return {
    id: created.engine.id,
    name,
    sandbox,
    key,
    log,
    control: sandboxControl(sandbox.url, key),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** Engine API requests in a request log (control routes left out) that mention `needle`. */
export const sawRequest = (log: string[], needle: string) =>
  log.filter((l) => !l.includes(" /_sandbox/") && l.toLowerCase().includes(needle.toLowerCase()));
