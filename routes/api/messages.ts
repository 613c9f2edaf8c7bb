// GET /api/messages/log and /api/messages/export (contract §1.6): the caller's ledger, filtered and
// paginated in SQL; the export streams a CSV straight from a cursor instead of materialising 10 000 rows.
// The filters are checked by hand (their messages and order are the contract's), hence `documented`.
import { z } from "@hono/zod-openapi";
import {
  type AppDeps,
  createRouter,
  fail,
  jsonContent,
  onePage,
  PageInfo,
  routeDocs,
} from "../../lib/core/mod.ts";
import { requireScope } from "../../lib/auth/mod.ts";
import {
  CSV_HEADER,
  exportLogCsv,
  isFilterProblem,
  type LogFilters,
  messageLogPage,
  parseLogFilters,
} from "../../lib/messaging/mod.ts";
import { tenantRouter } from "./_middleware.ts";
import { documented, pageOf } from "./_manual.ts";

const EXPORT_MAX_ROWS = 10_000;
const route = routeDocs({ tag: "Message logs" });
const scope = [requireScope("full", "read")];

const Log = z.object({
  id: z.number().int(),
  instance_name: z.string(),
  phone_number: z.string(),
  message_type: z.string(),
  status: z.enum(["sending", "sent", "delivered", "read", "played", "failed", "cancelled", "unknown"]),
  error_message: z.string().nullable(),
  direction: z.enum(["outbound", "inbound"]),
  source: z.enum(["api", "panel", "scheduled", "campaign", "engine"]),
  engine_message_id: z.string().nullable(),
  status_updated_at: z.string(),
  scheduled_message_id: z.number().int().nullable(),
  created_at: z.string(),
}).openapi("MessageLog");

const q = (name: string, description: string) =>
  z.string().optional().openapi({ param: { name, in: "query" }, description });
const LogQuery = z.object({
  status: q("status", "Exact status"),
  message_type: q("message_type", "Exact type"),
  instance_name: q("instance_name", "Exact instance"),
  direction: q("direction", "outbound or inbound"),
  date_from: q("date_from", "YYYY-MM-DD or ISO 8601 (zone-less = UTC); 400 when not a date"),
  date_to: q("date_to", "Inclusive: a date covers its whole day"),
});
const Page = z.object({ page: q("page", "Default 1"), limit: q("limit", "Default 50, max 100") });

/** The query's filters (400 on garbage), limited to an API key's instances when it has a list. */
function filtersOf(query: Record<string, string>, instances: string[] | null | undefined): LogFilters {
  const f = parseLogFilters(query);
  if (isFilterProblem(f)) throw fail(f.code, f.params);
  return { ...f, instances };
}

/** /api/messages/log and /api/messages/export (mounted at /api/messages). */
export function messageRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = createRouter();
  // Contract: anything but GET (HEAD included) on the export is a JSON 405, before authentication, so
  // this check comes ahead of the tenant router's list.
  app.all("/export", async (c, next) => {
    if (c.req.method !== "GET") throw fail("method_not_allowed");
    await next();
  });
  const tenant = tenantRouter(deps);

  documented(
    tenant,
    route({
      method: "get",
      path: "/log",
      middleware: scope,
      summary: "My message ledger (sends, receipts, inbound), newest first",
      request: { query: LogQuery.extend(Page.shape) },
      responses: {
        200: jsonContent(z.object({ logs: z.array(Log), ...PageInfo }), "Logs"),
      },
      errors: { 400: "Invalid filter" },
    }),
    async (c) => {
      const at = pageOf(c.req.query());
      const filters = filtersOf(c.req.query(), c.var.apiKey?.instanceNames);
      return c.json(
        await onePage(at, ({ limit, offset }) => messageLogPage(sql, c.var.user.id, filters, limit, offset)),
      );
    },
  );

  documented(
    tenant,
    route({
      method: "get",
      path: "/export",
      middleware: scope,
      summary: "CSV of my ledger (same filters, newest first, at most 10 000 rows), streamed",
      request: { query: LogQuery },
      responses: {
        200: {
          description: "ID,Instance,Phone,Type,Status,Error,Date",
          content: { "text/csv": { schema: z.string() } },
        },
      },
      errors: { 400: "Invalid filter", 405: ["method_not_allowed"] },
    }),
    (c) => {
      const filters = filtersOf(c.req.query(), c.var.apiKey?.instanceNames);
      const enc = new TextEncoder();
      const body = ReadableStream.from((async function* () {
        yield enc.encode(CSV_HEADER);
        for await (const chunk of exportLogCsv(sql, c.var.user.id, filters, EXPORT_MAX_ROWS)) {
          yield enc.encode(chunk);
        }
      })());
      return c.body(body, 200, {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": "attachment; filename=message_history.csv",
      });
    },
  );

  app.route("/", tenant);
  return app;
}
