/**
 * Which engine route a request names, and whether the caller's API key scope covers it. Fix of contract §14.1-1 (ownership only on exact 3-segment paths):
 * a path is decoded once and matched against an explicit allowlist of engine route shapes; the request
 * that goes upstream is rebuilt from the matched canonical route, so what was authorised is exactly what
 * is forwarded. The instances a request names (path, query, body) are checked by access.ts.
 */
import { fail } from "../core/mod.ts";
import type { ApiKeyPrincipal } from "../auth/mod.ts";
import { ENGINE_ROUTES, type EngineRoute, type RouteKind } from "./engine_routes.ts";

export type { EngineRoute, RouteKind };

const INDEX = new Map<string, EngineRoute[]>();
for (const r of ENGINE_ROUTES) {
  const key = `${r.group}/${r.action}`.toLowerCase();
  INDEX.set(key, [...(INDEX.get(key) ?? []), r]);
}

/**
 * Splits a raw (still percent-encoded) path into decoded segments; null for anything ambiguous: bad
 * escapes, empty inner segments, dot segments, or an escape that decodes to a separator or another `%`
 * (double encoding). One trailing slash is tolerated, as Express does.
 */
export function decodeSegments(rawPath: string): string[] | null {
  const parts = rawPath.split("/").slice(1);
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  const out: string[] = [];
  for (const part of parts) {
    let seg: string;
    try {
      seg = decodeURIComponent(part);
    } catch {
      return null;
    }
    // deno-lint-ignore no-control-regex -- control characters in a name are exactly what is refused
    if (seg === "" || seg === "." || seg === ".." || /[/\\%\x00-\x1f\x7f]/.test(seg)) return null;
    out.push(seg);
  }
  return out;
}

export interface RouteMatch {
  route: EngineRoute;
  /** The path instance (decoded), when the route has one. */
  instance?: string;
  /** The path to send upstream: canonical group/action, the instance encoded once. */
  upstreamPath: string;
}

/** Matches a method and decoded segments against the allowlist (group and action case-insensitive). */
export function matchEngineRoute(method: string, segments: string[]): RouteMatch | null {
  if (segments.length < 2 || segments.length > 3) return null;
  const candidates = INDEX.get(`${segments[0]}/${segments[1]}`.toLowerCase()) ?? [];
  const m = method === "HEAD" ? "GET" : method;
  const route = candidates.find((r) => r.methods.includes(m) && r.instance === (segments.length === 3));
  if (!route) return null;
  const base = `/${route.group}/${route.action}`;
  if (!route.instance) return { route, upstreamPath: base };
  const instance = segments[2];
  return { route, instance, upstreamPath: `${base}/${encodeURIComponent(instance)}` };
}

/**
 * The query to forward for a matched route ("" or "?k=v&…"), rebuilt from the route's allowed keys.
 * Evolution parses the query with Express's extended parser and merges it into the instance object its
 * controllers act on, so `?instanceName[]=other` (an array, coerced to the string) would switch the
 * instance after the path was authorised: bracketed keys, keys the route does not read and repeated keys
 * (arrays there too) are refused with a 400.
 */
export function forwardedQuery(route: EngineRoute, params: URLSearchParams): string {
  const out = new URLSearchParams();
  for (const [key, value] of params) {
    const shown = key.slice(0, 100);
    if (key.includes("[") || key.includes("]")) throw fail("query_key_invalid", { key: shown });
    if (!route.query.includes(key)) throw fail("query_key_unknown", { key: shown });
    if (out.has(key)) throw fail("query_key_repeated", { key: shown });
    out.set(key, value);
  }
  const text = out.toString();
  return text === "" ? "" : `?${text}`;
}

/** Instance names a request mentions outside its path (the engine merges the query into its params). */
export function namesInRequest(query: URLSearchParams, body: unknown): string[] {
  const names = [...query.getAll("instanceName"), ...query.getAll("instance")];
  if (typeof body === "object" && body !== null && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    for (const v of [b.instanceName, b.instance]) {
      if (typeof v === "string") names.push(v);
      else if (
        typeof v === "object" && v !== null && typeof (v as Record<string, unknown>).instanceName === "string"
      ) {
        names.push((v as Record<string, string>).instanceName);
      }
    }
  }
  return names;
}

const SCOPE_KINDS: Record<ApiKeyPrincipal["scope"], RouteKind[]> = {
  read: ["read"],
  send: ["read", "send"],
  full: ["read", "send", "write"],
};

/** An API key's scope check: read = GET/find*, send = also /message/*, full = everything. */
export function assertScope(key: ApiKeyPrincipal | undefined, kind: RouteKind): void {
  if (key && !SCOPE_KINDS[key.scope].includes(kind)) {
    throw fail("api_key_scope");
  }
}

/** 404 for a path shape outside the allowlist (never forwarded for non-admins). */
export const unknownShape = () => fail("not_found");
