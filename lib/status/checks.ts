/** The live checks of the four services (contract §5.1, §6.2), shared by `GET /api/status` and the worker. */
import { type AppDeps, databaseAnswers } from "../core/mod.ts";
import type { CheckStatus, ServiceName } from "./model.ts";

export interface ServiceCheck {
  name: ServiceName;
  status: CheckStatus;
  /** Milliseconds the check took. */
  response_time: number;
}

export type CheckDeps = Pick<AppDeps, "sql" | "cache" | "evolution">;

const CHECK_TIMEOUT_MS = 3_000;

async function timed(name: ServiceName, probe: () => Promise<boolean>): Promise<ServiceCheck> {
  const started = performance.now();
  const up = await probe().catch(() => false);
  return {
    name,
    status: up ? "operational" : "major_outage",
    response_time: Math.max(0, Math.round(performance.now() - started)),
  };
}

/**
 * Checks every service at once: the gateway (this process answers, 0 ms), the engine (`GET /` must
 * answer Evolution's root document), PostgreSQL (`SELECT 1`) and the cache (PING; the in-memory store
 * always answers). Never throws: a failed or slow probe is a `major_outage`.
 */
export async function runChecks(deps: CheckDeps): Promise<ServiceCheck[]> {
  const gateway: ServiceCheck = { name: "Gateway", status: "operational", response_time: 0 };
  const rest = await Promise.all([
    timed("Evolution API", async () => {
      await deps.evolution.root({ timeoutMs: CHECK_TIMEOUT_MS });
      return true;
    }),
    timed("PostgreSQL", () => databaseAnswers(deps.sql, CHECK_TIMEOUT_MS)),
    timed("Redis", () => deps.cache.ping()),
  ]);
  return [gateway, ...rest];
}
