import { createApp } from "../../app.ts";
import { ensureAdmin } from "../../lib/accounts/mod.ts";
import {
  type AppDeps,
  type Cache,
  type Clock,
  type Config,
  createMemoryCache,
  createRedisCache,
  loadConfig,
  silentLogger,
  systemClock,
} from "../../lib/core/mod.ts";
import { createEvolutionClient } from "../../lib/gateway/mod.ts";
import { type Sandbox, type SandboxOptions, startSandbox } from "../../lib/sandbox/mod.ts";
import { createTestDatabase, type TestDatabase } from "./db.ts";
import { services, TEST_REDIS_URL } from "./services.ts";

export { TEST_REDIS_URL };
export const ENGINE_KEY = "test-engine-key-0123456789abcdef";

export interface TestApp {
  /** Base URL of the gateway, served over real HTTP on a loopback port. */
  url: string;
  deps: AppDeps;
  db: TestDatabase;
  sandbox: Sandbox;
  /** The bootstrap administrator created by ensureAdmin (must_change_password is true). */
  admin: { username: string; password: string };
  /** Key prefix of this app's Redis cache (a second "replica" opens its own client on it). */
  cachePrefix: string;
  close(): Promise<void>;
  /** `await using t = await startTestApp()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  /** Default "redis"; the in-memory cache stands in when no Redis is reachable (see services.ts). */
  cache?: "redis" | "memory";
  /** A Redis of the test's own (fault tests) instead of TEST_REDIS_URL. */
  redisUrl?: string;
  clock?: Clock;
  sandbox?: Partial<SandboxOptions>;
  /** Password of the bootstrap admin (ADMIN_PASSWORD); default "Admin123!". */
  adminPassword?: string;
}

/**
 * Starts the real gateway against a fresh migrated PostgreSQL database, Redis (under a unique key
 * prefix) and the sandbox engine over HTTP. Close it at the end of the test. On a machine without those
 * servers: an embedded PGlite and the in-memory cache.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const db = await createTestDatabase();
  const sandbox = await startSandbox({
    apiKey: ENGINE_KEY,
    port: 0,
    hostname: "127.0.0.1",
    ...options.sandbox,
  });
  const config: Config = loadConfig({
    LOG_LEVEL: "error",
    // The tests' client is the loopback peer, standing in for a proxy that sets X-Forwarded-For.
    TRUSTED_PROXIES: "127.0.0.1/32",
    ADMIN_PASSWORD: options.adminPassword ?? "Admin123!",
    ...options.env,
  });
  const cachePrefix = `taguato-test:${crypto.randomUUID()}:`;
  const cache: Cache = options.cache === "memory" || (!services.redis && !options.redisUrl)
    ? createMemoryCache(options.clock)
    : await createRedisCache(options.redisUrl ?? TEST_REDIS_URL, cachePrefix);
  const deps: AppDeps = {
    config,
    sql: db.sql,
    dbMode: db.embedded ? "embedded" : "postgres",
    cache,
    evolution: createEvolutionClient({ baseUrl: sandbox.url, apiKey: ENGINE_KEY, timeoutMs: 5_000 }),
    sandboxUrl: sandbox.url,
    clock: options.clock ?? systemClock,
    log: silentLogger,
  };
  await ensureAdmin(deps);
  const app = createApp(deps);
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  // The engine's webhook target (engine events ingest) is this process's own address.
  deps.selfUrl = `http://127.0.0.1:${server.addr.port}`;
  const close = async () => {
    await server.shutdown();
    await cache.close();
    await sandbox.stop();
    await db.drop();
  };
  return {
    url: deps.selfUrl,
    deps,
    db,
    sandbox,
    admin: { username: config.adminUsername, password: config.adminPassword! },
    cachePrefix,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** A second replica of `app`: the same database and deps, its own Redis client (so its own memory) and port. */
export async function startReplica(app: TestApp): Promise<{ url: string } & AsyncDisposable> {
  const cache = await createRedisCache(TEST_REDIS_URL, app.cachePrefix);
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    createApp({ ...app.deps, cache }).fetch,
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      await cache.close();
    },
  };
}
