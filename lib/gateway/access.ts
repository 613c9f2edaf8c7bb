/**
 * Who may reach which engine route. Fix of contract §14.1-1 (ownership only on exact 3-segment paths):
 * a path is decoded once and matched against an explicit allowlist of engine route shapes; the request
 * that goes upstream is rebuilt from the matched canonical route, so what was authorised is exactly what
 * is forwarded. Every instance the request names (path, query `instanceName`/`instance`, body
 * `instanceName`/`instance`) must be owned by or granted to the caller.
 */
import { type AppDeps, forbidden, notFound, type SessionUser } from "../core/mod.ts";
import type { ApiKeyPrincipal } from "../auth/mod.ts";
import { reachableInstanceNames } from "./instances.ts";
import { ENGINE_ROUTES, type EngineRoute, type RouteKind } from "./engine_routes.ts";

export type { EngineRoute, RouteKind };

export const NOT_OWNER = "You don't own this instance";

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
    throw forbidden("API key scope does not allow this request");
  }
}

// ---- the caller's reachable instances, cached in the shared store (DESIGN §7) ----

type Deps = Pick<AppDeps, "sql" | "cache">;
const ACL_TTL_MS = 30_000;
// Written on change instead of a plain delete, so a reader that loaded the old rows just before the
// change cannot put them back (readers only fill with setIfAbsent).
const ACL_TOMBSTONE_TTL_MS = 5_000;
const TOMBSTONE = "x";
const aclKey = (userId: number) => `acl:${userId}`;

/**
 * Instances the user owns or was granted. The grant routes invalidate the *user* entry of the credential
 * layer (credentials.ts `invalidateUser` tombstones `user:<id>`); reading it in the same round trip and
 * treating a tombstone as "changed" makes grants and revocations effective at once on every replica.
 */
export async function reachableInstances(deps: Deps, userId: number): Promise<Set<string>> {
  const [cached, userEntry] = await Promise.all([
    deps.cache.get(aclKey(userId)),
    deps.cache.get(`user:${userId}`),
  ]);
  const userChanged = userEntry === null || userEntry === TOMBSTONE;
  if (cached && cached !== TOMBSTONE && !userChanged) return new Set(JSON.parse(cached) as string[]);
  const names = await reachableInstanceNames(deps.sql, { id: userId, role: "user" });
  if (cached !== TOMBSTONE) {
    const value = JSON.stringify(names);
    // Rows read after the user tombstone are newer than any cached set: overwrite it.
    if (userChanged) await deps.cache.set(aclKey(userId), value, ACL_TTL_MS);
    else await deps.cache.setIfAbsent(aclKey(userId), value, ACL_TTL_MS);
  }
  return new Set(names);
}

/**
 * Drops cached reachable sets after an ownership or grant change; effective at once on every replica.
 * Call it after creating or deleting an instance and after granting or revoking access.
 */
export async function forgetInstanceAccess(deps: Pick<AppDeps, "cache">, ...userIds: number[]) {
  await Promise.all(
    [...new Set(userIds)].map((id) => deps.cache.set(aclKey(id), TOMBSTONE, ACL_TOMBSTONE_TTL_MS)),
  );
}

/**
 * Throws 403 unless every named instance is reachable by the user (admins reach all) and allowed by
 * the API key's instance list.
 */
export async function assertReachable(
  deps: Deps,
  user: SessionUser,
  key: ApiKeyPrincipal | undefined,
  names: string[],
): Promise<void> {
  if (names.length === 0) return;
  if (key?.instanceNames && !names.every((n) => key.instanceNames!.includes(n))) throw forbidden(NOT_OWNER);
  if (user.role === "admin") return;
  const reachable = await reachableInstances(deps, user.id);
  if (!names.every((n) => reachable.has(n))) throw forbidden(NOT_OWNER);
}

/** 404 for a path shape outside the allowlist (never forwarded for non-admins). */
export const unknownShape = () => notFound("Not found");
