import { z } from "@hono/zod-openapi";
import { type AppDeps, fail, jsonContent, pathParam, routeDocs } from "../../lib/core/mod.ts";
import { lastRuns, recentRuns, type WorkerRun } from "../../lib/ops/mod.ts";
import { allWorkers, runWorkerNow } from "../../workers/mod.ts";
import { nextRunAt } from "../../workers/registry.ts";
import { adminRouter } from "./_middleware.ts";

const Run = z.object({
  started_at: z.string(),
  duration_ms: z.number().int(),
  ok: z.boolean(),
  result: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
  holder: z.string().nullable(),
  manual: z.boolean(),
}).openapi("WorkerRun");

const Worker = z.object({
  name: z.string(),
  schedule: z.string().openapi({ description: "Cron expression, UTC" }),
  next_run: z.string().nullable(),
  last_run: Run.nullable(),
}).openapi("Worker");

const route = routeDocs({ tag: "Admin - Workers", admin: true });

const runJson = (r: WorkerRun) => ({
  started_at: r.started_at.toISOString(),
  duration_ms: r.duration_ms,
  ok: r.ok,
  result: r.result,
  error: r.error,
  holder: r.holder,
  manual: r.manual,
});

/** `/admin/workers`: every registered background worker with its last run, and "run now". */
export function adminWorkerRoutes(deps: AppDeps) {
  const app = adminRouter(deps);
  const workers = allWorkers(deps.config);
  const find = (name: string) => {
    const spec = workers.find((w) => w.name === name);
    if (!spec) throw fail("worker_not_found");
    return spec;
  };

  app.openapi(
    route({
      method: "get",
      path: "/",
      summary: "Background workers: schedule, last run (duration, result, error) and next run",
      responses: { 200: jsonContent(z.object({ workers: z.array(Worker) }), "Workers") },
    }),
    async (c) => {
      const last = await lastRuns(deps.sql);
      const now = new Date(deps.clock.now());
      return c.json({
        workers: workers.map((w) => {
          const run = last.get(w.name);
          return {
            name: w.name,
            schedule: w.schedule,
            next_run: nextRunAt(w.schedule, now)?.toISOString() ?? null,
            last_run: run ? runJson(run) : null,
          };
        }),
      }, 200);
    },
  );

  app.openapi(
    route({
      method: "get",
      path: "/{name}/runs",
      summary: "A worker's recent runs, newest first",
      request: { params: z.object({ name: pathParam("name", "cleanup") }) },
      responses: { 200: jsonContent(z.object({ name: z.string(), runs: z.array(Run) }), "Runs") },
      errors: { 404: ["worker_not_found"] },
    }),
    async (c) => {
      const spec = find(c.req.valid("param").name);
      const runs = await recentRuns(deps.sql, spec.name);
      return c.json({ name: spec.name, runs: runs.map(runJson) }, 200);
    },
  );

  app.openapi(
    route({
      method: "post",
      path: "/{name}/run",
      summary: "Run a worker now (waits for the run; refused while a run of it is in progress)",
      request: { params: z.object({ name: pathParam("name", "cleanup") }) },
      responses: { 200: jsonContent(z.object({ name: z.string(), run: Run }), "The finished run") },
      errors: { 404: ["worker_not_found"], 409: ["worker_busy"] },
    }),
    async (c) => {
      const spec = find(c.req.valid("param").name);
      const run = await runWorkerNow(deps, spec);
      if (!run) throw fail("worker_busy");
      return c.json({ name: spec.name, run: runJson(run) }, 200);
    },
  );

  return app;
}
