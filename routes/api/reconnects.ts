import { z } from "@hono/zod-openapi";
import {
  type AppDeps,
  jsonContent,
  onePage,
  PageInfo,
  pageParams,
  PageQuery,
  pathParam,
  routeDocs,
} from "../../lib/core/mod.ts";
import { requireScope } from "../../lib/auth/mod.ts";
import { assertReachable } from "../../lib/gateway/mod.ts";
import { reconnectHistory } from "../../lib/ops/mod.ts";
import { tenantRouter } from "./_middleware.ts";

const Entry = z.object({
  id: z.number().int(),
  previous_state: z.string().nullable(),
  result: z.enum(["reconnected", "failed"]),
  error_message: z.string().nullable(),
  created_at: z.string(),
}).openapi("ReconnectEntry");

const route = routeDocs({ tag: "Instances" });

/** `/api/reconnects/{name}`: the disconnect/reconnect history of an instance the caller can reach. */
export function reconnectRoutes(deps: AppDeps) {
  const app = tenantRouter(deps);
  app.use(requireScope("full", "read"));
  app.openapi(
    route({
      method: "get",
      path: "/{name}",
      summary: "The reconnect worker's attempts for an instance, newest first, and its loop flag",
      request: { params: z.object({ name: pathParam("name", "acme-sales") }), query: PageQuery },
      responses: {
        200: jsonContent(
          z.object({
            instance_name: z.string(),
            reconnect_loop_at: z.string().nullable()
              .openapi({ description: "Set while the instance is flagged as a reconnect loop" }),
            next_reconnect_at: z.string().nullable(),
            reconnects: z.array(Entry),
            ...PageInfo,
          }),
          "History",
        ),
      },
      errors: { 400: ["page_invalid", "limit_invalid"], 403: ["engine_instance_not_owned"] },
    }),
    async (c) => {
      const name = c.req.valid("param").name;
      await assertReachable(deps, c.var.user, c.var.apiKey, [name]);
      const { entries, reconnect_loop_at, next_reconnect_at, ...page } = await onePage(
        pageParams(c.req.valid("query")),
        (window) => reconnectHistory(deps.sql, name, window),
      );
      return c.json({
        instance_name: name,
        reconnect_loop_at: reconnect_loop_at?.toISOString() ?? null,
        next_reconnect_at: next_reconnect_at?.toISOString() ?? null,
        reconnects: entries.map((e) => ({ ...e, created_at: e.created_at.toISOString() })),
        ...page,
      }, 200);
    },
  );
  return app;
}
