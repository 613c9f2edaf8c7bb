// The one session layer: the panel cookie, `apikey: <session token>` and `apikey: <API key>` all resolve here.
//
// Cache layout (deps.cache: Redis in production, shared by every replica):
//   cred:<sha256 of the credential>  {"t":"s"|"k", ...} for TOUCH_MS, or TOMBSTONE once revoked
//   user:<id>                        the SessionUser for USER_TTL_MS, or TOMBSTONE right after a change
//   views:<id>                       a random stamp of the user's in-process views (user_views.ts), new on
//                                    every change to what they show
// A cold `cred:` lookup is one SQL statement that validates the credential, slides the session's 24 h
// expiry (or records an API key's last use) and reads the user. Entries then live TOUCH_MS, so a busy
// session costs at most one DB write per minute and a warm request costs no DB round trip at all.
//
// A warm lookup is one round trip: the `cred:` entry and the `user:` (and `acl:` and `views:`, see
// userSnapshot) entries it points at are read together, atomically (Cache.getLinked).
//
// Revocation writes a tombstone instead of deleting: readers only ever fill the cache with setIfAbsent,
// so a reader that loaded the row just before a revocation cannot put a live entry back over it.
import { type AppDeps, randomToken, type SessionUser, sha256Hex } from "../core/mod.ts";

export type ApiKeyScope = "full" | "read" | "send";

export interface ApiKeyPrincipal {
  id: number;
  scope: ApiKeyScope;
  /** null = every instance the owner can reach. */
  instanceNames: string[] | null;
}

/** Who a request is: the user, plus the session or the API key it authenticated with. */
export interface Principal {
  user: SessionUser;
  sessionId?: number;
  apiKey?: ApiKeyPrincipal;
}

type Deps = Pick<AppDeps, "sql" | "cache" | "clock">;

export const SESSION_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a resolved credential is trusted from the cache: also the DB write interval of the slide. */
export const TOUCH_MS = 60_000;
const USER_TTL_MS = 5 * 60_000;
const TOMBSTONE = "x";
// Longer than any session can live: a revoked token is refused straight from the cache.
const REVOKED_TTL_MS = SESSION_TTL_MS + 2 * TOUCH_MS;
// Long enough to outlast any in-flight reader of the old row; meanwhile lookups read the DB.
const USER_TOMBSTONE_TTL_MS = 30_000;
const MAX_CREDENTIAL_LENGTH = 512;

const credKey = (hash: string) => `cred:${hash}`;
const userKey = (id: number) => `user:${id}`;
const viewsKey = (id: number) => `views:${id}`;
// A stamp that expires only costs the next request its views from memory (it sets a new one).
const VIEWS_STAMP_TTL_MS = 24 * 60 * 60 * 1000;

type CredEntry =
  | { t: "s"; id: number; u: number; e: number }
  | { t: "k"; id: number; u: number; sc: ApiKeyScope; in: string[] | null; e: number | null };

interface UserRow {
  id: number;
  username: string;
  role: "admin" | "user";
  max_instances: number;
  rate_limit: number | null;
  is_active: boolean;
  must_change_password: boolean;
}

const toUser = (r: UserRow): SessionUser => ({
  id: r.id,
  username: r.username,
  role: r.role,
  maxInstances: r.max_instances,
  rateLimit: r.rate_limit,
  isActive: r.is_active,
  mustChangePassword: r.must_change_password,
});

// What the credential's round trip read of the user's other entries (`acl:`), for the ownership check later
// in the same request; keyed by the SessionUser object, so it lives exactly as long as the request's user.
const snapshots = new WeakMap<SessionUser, Map<string, string | null>>();
const LINKED = ["user:", "acl:", "views:"];

// Whose each credential seen by this process is: a fact that never changes (a session or key belongs to one
// user for life), so it can name the linked keys before the `cred:` entry is read and the warm lookup is a
// plain MGET. It decides nothing: the entry read says whose it is, and a wrong guess reads again.
const ownerOfCredential = new Map<string, string>();
const MAX_KNOWN_OWNERS = 50_000;

function rememberOwner(hash: string, userId: number) {
  if (ownerOfCredential.has(hash)) return;
  if (ownerOfCredential.size >= MAX_KNOWN_OWNERS) {
    ownerOfCredential.delete(ownerOfCredential.keys().next().value!);
  }
  ownerOfCredential.set(hash, String(userId));
}

/**
 * The entry `key` (e.g. `acl:<id>`) as the credential lookup of this request read it, at the same instant
 * as the user entry; undefined when it was not read (a cold lookup) so the caller reads it itself.
 */
export function userSnapshot(user: SessionUser, key: string): string | null | undefined {
  return snapshots.get(user)?.get(key);
}

const toPrincipal = (entry: CredEntry, user: SessionUser): Principal =>
  entry.t === "s"
    ? { user, sessionId: entry.id }
    : { user, apiKey: { id: entry.id, scope: entry.sc, instanceNames: entry.in } };

/**
 * Resolves a raw credential (session token or API key) to its principal, or null when it is unknown,
 * revoked or expired. The user may be inactive: callers answer 403 for that.
 */
export async function resolveCredential(
  deps: Deps,
  raw: string,
  ctx: { ip?: string } = {},
): Promise<Principal | null> {
  if (!raw || raw.length > MAX_CREDENTIAL_LENGTH) return null;
  const hash = await sha256Hex(raw);
  const now = deps.clock.now();
  const { value: cached, linked } = await deps.cache.getLinked(
    credKey(hash),
    "u",
    LINKED,
    ownerOfCredential.get(hash),
  );
  if (cached === TOMBSTONE) return null;
  if (cached) {
    const entry = JSON.parse(cached) as CredEntry;
    if (entry.e !== null && entry.e <= now) return null;
    rememberOwner(hash, entry.u);
    const [userEntry = null, aclEntry = null, viewsEntry = null] = linked;
    const user = await loadUser(deps, entry.u, userEntry);
    if (!user) return null;
    // The user entry as read (null or a tombstone: changed) goes with the acl entry, like access.ts reads them.
    snapshots.set(
      user,
      new Map([[userKey(entry.u), userEntry], [`acl:${entry.u}`, aclEntry], [viewsKey(entry.u), viewsEntry]]),
    );
    return toPrincipal(entry, user);
  }
  const found = await lookupCredential(deps, hash, now, ctx.ip);
  if (!found) return null;
  const { entry, user } = found;
  rememberOwner(hash, user.id);
  const ttl = entry.e === null ? TOUCH_MS : Math.min(TOUCH_MS, entry.e - now);
  if (ttl > 0) await deps.cache.setIfAbsent(credKey(hash), JSON.stringify(entry), ttl);
  await deps.cache.setIfAbsent(userKey(user.id), JSON.stringify(user), USER_TTL_MS);
  return toPrincipal(entry, user);
}

// Validates, slides (or records API-key use) and reads the user in one statement.
async function lookupCredential(deps: Deps, hash: string, nowMs: number, ip?: string) {
  const now = new Date(nowMs);
  const expires = new Date(nowMs + SESSION_TTL_MS);
  const [row] = await deps.sql<(UserRow & {
    kind: "s" | "k";
    cred_id: number;
    cred_expires: Date | null;
    scope: ApiKeyScope | null;
    instance_names: string[] | null;
  })[]>`
    WITH s AS (
      UPDATE taguato.sessions SET last_active = ${now}, expires_at = ${expires}
      WHERE token_hash = ${hash} AND is_active AND expires_at > ${now}
      RETURNING id, user_id, expires_at
    ), k AS (
      UPDATE taguato.api_keys SET last_used_at = ${now}, last_used_ip = ${ip ? ip.slice(0, 64) : null}
      WHERE key_hash = ${hash} AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ${now})
        AND NOT EXISTS (SELECT 1 FROM s)
      RETURNING id, user_id, expires_at, scope, instance_names
    ), c AS (
      SELECT 's' AS kind, id, user_id, expires_at, NULL::text AS scope, NULL::text[] AS instance_names FROM s
      UNION ALL
      SELECT 'k', id, user_id, expires_at, scope, instance_names FROM k
    )
    SELECT c.kind, c.id AS cred_id, c.expires_at AS cred_expires, c.scope, c.instance_names,
           u.id, u.username, u.role, u.max_instances, u.rate_limit, u.is_active, u.must_change_password
    FROM c JOIN taguato.users u ON u.id = c.user_id`;
  if (!row) return null;
  const e = row.cred_expires ? row.cred_expires.getTime() : null;
  const entry: CredEntry = row.kind === "s"
    ? { t: "s", id: row.cred_id, u: row.id, e: e! }
    : { t: "k", id: row.cred_id, u: row.id, sc: row.scope!, in: row.instance_names, e };
  return { entry, user: toUser(row) };
}

async function loadUser(deps: Deps, id: number, cached: string | null): Promise<SessionUser | null> {
  if (cached && cached !== TOMBSTONE) return JSON.parse(cached) as SessionUser;
  const [row] = await deps.sql<UserRow[]>`
    SELECT id, username, role, max_instances, rate_limit, is_active, must_change_password
    FROM taguato.users WHERE id = ${id}`;
  if (!row) return null;
  const user = toUser(row);
  // Fails while a tombstone is present, which is what keeps a concurrent change from being undone.
  await deps.cache.setIfAbsent(userKey(id), JSON.stringify(user), USER_TTL_MS);
  return user;
}

/** Issues a new 24 h session for a user; returns the raw token (shown once) and the session id. */
export async function createSession(
  deps: Deps,
  user: Pick<SessionUser, "id">,
  meta: { ip?: string | null; userAgent?: string | null },
): Promise<{ token: string; sessionId: number }> {
  const token = randomToken();
  const hash = await sha256Hex(token);
  const nowMs = deps.clock.now();
  const [row] = await deps.sql<{ id: number }[]>`
    INSERT INTO taguato.sessions (user_id, token_hash, ip_address, user_agent, last_active, expires_at, created_at)
    VALUES (${user.id}, ${hash}, ${(meta.ip || "unknown").slice(0, 64)},
            ${(meta.userAgent || "unknown").slice(0, 512)}, ${new Date(nowMs)},
            ${new Date(nowMs + SESSION_TTL_MS)}, ${new Date(nowMs)})
    RETURNING id`;
  const entry: CredEntry = { t: "s", id: row.id, u: user.id, e: nowMs + SESSION_TTL_MS };
  await deps.cache.setIfAbsent(credKey(hash), JSON.stringify(entry), TOUCH_MS);
  return { token, sessionId: row.id };
}

async function bury(deps: Deps, hashes: string[]) {
  await Promise.all(hashes.map((h) => deps.cache.set(credKey(h.trim()), TOMBSTONE, REVOKED_TTL_MS)));
}

/**
 * Ends one session (optionally only if it belongs to `userId`); effective on the next request on every
 * replica. Returns whether an active session was revoked.
 */
export async function revokeSession(
  deps: Deps,
  sessionId: number,
  opts: { userId?: number } = {},
): Promise<boolean> {
  const rows = await deps.sql<{ token_hash: string }[]>`
    UPDATE taguato.sessions SET is_active = false
    WHERE id = ${sessionId} AND is_active ${
    opts.userId === undefined ? deps.sql`` : deps.sql`AND user_id = ${opts.userId}`
  }
    RETURNING token_hash`;
  await bury(deps, rows.map((r) => r.token_hash));
  return rows.length > 0;
}

/** Ends every active session of a user (but `exceptSessionId`); returns how many were revoked. */
export async function revokeUserSessions(
  deps: Deps,
  userId: number,
  opts: { exceptSessionId?: number } = {},
): Promise<number> {
  const rows = await deps.sql<{ token_hash: string }[]>`
    UPDATE taguato.sessions SET is_active = false
    WHERE user_id = ${userId} AND is_active AND id <> ${opts.exceptSessionId ?? -1}
    RETURNING token_hash`;
  await bury(deps, rows.map((r) => r.token_hash));
  return rows.length;
}

/**
 * Drops the cached user so a role, limit, is_active or deletion change applies to the very next request
 * on every replica, and with it the user's views (any profile change). Call it after the change is committed.
 */
export async function invalidateUser(deps: Deps, userId: number): Promise<void> {
  await Promise.all([
    deps.cache.set(userKey(userId), TOMBSTONE, USER_TOMBSTONE_TTL_MS),
    touchUserViews(deps, userId),
  ]);
}

/**
 * The user's views stamp as this request's credential lookup read it: a stamp, null (none yet) or
 * undefined (not read: the lookup went to the database).
 */
export const viewsStamp = (user: SessionUser): string | null | undefined =>
  userSnapshot(user, viewsKey(user.id));

/**
 * Gives the users' views a new stamp: from the next request on, no replica serves a view read before it.
 * Call it after any change to what a view shows is committed (invalidateUser does it too).
 */
export async function touchUserViews(deps: Pick<AppDeps, "cache">, ...userIds: number[]): Promise<void> {
  await Promise.all(
    [...new Set(userIds)].map((id) => deps.cache.set(viewsKey(id), randomToken(), VIEWS_STAMP_TTL_MS)),
  );
}

/** A first stamp for a user who has none (viewsStamp null); a concurrent touch keeps its own. */
export async function seedViewsStamp(deps: Pick<AppDeps, "cache">, userId: number): Promise<void> {
  await deps.cache.setIfAbsent(viewsKey(userId), randomToken(), VIEWS_STAMP_TTL_MS);
}

/** Refuses an API key from the next request on (call after revoking or deleting its row). */
export async function invalidateApiKey(deps: Deps, keyHash: string): Promise<void> {
  await bury(deps, [keyHash]);
}

/** Revokes one API key (optionally only if it belongs to `userId`); returns whether one was revoked. */
export async function revokeApiKey(
  deps: Deps,
  keyId: number,
  opts: { userId?: number } = {},
): Promise<boolean> {
  const rows = await deps.sql<{ key_hash: string }[]>`
    UPDATE taguato.api_keys SET revoked_at = ${new Date(deps.clock.now())}
    WHERE id = ${keyId} AND revoked_at IS NULL
      ${opts.userId === undefined ? deps.sql`` : deps.sql`AND user_id = ${opts.userId}`}
    RETURNING key_hash`;
  await bury(deps, rows.map((r) => r.key_hash));
  return rows.length > 0;
}

/**
 * Revokes every live API key of a user (a password change or reset: whoever learnt the old password may
 * have minted keys with it); refused from the next request on. Returns how many were revoked.
 */
export async function revokeUserApiKeys(deps: Deps, userId: number): Promise<number> {
  const rows = await deps.sql<{ key_hash: string }[]>`
    UPDATE taguato.api_keys SET revoked_at = ${new Date(deps.clock.now())}
    WHERE user_id = ${userId} AND revoked_at IS NULL
    RETURNING key_hash`;
  await bury(deps, rows.map((r) => r.key_hash));
  return rows.length;
}
