/** The public status document (`GET /api/status`, contract §6.1–6.4) and its 15-second shared cache. */
import type { AppDeps } from "../core/mod.ts";
import { runChecks, type ServiceCheck } from "./checks.ts";
import { type PublicIncident, publicIncidents } from "./incidents.ts";
import { type PublicMaintenance, publicMaintenances } from "./maintenance.ts";
import type { OverallStatus } from "./model.ts";
import {
  type DayPct,
  responseTimeHistory,
  STATUS_CACHE_KEY,
  uptimeByService,
  uptimeDaily,
} from "./uptime.ts";

const DAY_MS = 86_400_000;
export const STATUS_CACHE_MS = 15_000;

export interface StatusDocument {
  overall_status: OverallStatus;
  services: ServiceCheck[];
  active_incidents: PublicIncident[];
  recent_incidents: PublicIncident[];
  scheduled_maintenances: PublicMaintenance[];
  uptime: Record<string, number>;
  uptime_daily: Record<string, DayPct[]>;
  response_time_history: Record<string, { hour: string; avg_ms: number }[]>;
  cached: boolean;
  checked_at: string;
}

/** Overall state from the checks, then raised by active incidents (contract §6.3). */
export function overallStatus(checks: ServiceCheck[], incidents: { severity: string }[]): OverallStatus {
  const down = checks.filter((c) => c.status !== "operational").length;
  let overall: OverallStatus = down === checks.length
    ? "major_outage"
    : down > 0
    ? "partial_outage"
    : "operational";
  for (const { severity } of incidents) {
    if (severity === "critical") overall = "major_outage";
    else if (severity === "major" && overall === "operational") overall = "partial_outage";
    else if (severity === "minor" && overall === "operational") overall = "degraded";
  }
  return overall;
}

/** Computes the document: live checks plus six reads (the 90-day daily bars come with `days`). */
export async function buildStatus(
  deps: Pick<AppDeps, "sql" | "cache" | "evolution" | "clock">,
  days = 30,
): Promise<StatusDocument> {
  const now = deps.clock.now();
  const since = new Date(now - days * DAY_MS);
  const [checks, incidents, maintenances, uptime, daily, history] = await Promise.all([
    runChecks(deps),
    publicIncidents(deps.sql),
    publicMaintenances(deps.sql),
    uptimeByService(deps.sql, new Date(now - 30 * DAY_MS)),
    uptimeDaily(deps.sql, since),
    responseTimeHistory(deps.sql, new Date(now - DAY_MS)),
  ]);
  return {
    overall_status: overallStatus(checks, incidents.active),
    services: checks,
    active_incidents: incidents.active,
    recent_incidents: incidents.recent,
    scheduled_maintenances: maintenances,
    uptime,
    uptime_daily: daily,
    response_time_history: history,
    cached: false,
    checked_at: new Date(now).toUTCString(),
  };
}

/**
 * The document as JSON text, from the shared cache when a replica computed it within 15 s
 * (`hit` true). Unlike the contract (§14 #28), a replayed document says `"cached": true`.
 */
export async function cachedStatus(
  deps: Pick<AppDeps, "sql" | "cache" | "evolution" | "clock">,
  days: 30 | 90 = 30,
): Promise<{ json: string; hit: boolean }> {
  const key = cacheKey(days);
  const stored = await deps.cache.get(key);
  if (stored) return { json: stored.replace('"cached":false', '"cached":true'), hit: true };
  const json = JSON.stringify(await buildStatus(deps, days));
  await deps.cache.set(key, json, STATUS_CACHE_MS);
  return { json, hit: false };
}

// The API's 30-day document, and the status page's with 90 daily bars.
const cacheKey = (days: 30 | 90) => days === 30 ? STATUS_CACHE_KEY : `${STATUS_CACHE_KEY}:${days}`;

/** Drops the cached documents so an admin's change shows at once (incidents, maintenance). */
export const invalidateStatus = (deps: Pick<AppDeps, "cache">) => deps.cache.del(cacheKey(30), cacheKey(90));
