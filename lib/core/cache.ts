import { createClient } from "redis";
import { type Clock, systemClock } from "./clock.ts";
import type { Logger } from "./log.ts";
import { withTimeout } from "./timeout.ts";

/** The shared key-value store: Redis in production, an in-process map when REDIS_URL is unset. */
export interface Cache {
  readonly kind: "redis" | "memory";
  get(key: string): Promise<string | null>;
  /** Stores a value; with `ttlMs` it expires after that many milliseconds. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Stores only when the key is absent; returns whether it was stored (locks, de-duplication). */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  del(...keys: string[]): Promise<void>;
  /**
   * Reads `key` and, when its value is a JSON object with a `field`, the keys `prefix + value of field` for
   * each prefix, all at one instant (one round trip on Redis): a credential and the user and access entries
   * it points at. `linked` is empty when `key` is absent or holds no such field. `guess`, the field's value
   * if the caller knows it from before, only makes the read cheaper when right (on Redis one MGET instead of a
   * script); the answer is the same either way.
   */
  getLinked(
    key: string,
    field: string,
    prefixes: string[],
    guess?: string,
  ): Promise<{ value: string | null; linked: (string | null)[] }>;
  /**
   * Atomically counts a hit in the fixed window that starts with the key's first hit.
   * Returns the count including this hit and the milliseconds left in the window.
   */
  hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
  ping(): Promise<boolean>;
  /** Whether the client holds a live connection, known without a round trip (memory: always). */
  connected(): boolean;
  close(): Promise<void>;
}

/** The `field` of a JSON object value as a key suffix, or null (absent, not JSON, a tombstone). */
function linkedId(value: string | null, field: string): string | null {
  if (value === null || value[0] !== "{") return null;
  try {
    const v = (JSON.parse(value) as Record<string, unknown>)[field];
    return typeof v === "number" || typeof v === "string" ? String(v) : null;
  } catch {
    return null;
  }
}

/** In-process implementation with the same semantics as the Redis one (single replica, tests). */
export function createMemoryCache(clock: Clock = systemClock): Cache {
  const store = new Map<string, { value: string; expiresAt: number }>();
  const live = (key: string) => {
    const e = store.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= clock.now()) {
      store.delete(key);
      return undefined;
    }
    return e;
  };
  const put = (key: string, value: string, ttlMs?: number) =>
    store.set(key, { value, expiresAt: ttlMs === undefined ? Infinity : clock.now() + ttlMs });
  return {
    kind: "memory",
    get: (key) => Promise.resolve(live(key)?.value ?? null),
    set(key, value, ttlMs) {
      put(key, value, ttlMs);
      return Promise.resolve();
    },
    setIfAbsent(key, value, ttlMs) {
      if (live(key)) return Promise.resolve(false);
      put(key, value, ttlMs);
      return Promise.resolve(true);
    },
    del(...keys) {
      for (const k of keys) store.delete(k);
      return Promise.resolve();
    },
    getLinked(key, field, prefixes) {
      const value = live(key)?.value ?? null;
      const id = linkedId(value, field);
      const linked = id === null ? [] : prefixes.map((p) => live(p + id)?.value ?? null);
      return Promise.resolve({ value, linked });
    },
    hit(key, windowMs) {
      const e = live(key);
      if (!e) {
        put(key, "1", windowMs);
        return Promise.resolve({ count: 1, resetMs: windowMs });
      }
      e.value = String(Number(e.value) + 1);
      return Promise.resolve({ count: Number(e.value), resetMs: e.expiresAt - clock.now() });
    },
    ping: () => Promise.resolve(true),
    connected: () => true,
    close() {
      store.clear();
      return Promise.resolve();
    },
  };
}

// INCR and the window's expiry in one round trip; the expiry is only set by the hit that opens the window.
const HIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

// GET of a key and of the keys its JSON value's field points at, atomically. The linked keys are not
// declared in KEYS (they depend on the value), so this needs a single Redis, not a Redis Cluster.
const LINKED_SCRIPT = `
local v = redis.call('GET', KEYS[1])
if not v then return {false} end
local out = {v}
if string.sub(v, 1, 1) ~= '{' then return out end
local ok, obj = pcall(cjson.decode, v)
if not ok or type(obj) ~= 'table' then return out end
local id = obj[ARGV[1]]
if type(id) == 'number' then id = string.format('%d', id) elseif type(id) ~= 'string' then return out end
for i = 2, #ARGV do out[#out + 1] = redis.call('GET', ARGV[i] .. id) or false end
return out`;

/** How long one Redis command may take before the cache counts as down (no request waits seconds). */
export const REDIS_COMMAND_TIMEOUT_MS = 250;
// Keys written while Redis was down, deleted from it on recovery so it cannot serve what the outage changed
// (a revocation tombstone, a refreshed user); past this many the oldest are forgotten.
const MAX_DIRTY_KEYS = 10_000;
// While degraded, how often a command tries Redis again once the client says it is connected.
const RETRY_AFTER_MS = 1_000;

export interface RedisCacheOptions {
  /** Told once when the cache switches to per-process memory and once when Redis is back. */
  log?: Pick<Logger, "warn" | "info">;
  commandTimeoutMs?: number;
}

/**
 * Redis implementation; every key is prefixed so several deployments or test runs can share a server.
 * It degrades instead of failing: a command that errors or takes longer than `commandTimeoutMs` (and every
 * command while the connection is down) is served by a per-process memory store, so reads miss (callers
 * fall back to PostgreSQL), writes are best-effort, and rate limits and the breaker count per process.
 * The client reconnects by itself; the first command after it is ready goes to Redis again.
 */
export async function createRedisCache(
  url: string,
  prefix = "taguato:",
  options: RedisCacheOptions = {},
): Promise<Cache> {
  const timeoutMs = options.commandTimeoutMs ?? REDIS_COMMAND_TIMEOUT_MS;
  const k = (key: string) => prefix + key;
  const client = createClient({
    url,
    // Without the offline queue a command during a reconnect fails at once instead of waiting for it.
    disableOfflineQueue: true,
    socket: { connectTimeout: 2_000, reconnectStrategy: (retries) => Math.min(50 + retries * 100, 1_000) },
    // No per-command timer of the client's own (its default is an AbortSignal.timeout of 5 s for every
    // command, which lives until it fires): every call below is bounded by withTimeout, on one sweeper.
    commandOptions: { timeout: 0 },
  });
  const memory = createMemoryCache();
  const dirty = new Set<string>();
  let degraded = false;
  let retryAt = 0;
  let recovering: Promise<void> | undefined;
  const degrade = (err: unknown) => {
    retryAt = Date.now() + RETRY_AFTER_MS;
    if (degraded) return;
    degraded = true;
    options.log?.warn("cache unavailable: using per-process memory until Redis answers again", {
      error: err instanceof Error ? err.message : String(err),
    });
  };
  // Back on Redis only once the keys the outage changed are gone from it (a revocation must not be undone
  // by an entry cached before the outage); the memory store's counters belonged to the outage only.
  const recover = async () => {
    retryAt = Date.now() + RETRY_AFTER_MS;
    const keys = [...dirty];
    try {
      if (keys.length) await withTimeout(client.del(keys.map(k)), timeoutMs, "redis recovery");
      else await withTimeout(client.ping(), timeoutMs, "redis recovery");
    } catch {
      return;
    }
    for (const key of keys) dirty.delete(key);
    await memory.close();
    degraded = false;
    options.log?.info("cache recovered: Redis answers again", { keys_invalidated: keys.length });
  };
  // node-redis emits "error" on every failed reconnect; without a listener the process would crash.
  client.on("error", (err) => degrade(err));
  await client.connect();
  const touch = (keys: string[]) => {
    for (const key of keys) {
      if (dirty.size >= MAX_DIRTY_KEYS) dirty.delete(dirty.values().next().value!);
      dirty.add(key);
    }
  };
  /** Runs `op` on Redis, or on the memory store when Redis is down, errors or is too slow. */
  async function run<T>(keys: string[], op: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
    if (degraded && client.isReady && Date.now() >= retryAt) {
      await (recovering ??= recover().finally(() => recovering = undefined));
    }
    if (!degraded && client.isReady) {
      try {
        return await withTimeout(op(), timeoutMs, "redis command");
      } catch (err) {
        degrade(err);
      }
    } else if (!client.isReady) degrade(new Error("Redis is not connected"));
    touch(keys);
    return await fallback();
  }
  return {
    kind: "redis",
    get: (key) => run([], () => client.get(k(key)), () => memory.get(key)),
    set: (key, value, ttlMs) =>
      run([key], async () => {
        if (ttlMs === undefined) await client.set(k(key), value);
        else await client.set(k(key), value, { PX: Math.max(1, Math.ceil(ttlMs)) });
      }, () => memory.set(key, value, ttlMs)),
    setIfAbsent: (key, value, ttlMs) =>
      run([key], async () => {
        const r = await client.set(k(key), value, { PX: Math.max(1, Math.ceil(ttlMs)), NX: true });
        return r === "OK";
      }, () => memory.setIfAbsent(key, value, ttlMs)),
    del: (...keys) =>
      run(keys, async () => {
        if (keys.length) await client.del(keys.map(k));
      }, () => memory.del(...keys)),
    getLinked: (key, field, prefixes, guess) =>
      run([], async () => {
        if (guess !== undefined) {
          // A plain MGET costs Redis about a microsecond, the script about 16 (its Lua call and JSON decode).
          const [value, ...linked] = await client.mGet([k(key), ...prefixes.map((p) => k(p + guess))]);
          const id = linkedId(value, field);
          if (id === guess) return { value, linked };
          if (id === null) return { value, linked: [] };
        }
        const r = await client.eval(LINKED_SCRIPT, {
          keys: [k(key)],
          arguments: [field, ...prefixes.map(k)],
        }) as (string | null)[];
        return { value: r[0] ?? null, linked: r.length > 1 ? r.slice(1).map((x) => x ?? null) : [] };
      }, () => memory.getLinked(key, field, prefixes)),
    hit: (key, windowMs) =>
      run([key], async () => {
        const [count, ttl] = await client.eval(HIT_SCRIPT, {
          keys: [k(key)],
          arguments: [String(Math.ceil(windowMs))],
        }) as [number, number];
        return { count, resetMs: ttl };
      }, () => memory.hit(key, windowMs)),
    async ping() {
      if (!client.isReady) return false;
      try {
        return (await withTimeout(client.ping(), timeoutMs, "redis ping")) === "PONG";
      } catch {
        return false;
      }
    },
    connected: () => client.isReady,
    async close() {
      await memory.close();
      // A graceful close waits for the replies still due; a silent server gets one command timeout for them.
      if (client.isReady) {
        await withTimeout(client.close(), timeoutMs, "redis close").catch(() => client.destroy());
      } else client.destroy();
    },
  };
}
