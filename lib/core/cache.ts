import { createClient } from "redis";
import { type Clock, systemClock } from "./clock.ts";

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
   * Atomically counts a hit in the fixed window that starts with the key's first hit.
   * Returns the count including this hit and the milliseconds left in the window.
   */
  hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
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

/** Redis implementation; every key is prefixed so several deployments or test runs can share a server. */
export async function createRedisCache(url: string, prefix = "taguato:"): Promise<Cache> {
  const client = createClient({
    url,
    socket: { connectTimeout: 5_000, reconnectStrategy: (retries) => Math.min(retries * 200, 3_000) },
  });
  // node-redis emits "error" on every failed reconnect; without a listener the process would crash.
  client.on("error", () => {});
  await client.connect();
  const k = (key: string) => prefix + key;
  return {
    kind: "redis",
    get: (key) => client.get(k(key)),
    async set(key, value, ttlMs) {
      if (ttlMs === undefined) await client.set(k(key), value);
      else await client.set(k(key), value, { PX: Math.max(1, Math.ceil(ttlMs)) });
    },
    async setIfAbsent(key, value, ttlMs) {
      const r = await client.set(k(key), value, { PX: Math.max(1, Math.ceil(ttlMs)), NX: true });
      return r === "OK";
    },
    async del(...keys) {
      if (keys.length) await client.del(keys.map(k));
    },
    async hit(key, windowMs) {
      const [count, ttl] = await client.eval(HIT_SCRIPT, {
        keys: [k(key)],
        arguments: [String(Math.ceil(windowMs))],
      }) as [number, number];
      return { count, resetMs: ttl };
    },
    async ping() {
      try {
        return (await client.ping()) === "PONG";
      } catch {
        return false;
      }
    },
    async close() {
      await client.close();
    },
  };
}
