import type { Context } from "hono";
import type { AppEnv, SessionUser } from "../../lib/core/mod.ts";

/** The type of a value after a JSON round trip: dates become strings. */
export type Jsonify<T> = T extends Date ? string
  : T extends (infer U)[] ? Jsonify<U>[]
  : T extends object ? { [K in keyof T]: Jsonify<T[K]> }
  : T;

/**
 * A value as the JSON API would send it (dates become ISO strings): server-rendered islands start from
 * exactly what their later fetches return.
 */
export const asJson = <T>(value: T): Jsonify<T> => JSON.parse(JSON.stringify(value));

/** `?page` (a positive integer, else 1) and `?search` (trimmed, at most 100 characters) of a list page. */
export function pageQuery(c: Context<AppEnv>): { page: number; search: string } {
  const raw = c.req.query("page") ?? "";
  const page = /^[1-9][0-9]{0,5}$/.test(raw) ? Number(raw) : 1;
  return { page, search: (c.req.query("search") ?? "").trim().slice(0, 100) };
}

/** The signed-in user of a panel page (the panel's session middleware guarantees one). */
export function panelUser(c: Context<AppEnv>): SessionUser {
  const user = c.get("user");
  if (!user) throw new Error("panel page rendered without a session");
  return user;
}
