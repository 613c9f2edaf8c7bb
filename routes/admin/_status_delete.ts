// `DELETE /{id}` of incidents and maintenance windows: the same answer, audit row and cache drop.
import { z } from "@hono/zod-openapi";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { auditAs } from "../../lib/accounts/mod.ts";
import {
  type AppDeps,
  type AuthEnv,
  type ErrorCode,
  fail,
  idOr404,
  idPath,
  jsonContent,
  routeDocs,
} from "../../lib/core/mod.ts";
import { invalidateStatus } from "../../lib/status/mod.ts";

const route = routeDocs({ tag: "Admin - Status", admin: true });

/** Mounts the audited delete of one status resource on `app`. */
export function auditedDelete(
  app: OpenAPIHono<AuthEnv>,
  deps: AppDeps,
  o: {
    summary: string;
    notFound: ErrorCode;
    resource: "incident" | "maintenance";
    remove(id: number): Promise<{ id: number; title: string } | null>;
  },
): void {
  app.openapi(
    route({
      method: "delete",
      path: "/{id}",
      summary: o.summary,
      request: { params: idPath("1") },
      responses: {
        200: jsonContent(
          z.object({ deleted: z.object({ id: z.number().int(), title: z.string() }) }),
          "Deleted",
        ),
      },
      errors: { 404: [o.notFound] },
    }),
    async (c) => {
      const id = idOr404(c.req.valid("param").id, o.notFound);
      const deleted = await o.remove(id);
      if (!deleted) throw fail(o.notFound);
      await auditAs(deps.sql, c.var.user, c.var.clientIp, {
        action: `${o.resource}_deleted`,
        resourceType: o.resource,
        resourceId: id,
        details: { title: deleted.title },
      });
      await invalidateStatus(deps);
      return c.json({ deleted }, 200);
    },
  );
}
