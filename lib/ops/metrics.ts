/**
 * Prometheus metrics (`GET /metrics`) with prom-client. Counters and histograms that only this process
 * sees (HTTP requests, worker runs) live in a registry per app; cluster-wide gauges (sends, instance
 * states, queues, breaker) are read from PostgreSQL and the shared cache at scrape time.
 */
import client from "prom-client";
import type { Context } from "hono";
import { routePath } from "hono/route";
import type { AppDeps, AppEnv } from "../core/mod.ts";
import { circuitSnapshot } from "../gateway/mod.ts";

export interface Metrics {
  registry: client.Registry;
  httpRequests: client.Counter<"method" | "route" | "status">;
  httpDuration: client.Histogram<"method" | "route">;
  workerRuns: client.Counter<"worker" | "ok">;
  workerDuration: client.Histogram<"worker">;
}

const byDeps = new WeakMap<AppDeps, Metrics>();

const CIRCUIT_STATES = ["closed", "open", "half_open"] as const;

/** The metrics of one app (created on first use, so tests that never scrape pay nothing). */
export function metricsFor(deps: AppDeps): Metrics {
  let m = byDeps.get(deps);
  if (!m) {
    m = createMetrics(deps);
    byDeps.set(deps, m);
  }
  return m;
}

function createMetrics(deps: AppDeps): Metrics {
  const registry = new client.Registry();
  const registers = [registry];
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: L[],
    collect: (g: client.Gauge<L>) => Promise<void>,
  ) =>
    new client.Gauge<L>({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        this.reset();
        await collect(this);
      },
    });

  gauge("taguato_sends_24h", "Message log rows of the last 24 hours by status", ["status"], async (g) => {
    for (const r of await sendsByStatus(deps)) g.set({ status: r.status }, r.n);
  });
  gauge("taguato_instances", "Owned instances by last reported connection state", ["state"], async (g) => {
    for (const r of await instanceStates(deps)) g.set({ state: r.state }, r.n);
  });
  gauge("taguato_queue_depth", "Rows waiting in the background queues", ["queue"], async (g) => {
    const q = await queueDepths(deps);
    g.set({ queue: "webhook_deliveries" }, q.webhook_deliveries);
    g.set({ queue: "scheduled_messages" }, q.scheduled_messages);
  });
  gauge(
    "taguato_circuit_breaker_state",
    "Engine circuit breaker: 1 for the current state",
    ["state"],
    async (g) => {
      const { state } = await circuitSnapshot(deps);
      for (const s of CIRCUIT_STATES) g.set({ state: s }, s === state ? 1 : 0);
    },
  );

  return {
    registry,
    httpRequests: new client.Counter({
      name: "taguato_http_requests_total",
      help: "HTTP requests by matched route pattern and status",
      labelNames: ["method", "route", "status"],
      registers,
    }),
    httpDuration: new client.Histogram({
      name: "taguato_http_request_duration_seconds",
      help: "HTTP request latency by matched route pattern",
      labelNames: ["method", "route"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    workerRuns: new client.Counter({
      name: "taguato_worker_runs_total",
      help: "Background worker runs in this process by worker and outcome",
      labelNames: ["worker", "ok"],
      registers,
    }),
    workerDuration: new client.Histogram({
      name: "taguato_worker_run_duration_seconds",
      help: "Background worker run duration",
      labelNames: ["worker"],
      buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers,
    }),
  };
}

/** Counts one worker run (the registry calls it after each run). */
export function countWorkerRun(deps: AppDeps, worker: string, ok: boolean, durationMs: number): void {
  const m = metricsFor(deps);
  m.workerRuns.inc({ worker, ok: String(ok) });
  m.workerDuration.observe({ worker }, durationMs / 1000);
}

/**
 * Counts every request under its matched route pattern (`/admin/users/:id`), never the raw path, so
 * ids and instance names cannot blow up the series count. Unmatched paths count as "unmatched". Called by
 * the edge middleware (lib/core/http.ts) once the response is produced.
 */
export function requestMetrics(deps: AppDeps): (c: Context<AppEnv>, ms: number) => void {
  return (c, ms) => {
    const pattern = routePath(c, -1);
    const route = !pattern || pattern === "/*" || pattern.endsWith("*") && c.res.status === 404
      ? "unmatched"
      : pattern;
    const m = metricsFor(deps);
    const method = c.req.method;
    m.httpRequests.inc({ method, route, status: String(c.res.status) });
    m.httpDuration.observe({ method, route }, ms / 1000);
  };
}

/** The Prometheus text exposition of every metric. */
export async function renderMetrics(deps: AppDeps): Promise<{ body: string; contentType: string }> {
  const m = metricsFor(deps);
  return { body: await m.registry.metrics(), contentType: m.registry.contentType };
}

async function sendsByStatus(deps: AppDeps) {
  return await deps.sql<{ status: string; n: number }[]>`
    SELECT status, count(*)::int AS n FROM taguato.message_logs
    WHERE created_at > now() - interval '24 hours' AND direction = 'outbound' GROUP BY status`;
}

async function instanceStates(deps: AppDeps) {
  return await deps.sql<{ state: string; n: number }[]>`
    SELECT coalesce(connection_state, 'unknown') AS state, count(*)::int AS n
    FROM taguato.user_instances WHERE NOT pending GROUP BY 1`;
}

async function queueDepths(deps: AppDeps) {
  const [row] = await deps.sql<{ webhook_deliveries: number; scheduled_messages: number }[]>`
    SELECT
      (SELECT count(*)::int FROM taguato.webhook_deliveries WHERE status = 'pending') AS webhook_deliveries,
      (SELECT count(*)::int FROM taguato.scheduled_messages WHERE status = 'pending') AS scheduled_messages`;
  return row;
}
