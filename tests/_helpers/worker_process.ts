// What a worker or dispatcher process started by a test or bench needs, as a gateway replica would have
// it: its own pool, engine client and config, from DATABASE_URL, SANDBOX_URL and ENGINE_KEY.
import { connect, createMemoryCache, loadConfig, silentLogger, systemClock } from "../../lib/core/mod.ts";
import { createEvolutionClient } from "../../lib/gateway/mod.ts";

/** The variable `name` of the process's environment; a missing one stops the process. */
export const requiredEnv = (name: string) => {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is required`);
  return value;
};

/** The process's deps, with `settings` as its configuration (LOG_LEVEL error unless given). */
export function workerProcessDeps(settings: Record<string, string>) {
  return {
    config: loadConfig({ LOG_LEVEL: "error", ...settings }),
    sql: connect(requiredEnv("DATABASE_URL"), 2),
    dbMode: "postgres" as const,
    cache: createMemoryCache(),
    evolution: createEvolutionClient({
      baseUrl: requiredEnv("SANDBOX_URL"),
      apiKey: requiredEnv("ENGINE_KEY"),
      timeoutMs: 10_000,
    }),
    clock: systemClock,
    log: silentLogger,
  };
}
