// /admin/services: the list of services incidents and maintenance can name (the contract only had the
// read-only /admin/incidents/services). The four live-checked services can be deactivated, not renamed
// or deleted: uptime samples and automatic incidents are keyed by their names.
import { z } from "@hono/zod-openapi";
import {
  type AppDeps,
  fail,
  idOr404,
  idPath,
  jsonBody,
  jsonContent,
  refuseIssue,
  routeDocs,
} from "../../lib/core/mod.ts";
import {
  createService,
  deleteService,
  invalidateStatus,
  listServices,
  updateService,
} from "../../lib/status/mod.ts";
import { adminRouter } from "./_middleware.ts";
import { firstProblem, isObject, present, type Problem, textProblem } from "./_status_input.ts";

const orderProblem = (v: unknown): Problem | null =>
  v === undefined || (Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 10_000)
    ? null
    : ["display_order_invalid"];
const activeProblem = (v: unknown): Problem | null =>
  v === undefined || typeof v === "boolean" ? null : ["field_not_boolean", { field: "is_active" }];

const CreateBody = z.preprocess(
  (b, ctx) => {
    if (!isObject(b)) return refuseIssue(ctx, "invalid_json");
    const failed = firstProblem(ctx, [
      () => present(b.name) ? null : ["field_required", { field: "name" }],
      () => textProblem("name", b.name, 100),
      () => b.description === null ? null : textProblem("description", b.description, 1_000),
      () => orderProblem(b.display_order),
    ]);
    return failed ? z.NEVER : b;
  },
  z.object({
    name: z.string(),
    description: z.string().nullable().optional(),
    display_order: z.number().int().optional(),
  }),
)
  .openapi("CreateService");

const EditBody = z.preprocess(
  (b, ctx) => {
    if (!isObject(b)) return refuseIssue(ctx, "invalid_json");
    const keys = ["name", "description", "display_order", "is_active"];
    const failed = firstProblem(ctx, [
      () => keys.every((k) => b[k] === undefined) ? ["no_fields_to_update"] : null,
      () => b.name !== undefined && !present(b.name) ? ["field_required", { field: "name" }] : null,
      () => textProblem("name", b.name, 100),
      () => b.description === null ? null : textProblem("description", b.description, 1_000),
      () => orderProblem(b.display_order),
      () => activeProblem(b.is_active),
    ]);
    return failed ? z.NEVER : b;
  },
  z.object({
    name: z.string().optional(),
    description: z.string().nullable().optional(),
    display_order: z.number().int().optional(),
    is_active: z.boolean().optional(),
  }),
).openapi("EditService");

const Service = z.object({
  id: z.number().int(),
  name: z.string(),
  description: z.string().nullable(),
  display_order: z.number().int(),
  is_active: z.boolean(),
}).openapi("Service");

const route = routeDocs({ tag: "Admin - Status", admin: true });

/** `/admin/services*` (mounted at /admin/services). */
export function adminServiceRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = adminRouter(deps);

  app.openapi(
    route({
      method: "get",
      path: "/",
      summary: "Every service, active or not",
      responses: { 200: jsonContent(z.object({ services: z.array(Service) }), "Services by display order") },
    }),
    async (c) => c.json({ services: await listServices(sql) }, 200),
  );

  app.openapi(
    route({
      method: "post",
      path: "/",
      summary: "Add a service incidents and maintenance can name",
      request: { body: jsonBody(CreateBody) },
      responses: { 201: jsonContent(z.object({ service: Service }), "Created") },
      errors: { 400: "Validation failed", 409: ["service_exists"] },
    }),
    async (c) => {
      const b = c.req.valid("json");
      const service = await createService(sql, {
        name: b.name.trim(),
        description: b.description ?? null,
        displayOrder: b.display_order ?? 0,
      });
      if (!service) throw fail("service_exists");
      return c.json({ service }, 201);
    },
  );

  app.openapi(
    route({
      method: "put",
      path: "/{id}",
      summary: "Rename, describe, reorder or (de)activate a service",
      request: { params: idPath("5"), body: jsonBody(EditBody) },
      responses: { 200: jsonContent(z.object({ service: Service }), "Edited") },
      errors: {
        400: "Validation failed",
        404: ["service_not_found"],
        409: ["service_exists", "service_builtin"],
      },
    }),
    async (c) => {
      const id = idOr404(c.req.valid("param").id, "service_not_found");
      const b = c.req.valid("json");
      const result = await updateService(sql, id, {
        name: b.name?.trim(),
        description: b.description,
        displayOrder: b.display_order,
        isActive: b.is_active,
      });
      if (result === null) throw fail("service_not_found");
      if (result === "builtin") throw fail("service_builtin");
      if (result === "taken") throw fail("service_exists");
      await invalidateStatus(deps);
      return c.json({ service: result }, 200);
    },
  );

  app.openapi(
    route({
      method: "delete",
      path: "/{id}",
      summary: "Delete a service (its incident and maintenance links go with it)",
      request: { params: idPath("5") },
      responses: {
        200: jsonContent(
          z.object({ deleted: z.object({ id: z.number().int(), name: z.string() }) }),
          "Deleted",
        ),
      },
      errors: { 404: ["service_not_found"], 409: ["service_builtin"] },
    }),
    async (c) => {
      const id = idOr404(c.req.valid("param").id, "service_not_found");
      const deleted = await deleteService(sql, id);
      if (deleted === null) throw fail("service_not_found");
      if (deleted === "builtin") throw fail("service_builtin");
      await invalidateStatus(deps);
      return c.json({ deleted }, 200);
    },
  );

  return app;
}
