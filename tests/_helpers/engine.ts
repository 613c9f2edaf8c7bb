// Helpers for the ledger/webhook tests: a tenant with an instance that is open in the sandbox and points
// its engine webhook at the gateway, direct envelope posts to the ingest route, and polling.
import { engineEventsToken } from "../../lib/gateway/mod.ts";
import { ensureGatewayWebhook } from "../../lib/messaging/mod.ts";
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
