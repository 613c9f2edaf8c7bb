// Per-user read views kept in process memory: the JSON body of GET /api/auth/me and of a page of
// GET /api/templates, answered without a database round trip while nothing they show has changed.
//
// Each body is filed under the user's views stamp (`views:<id>` in the shared cache), which the request's
// credential lookup already read in its one round trip (credentials.ts). A change to what a view shows sets a
// new stamp after its commit (touchUserViews; invalidateUser and forgetInstanceAccess do it too), so the next
// request on every replica misses and reads the database. Stamps are random and never reused, and a body is
// filed under the stamp read *before* it was loaded: a body read around a change can only sit under the old
// stamp. A body also lives at most MAX_AGE_MS (the acl: layer's bound) for changes made behind the
// gateway's back (a restore, the import tool, writes during a Redis outage).
import type { Context, TypedResponse } from "hono";
import type { JSONParsed } from "hono/utils/types";
import type { AppDeps, Cache, SessionUser } from "../core/mod.ts";
import { seedViewsStamp, viewsStamp } from "./credentials.ts";

const MAX_AGE_MS = 30_000;
// Bodies are strings: their length bounds the store's memory (per replica).
const MAX_CHARS = 16 * 1024 * 1024;
const MAX_BODY_CHARS = MAX_CHARS / 64;

interface Entry {
  stamp: string;
  at: number;
  body: string;
}

interface Store {
  entries: Map<string, Entry>;
  chars: number;
}

// One store per cache client, i.e. per replica (two apps in one test process keep their own).
const stores = new WeakMap<Cache, Store>();

function storeOf(cache: Cache): Store {
  let store = stores.get(cache);
  if (!store) stores.set(cache, store = { entries: new Map(), chars: 0 });
  return store;
}

function file(store: Store, key: string, entry: Entry) {
  const old = store.entries.get(key);
  if (old) {
    store.chars -= old.body.length;
    store.entries.delete(key);
  }
  if (entry.body.length > MAX_BODY_CHARS) return;
  store.entries.set(key, entry);
  store.chars += entry.body.length;
  // Oldest filed first out.
  for (const [k, e] of store.entries) {
    if (store.chars <= MAX_CHARS) break;
    store.entries.delete(k);
    store.chars -= e.body.length;
  }
}

/** A view's JSON text, typed by the value it was serialised from. */
export type ViewText<T> = string & { readonly view?: T };

/**
 * The JSON text of the user's view `name`, which names everything the body depends on besides the user
 * (e.g. the page): from memory when filed under the stamp this request read and young enough, else
 * `load()`ed, serialised and filed under that stamp. Without a stamp read (a cold credential lookup) it
 * loads; with none set yet it loads and sets one for the next request.
 */
export async function userView<T>(
  deps: Pick<AppDeps, "cache" | "clock">,
  user: SessionUser,
  name: string,
  load: () => Promise<T>,
): Promise<ViewText<T>> {
  const stamp = viewsStamp(user);
  if (!stamp) {
    const body = JSON.stringify(await load());
    if (stamp === null) await seedViewsStamp(deps, user.id);
    return body;
  }
  const store = storeOf(deps.cache);
  const key = `${user.id} ${name}`;
  const at = deps.clock.now();
  const hit = store.entries.get(key);
  if (hit && hit.stamp === stamp && at - hit.at < MAX_AGE_MS && at >= hit.at) return hit.body;
  const body = JSON.stringify(await load());
  file(store, key, { stamp, at, body });
  return body;
}

/** A view's JSON text as a 200 answer: what `c.json` sends for the same value, typed the same way. */
export const viewResponse = <T>(c: Context, body: ViewText<T>) =>
  c.body(body, 200, { "Content-Type": "application/json" }) as unknown as TypedResponse<
    JSONParsed<T>,
    200,
    "json"
  >;
