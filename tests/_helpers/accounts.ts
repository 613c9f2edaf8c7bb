// HTTP helpers for the account tests: a JSON caller, logging in, and creating users through the admin API.
import { assertEquals } from "../../lib/core/testing.ts";
import type { TestApp } from "./app.ts";
import { send } from "./http.ts";
import { errorBody } from "./errors.ts";

export const USER_PASSWORD = "Passw0rdOk";

export interface Answer {
  status: number;
  // deno-lint-ignore no-explicit-any
  body: any;
  headers: Headers;
}

export interface CallOptions {
  /** Sent as the `apikey` header. */
  token?: string;
  /** JSON-encoded request body. */
  body?: unknown;
  /** A raw request body (sent as application/json). */
  raw?: string;
  headers?: Record<string, string>;
}

/** Calls the gateway and parses the JSON answer (the body is always consumed). */
export async function call(
  t: TestApp,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<Answer> {
  // A string `body` is JSON-encoded here like any other value; `raw` is the one way to send text as is.
  const body = opts.body !== undefined ? JSON.stringify(opts.body) : opts.raw;
  const { status, text, headers } = await send(t.url + path, method, { ...opts, body });
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch { /* not JSON */ }
  return { status, body: parsed, headers };
}

/**
 * Asserts an error answer: status, the exact `error` message and its catalogue code (looked up by text;
 * pass `code` for a text with filled-in params).
 */
export function assertError(answer: Answer, status: number, message: string, code?: string) {
  const expected = { status, ...errorBody(message), ...(code ? { code } : {}) };
  const { error, code: got } = answer.body ?? {};
  assertEquals({ status: answer.status, error, ...(got === undefined ? {} : { code: got }) }, expected);
}

/** Logs in and returns the session token. */
export async function login(t: TestApp, username: string, password: string): Promise<string> {
  const res = await call(t, "POST", "/api/auth/login", { body: { username, password } });
  assertEquals(res.status, 200, `login ${username}: ${JSON.stringify(res.body)}`);
  return res.body.token;
}

/** A session token of the bootstrap admin. */
export const adminLogin = (t: TestApp) => login(t, t.admin.username, t.admin.password);

export interface TestUser {
  id: number;
  username: string;
  password: string;
  token: string;
}

/** Creates a user through POST /admin/users and logs them in. */
export async function createUser(
  t: TestApp,
  adminToken: string,
  fields: Record<string, unknown> & { username: string },
): Promise<TestUser> {
  const password = (fields.password as string | undefined) ?? USER_PASSWORD;
  const res = await call(t, "POST", "/admin/users", { token: adminToken, body: { password, ...fields } });
  assertEquals(res.status, 201, `create ${fields.username}: ${JSON.stringify(res.body)}`);
  const token = fields.is_active === false ? "" : await login(t, fields.username, password);
  return { id: res.body.user.id, username: fields.username, password, token };
}

/** Creates users with the default password, one by one, and logs each in. */
export async function createUsers(
  t: TestApp,
  adminToken: string,
  ...usernames: string[]
): Promise<TestUser[]> {
  const users: TestUser[] = [];
  for (const username of usernames) users.push(await createUser(t, adminToken, { username }));
  return users;
}

/** Polls `probe` until it returns a value other than undefined (or fails after `timeoutMs`). */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** One step per bad query string (`"page=0"`): GET `path?query` answers 400 with `message`. */
export async function badQuerySteps(
  s: Deno.TestContext,
  t: TestApp,
  token: string,
  path: string,
  cases: [query: string, message: string][],
) {
  for (const [query, message] of cases) {
    await s.step(`400 "${message}" for ?${query}`, async () => {
      assertError(await call(t, "GET", `${path}?${query}`, { token }), 400, message);
    });
  }
}
