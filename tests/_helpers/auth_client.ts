import type { AuditRow } from "../../lib/accounts/mod.ts";
import type { TestApp } from "./app.ts";
import { send } from "./http.ts";

export interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/** One JSON request against the test gateway; `body` may be a raw string (malformed JSON tests). */
export async function call(
  app: TestApp,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; headers?: Record<string, string>; base?: string } = {},
): Promise<Reply> {
  const { status, text, headers } = await send(`${opts.base ?? app.url}${path}`, method, opts);
  let parsed: Record<string, unknown> = {};
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = { raw: text };
  }
  return { status, body: parsed, headers };
}

/** Logs in and returns the session token (fails the test on anything but 200 with a token). */
export async function login(
  app: TestApp,
  username: string,
  password: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<string> {
  const r = await call(app, "POST", "/api/auth/login", { body: { username, password, ...extra }, headers });
  if (r.status !== 200 || typeof r.body.token !== "string") {
    throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return r.body.token;
}

/** Inserts an active user directly (argon2id hash of `password`); returns its id. */
export async function createUser(
  app: TestApp,
  username: string,
  password: string,
  fields: { role?: "admin" | "user"; rate_limit?: number | null; is_active?: boolean } = {},
): Promise<number> {
  const { hashPassword } = await import("../../lib/auth/mod.ts");
  const [row] = await app.db.sql<{ id: number }[]>`
    INSERT INTO taguato.users (username, password_hash, role, rate_limit, is_active, must_change_password)
    VALUES (${username}, ${await hashPassword(password)}, ${fields.role ?? "user"},
            ${fields.rate_limit ?? null}, ${fields.is_active ?? true}, false)
    RETURNING id`;
  return row.id;
}

/** Audit rows of an action, oldest first (without id and time, so tests compare whole rows). */
export function auditRows(app: TestApp, action: string) {
  return app.db.sql<Omit<AuditRow, "id" | "created_at">[]>`
    SELECT user_id, username, action, resource_type, resource_id, details, ip_address
    FROM taguato.audit_log WHERE action = ${action} ORDER BY id`;
}
