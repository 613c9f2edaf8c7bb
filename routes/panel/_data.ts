import type { Context } from "hono";

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
export function pageQuery(c: Context): { page: number; search: string } {
  const raw = c.req.query("page") ?? "";
  const page = /^[1-9][0-9]{0,5}$/.test(raw) ? Number(raw) : 1;
  return { page, search: (c.req.query("search") ?? "").trim().slice(0, 100) };
}
