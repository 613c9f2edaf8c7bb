/**
 * Whether the caller may reach the instances a request names: the reachable set (owned or granted) is
 * cached in the shared store (DESIGN §7) and dropped on every ownership or grant change.
 */
import { type AppDeps, fail, type SessionUser } from "../core/mod.ts";
import { type ApiKeyPrincipal, touchUserViews, userSnapshot } from "../auth/mod.ts";
import { reachableInstanceNames } from "./instances.ts";

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
export async function reachableInstances(
  deps: Deps,
  userId: number,
  user?: SessionUser,
): Promise<Set<string>> {
  // The request's credential lookup read both entries in its own round trip (credentials.ts getLinked).
  const snapAcl = user && userSnapshot(user, aclKey(userId));
  const snapUser = user && userSnapshot(user, `user:${userId}`);
  const [cached, userEntry] = snapAcl !== undefined && snapUser !== undefined
    ? [snapAcl, snapUser]
    : await Promise.all([deps.cache.get(aclKey(userId)), deps.cache.get(`user:${userId}`)]);
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
 * Drops cached reachable sets and the users' views (their profile lists owned instances) after an ownership
 * or grant change; effective at once on every replica. Call it after creating, releasing or deleting an
 * instance and after granting or revoking access.
 */
export async function forgetInstanceAccess(deps: Pick<AppDeps, "cache">, ...userIds: number[]) {
  await Promise.all([
    ...[...new Set(userIds)].map((id) => deps.cache.set(aclKey(id), TOMBSTONE, ACL_TOMBSTONE_TTL_MS)),
    touchUserViews(deps, ...userIds),
  ]);
}

/** Whether an API key limited to some instances allows this one (sessions and unlimited keys: always). */
export const keyAllowsInstance = (key: ApiKeyPrincipal | undefined, name: string): boolean =>
  !key?.instanceNames || key.instanceNames.includes(name);

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
  if (!names.every((n) => keyAllowsInstance(key, n))) {
    throw fail("engine_instance_not_owned");
  }
  if (user.role === "admin") return;
  const reachable = await reachableInstances(deps, user.id, user);
  if (!names.every((n) => reachable.has(n))) throw fail("engine_instance_not_owned");
}
