// GET /api/messages/log and /api/messages/export (contract §1.6): the caller's ledger, filtered and
// paginated in SQL; the export streams a CSV straight from a cursor instead of materialising 10 000 rows.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { type AppDeps, type AppEnv, badRequest, createRouter, methodNotAllowed } from "../../lib/core/mod.ts";
import { documentMessageRoutes } from "./ledger_docs.ts";
import { requireAuth, requireScope } from "../../lib/auth/mod.ts";
import {
  csvField,
  LOG_COLUMNS,
  type LogFilters,
  logWhere,
  parseLogFilters,
} from "../../lib/messaging/mod.ts";
import { pageOf } from "./webhook_deliveries.ts";

const EXPORT_MAX_ROWS = 10_000;
const CSV_HEADER = "ID,Instance,Phone,Type,Status,Error,Date\n";

/** Mounts /api/messages/log and /api/messages/export. */
export function messageRoutes(deps: AppDeps): OpenAPIHono<AppEnv> {
  const { sql } = deps;
  const app = createRouter();
  documentMessageRoutes(app);
  const auth = [requireAuth(deps), requireScope("full", "read")] as const;

  const filtersOf = (query: Record<string, string>, instances: string[] | null | undefined): LogFilters => {
    const f = parseLogFilters(query);
    if (typeof f === "string") throw badRequest(f);
    return { ...f, instances };
  };

  app.get("/api/messages/log", ...auth, async (c) => {
    const { page, limit, offset } = pageOf(c.req.query());
    const where = logWhere(sql, c.var.user!.id, filtersOf(c.req.query(), c.var.apiKey?.instanceNames));
    const [{ total }] = await sql<{ total: number }[]>`
      SELECT count(*)::int AS total FROM taguato.message_logs ${where}`;
    const logs = await sql`
      SELECT ${sql(LOG_COLUMNS)} FROM taguato.message_logs ${where}
      ORDER BY created_at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`;
    return c.json({ logs, total, page, limit, pages: Math.ceil(total / limit) });
  });

  app.all(
    "/api/messages/export",
    async (c, next) => {
      // Contract: anything but GET (HEAD included) is a JSON 405, before authentication.
      if (c.req.method !== "GET") throw methodNotAllowed();
      await next();
    },
    ...auth,
    (c) => {
      const where = logWhere(sql, c.var.user!.id, filtersOf(c.req.query(), c.var.apiKey?.instanceNames));
      const rows = sql<{ id: number; instance_name: string; phone_number: string; message_type: string }[]>`
      SELECT id, instance_name, phone_number, message_type, status, error_message, created_at
      FROM taguato.message_logs ${where}
      ORDER BY created_at DESC, id DESC LIMIT ${EXPORT_MAX_ROWS}`.cursor(500);
      const enc = new TextEncoder();
      const body = ReadableStream.from((async function* () {
        yield enc.encode(CSV_HEADER);
        for await (const batch of rows) {
          let chunk = "";
          for (const r of batch as Record<string, unknown>[]) {
            chunk +=
              [r.id, r.instance_name, r.phone_number, r.message_type, r.status, r.error_message, r.created_at]
                .map(csvField).join(",") + "\n";
          }
          yield enc.encode(chunk);
        }
      })());
      return c.body(body, 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": "attachment; filename=message_history.csv",
      });
    },
  );

  return app;
}
