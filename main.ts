import { createApp } from "./app.ts";
import {
  type AppDeps,
  type Cache,
  type Config,
  ConfigError,
  createLogger,
  createMemoryCache,
  createRedisCache,
  type Database,
  DatabaseUnavailableError,
  ensureIslandBundle,
  loadConfig,
  type Logger,
  migrate,
  openDatabase,
  systemClock,
} from "./lib/core/mod.ts";
import { createEvolutionClient, recordIssuedEngineEventTokens } from "./lib/gateway/mod.ts";
import { ensureAdmin } from "./lib/accounts/mod.ts";
import type { Sandbox } from "./lib/sandbox/mod.ts";
import { startWebhookDispatcher } from "./workers/webhook_dispatch.ts";
import { startCampaignDispatcher } from "./workers/campaign_dispatch.ts";
import { allWorkers, startWorkerRegistry } from "./workers/mod.ts";

/** A start-up failure the operator can act on: printed as one line, no stack trace. */
class StartupError extends Error {}

function fail(message: string): never {
  console.error(`taguato: ${message}`);
  Deno.exit(1);
}

async function openCache(config: Config, log: Logger): Promise<Cache> {
  const url = config.redisUrl;
  if (!url) return createMemoryCache();
  try {
    return await createRedisCache(url, config.redisKeyPrefix, {
      log,
      commandTimeoutMs: config.redisCommandTimeoutMs,
    });
  } catch (err) {
    const where = new URL(url).host;
    throw new StartupError(
      `cannot connect to Redis at ${where}: ${err instanceof Error ? err.message : err}`,
    );
  }
}

async function main(args: string[]) {
  const config = loadConfig(Deno.env.toObject());
  const log = createLogger(config.logLevel);
  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
  };

  try {
    const db: Database = await openDatabase({
      url: config.databaseUrl,
      dataDir: config.dataDir,
      max: config.databasePoolSize,
    });
    closers.push(() => db.close());
    const applied = await migrate(db.sql);
    log.info("database ready", { mode: db.mode, url: db.displayUrl, migrations_applied: applied });
    if (args.includes("--migrate-only")) return await closeAll();
    await ensureAdmin({ sql: db.sql, config, log });

    const cache = await openCache(config, log);
    closers.push(() => cache.close());

    let sandbox: Sandbox | undefined;
    let evolutionUrl = config.evolutionUrl;
    let evolutionKey = config.evolutionApiKey;
    if (!evolutionUrl) {
      evolutionKey ??= crypto.randomUUID().replaceAll("-", "");
      // Loaded only here: a gateway in front of a real engine never carries the sandbox's modules.
      const { startSandbox } = await import("./lib/sandbox/mod.ts");
      sandbox = await startSandbox({ apiKey: evolutionKey, port: config.sandboxPort, hostname: "127.0.0.1" });
      closers.push(() => sandbox!.stop());
      evolutionUrl = sandbox.url;
      log.warn("EVOLUTION_API_URL is not set: using the built-in sandbox engine (no real WhatsApp)", {
        sandbox_url: sandbox.url,
      });
    }
    const evolution = createEvolutionClient({
      baseUrl: evolutionUrl,
      apiKey: evolutionKey!,
      timeoutMs: config.evolutionTimeoutMs,
    });

    await ensureIslandBundle(log);

    const deps: AppDeps = {
      config,
      sql: db.sql,
      dbMode: db.mode,
      dbSnapshot: db.snapshot,
      cache,
      evolution,
      sandboxUrl: sandbox?.url,
      clock: systemClock,
      log,
    };
    // Instances from before migration 0011 get their engine-events tokens recorded (once; idempotent).
    const recorded = await recordIssuedEngineEventTokens(deps);
    if (recorded > 0) log.info("engine-events tokens recorded", { instances: recorded });
    const app = createApp(deps);
    const server = Deno.serve({
      port: config.port,
      hostname: config.hostname,
      onListen: ({ hostname, port }) => log.info("listening", { url: `http://${hostname}:${port}` }),
    }, app.fetch);
    // The engine calls this address back (engine events) unless GATEWAY_INTERNAL_URL says otherwise.
    const selfHost = ["0.0.0.0", "::", ""].includes(config.hostname) ? "127.0.0.1" : config.hostname;
    deps.selfUrl = `http://${selfHost.includes(":") ? `[${selfHost}]` : selfHost}:${server.addr.port}`;
    const webhookDispatcher = startWebhookDispatcher(deps);
    // Campaign sends keep their pacing gaps in this loop; the minute worker is the cluster-wide backstop.
    const campaignDispatcher = startCampaignDispatcher(deps);
    // Every replica registers every worker; the lease in PostgreSQL lets one of them run each tick.
    const workers = startWorkerRegistry(deps, allWorkers(config), { tickMs: config.workerTickMs });

    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info("shutting down", { signal });
      // Stops accepting, lets in-flight requests finish, then closes pools.
      await server.shutdown();
      workers.stop();
      await webhookDispatcher.stop();
      await campaignDispatcher.stop();
      await closeAll();
      Deno.exit(0);
    };
    Deno.addSignalListener("SIGTERM", () => shutdown("SIGTERM"));
    Deno.addSignalListener("SIGINT", () => shutdown("SIGINT"));
    await server.finished;
  } catch (err) {
    await closeAll();
    throw err;
  }
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (err) {
    if (err instanceof ConfigError) fail(`invalid configuration: ${err.problems.join("; ")}`);
    if (err instanceof DatabaseUnavailableError || err instanceof StartupError) fail(err.message);
    throw err;
  }
}
