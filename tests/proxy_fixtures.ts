/**
 * Shared set-up for the proxy, instance, breaker and rate-limit tests: the real gateway over HTTP
 * (startTestApp), users with sessions or API keys, engine instances with ownership rows, and a record of
 * every request the sandbox engine received (its `log` hook), so tests can prove a call never arrived.
 */
import { createApiKey } from "../lib/accounts/mod.ts";
import { type ApiKeyScope, createSession } from "../lib/auth/mod.ts";
import { sandboxControl } from "../lib/sandbox/testing.ts";
import { ENGINE_KEY, startTestApp, type TestApp, type TestAppOptions } from "./_helpers/app.ts";
import { send, type SendOptions } from "./_helpers/http.ts";

export interface Gateway extends TestApp {
  /** One line per engine request: `METHOD /path -> status (ms)`. */
  engineLog: string[];
  control: ReturnType<typeof sandboxControl>;
}

/** The gateway with a sandbox whose request log is captured; `await using gw = await startGateway()`. */
export async function startGateway(options: TestAppOptions = {}): Promise<Gateway> {
  const engineLog: string[] = [];
  const app = await startTestApp({
    ...options,
    sandbox: { ackDelaysMs: [5, 5, 5], ...options.sandbox, log: (line) => engineLog.push(line) },
  });
  return Object.assign(app, {
    engineLog,
    control: sandboxControl(app.sandbox.url, ENGINE_KEY),
  });
}

export interface TestUser {
  id: number;
  username: string;
  token: string;
}

let seq = 0;

/** Inserts a user and opens a session for it (the credential layer's own function, no argon2 cost). */
export async function makeUser(
  gw: Gateway,
  opts: { role?: "admin" | "user"; maxInstances?: number; rateLimit?: number | null; name?: string } = {},
): Promise<TestUser> {
  const username = opts.name ?? `u${Date.now().toString(36)}${seq++}`;
  const [row] = await gw.db.sql<{ id: number }[]>`
    INSERT INTO taguato.users (username, password_hash, role, max_instances, rate_limit, must_change_password)
    VALUES (${username}, 'not-a-login-hash', ${opts.role ?? "user"}, ${opts.maxInstances ?? 5},
            ${opts.rateLimit ?? null}, false)
    RETURNING id`;
  const { token } = await createSession(gw.deps, { id: row.id }, { ip: "127.0.0.1", userAgent: "test" });
  return { id: row.id, username, token };
}

/** An API key for a user. */
export async function makeApiKey(
  gw: Gateway,
  user: TestUser,
  scope: ApiKeyScope,
  instanceNames: string[] | null = null,
): Promise<string> {
  const created = await createApiKey(gw.db.sql, {
    userId: user.id,
    name: `k${seq++}`,
    scope,
    instanceNames,
    expiresAt: null,
    now: new Date(gw.deps.clock.now()),
  });
  return created!.key;
}

/** Creates an instance in the engine and its ownership row; `open` scans it so it can send. */
export async function makeInstance(gw: Gateway, owner: TestUser, name: string, open = false) {
  const res = await fetch(`${gw.sandbox.url}/instance/create`, {
    method: "POST",
    headers: { apikey: ENGINE_KEY, "content-type": "application/json" },
    body: JSON.stringify({ instanceName: name, integration: "WHATSAPP-BAILEYS" }),
  });
  await res.body?.cancel();
  if (res.status !== 201) throw new Error(`engine create ${name}: ${res.status}`);
  await gw.db.sql`INSERT INTO taguato.user_instances (user_id, instance_name) VALUES (${owner.id}, ${name})`;
  if (open) await gw.control.scan(name, { phone: "595981000001" });
}

/** The gateway with one user owning the connected instance `name` (`gw.owner`), ready to send. */
export async function startWithInstance(
  name: string,
  options: TestAppOptions = {},
): Promise<Gateway & { owner: TestUser }> {
  const gw = await startGateway(options);
  try {
    const owner = await makeUser(gw);
    await makeInstance(gw, owner, name, true);
    return Object.assign(gw, { owner });
  } catch (err) {
    await gw.close();
    throw err;
  }
}

/** Grants an instance to another user. */
export async function grant(gw: Gateway, name: string, grantee: TestUser, by: TestUser) {
  await gw.db.sql`
    INSERT INTO taguato.instance_permissions (instance_name, grantee_user_id, granted_by)
    VALUES (${name}, ${grantee.id}, ${by.id})`;
}

export interface Answer {
  status: number;
  // deno-lint-ignore no-explicit-any
  body: any;
  headers: Headers;
}

/** Calls the gateway; `body` is sent as JSON unless it is a string (sent raw). */
export async function call(
  gw: Gateway,
  method: string,
  path: string,
  opts: SendOptions = {},
): Promise<Answer> {
  const { status, text, headers } = await send(gw.url + path, method, opts);
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch { /* not JSON */ }
  return { status, body: parsed, headers };
}

/** Engine API requests seen so far (control routes excluded). */
export const engineCalls = (gw: Gateway) => gw.engineLog.filter((l) => !l.includes(" /_sandbox/"));

/** Engine API requests that mention `needle` (case-insensitive; an instance name, usually). */
export const engineSaw = (gw: Gateway, needle: string) =>
  engineCalls(gw).filter((l) => l.toLowerCase().includes(needle.toLowerCase()));
