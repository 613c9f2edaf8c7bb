// /api/messages/log and /api/messages/export (contract §1.6): the caller's ledger, filtered (plus status,
// direction and text search) and paginated in SQL; a client's own report of a send (POST, merged into the
// gateway's row when the gateway sent it, so nothing is counted twice); and the export, streamed as CSV from
// a cursor, any number of rows. Input is checked by hand (the contract's messages and order): `documented`.
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
import { keyAllowsInstance, unreachableInstances } from "../../lib/gateway/mod.ts";
import {
  CSV_HEADER,
  exportLogCsv,
  isFilterProblem,
  type LogFilters,
  messageLogPage,
  parseClientLog,
  parseLogFilters,
  recordClientLog,
} from "../../lib/messaging/mod.ts";
import { tenantRouter } from "./_middleware.ts";
import { documented, pageOf, readObject } from "./_manual.ts";
const route = routeDocs({ tag: "Message logs" });
const scope = [requireScope("full", "read")];
const writeScope = [requireScope("full", "send")];

const Log = z.object({
  id: z.number().int(),
  instance_name: z.string(),
  phone_number: z.string(),
  message_type: z.string(),
  status: z.enum(["sending", "sent", "delivered", "read", "played", "failed", "cancelled", "unknown"]),
  error_message: z.string().nullable(),
  direction: z.enum(["outbound", "inbound"]),
  source: z.enum(["api", "panel", "scheduled", "campaign", "engine", "client"]),
  engine_message_id: z.string().nullable(),
  status_updated_at: z.string(),
  scheduled_message_id: z.number().int().nullable(),
  body_text: z.string().nullable().openapi({ description: "The text or caption sent (first 1000 chars)" }),
  client_reported_at: z.string().nullable().openapi({ description: "When a client also reported it" }),
  created_at: z.string(),
}).openapi("MessageLog");

const ClientLogBody = z.object({
  instance_name: z.string(),
  phone_number: z.string(),
  message_type: z.enum(["text", "image", "document", "audio", "video"]).optional(),
  status: z.enum(["sent", "failed", "cancelled"]).optional(),
  error_message: z.string().nullable().optional(),
  message_id: z.string().optional().openapi({ description: "The engine's key.id, when known: exact merge" }),
});
const ClientLogRow = z.object({
  id: z.number().int(),
  instance_name: z.string(),
  phone_number: z.string(),
  message_type: z.string(),
  status: z.string(),
  error_message: z.string().nullable(),
  created_at: z.string(),
});

const q = (name: string, description: string) =>
  z.string().optional().openapi({ param: { name, in: "query" }, description });
const LogQuery = z.object({
  status: q("status", "Exact status"),
  message_type: q("message_type", "Exact type"),
  instance_name: q("instance_name", "Exact instance"),
  direction: q("direction", "outbound or inbound"),
  q: q("q", "Text search in the number, the message text and the error (at most 100 characters)"),
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
      method: "post",
      path: "/log",
      middleware: writeScope,
      summary: "Report a send my client made (merged into the gateway's own row when it made it)",
      description: "A report matching a send of the gateway (same engine `message_id`, or the same number " +
        "and type within 10 minutes) marks that row instead of adding one, so each message counts once.",
      request: { body: { content: { "application/json": { schema: ClientLogBody } } } },
      responses: {
        201: jsonContent(z.object({ log: ClientLogRow, merged: z.boolean() }), "Recorded"),
      },
      errors: { 400: "Invalid body", 403: ["webhook_instance_not_owned"] },
    }),
    async (c) => {
      const log = parseClientLog(await readObject(c));
      if (isFilterProblem(log)) throw fail(log.code, log.params);
      const user = c.var.user;
      const reachable = keyAllowsInstance(c.var.apiKey, log.instanceName) &&
        (await unreachableInstances(sql, user, [log.instanceName])).length === 0;
      if (!reachable) throw fail("webhook_instance_not_owned");
      return c.json(await recordClientLog(sql, user.id, log), 201);
    },
  );

  documented(
    tenant,
    route({
      method: "get",
      path: "/export",
      middleware: scope,
      summary: "CSV of my ledger (same filters, newest first, every row), streamed",
      description:
        "UTF-8 with a BOM; a cell that would start a spreadsheet formula (= + - @) gets a leading '.",
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
        for await (const chunk of exportLogCsv(sql, c.var.user.id, filters)) {
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
