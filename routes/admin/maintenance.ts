// /admin/maintenance (contract §6.6): scheduled maintenance windows. Fixed: an unparseable date is a
// 400 (was "Failed to create maintenance" 500), a window may not end before it starts, bad service_ids
// are a 400.
import { z } from "@hono/zod-openapi";
import {
  type AppDeps,
  fail,
  idOr404,
  idPath,
  jsonBody,
  jsonContent,
  onePage,
  PageInfo,
  pageParams,
  PageQuery,
  refuseIssue,
  routeDocs,
} from "../../lib/core/mod.ts";
import { auditAs } from "../../lib/accounts/mod.ts";
import {
  createMaintenance,
  deleteMaintenance,
  invalidateStatus,
  linkedServiceIds,
  listMaintenances,
  MAINTENANCE_STATUSES,
  type MaintenanceStatus,
  notifySubscribers,
  updateMaintenance,
  WINDOW_ORDER,
} from "../../lib/status/mod.ts";
import { adminRouter } from "./_middleware.ts";
import { auditedDelete } from "./_status_delete.ts";
import {
  choiceProblem,
  choiceQuery,
  dateProblem,
  firstProblem,
  isObject,
  parseWhen,
  present,
  type Problem,
  ServiceIds,
  serviceIdsProblem,
  textProblem,
} from "./_status_input.ts";

const Status = z.enum(MAINTENANCE_STATUSES);
const When = z.string().openapi({
  description: "ISO 8601 (zone-less = UTC)",
  example: "2026-05-01T02:00:00Z",
});

const fieldChecks = (b: Record<string, unknown>): (() => Problem | null)[] => [
  () => textProblem("title", b.title, 255),
  () => textProblem("description", b.description, 10_000),
  () => dateProblem("scheduled_start", b.scheduled_start),
  () => dateProblem("scheduled_end", b.scheduled_end),
  () => {
    const [s, e] = [parseWhen(b.scheduled_start), parseWhen(b.scheduled_end)];
    return s && e && e < s ? ["maintenance_window_order"] : null;
  },
  () => serviceIdsProblem(b.service_ids),
];

const CreateBody = z.preprocess(
  (b, ctx) => {
    if (!isObject(b)) return refuseIssue(ctx, "invalid_json");
    const failed = firstProblem(ctx, [
      () =>
        present(b.title) && present(b.scheduled_start) && present(b.scheduled_end)
          ? null
          : ["maintenance_fields_required"],
      ...fieldChecks(b),
    ]);
    return failed ? z.NEVER : b;
  },
  z.object({
    title: z.string(),
    description: z.string().optional(),
    scheduled_start: When,
    scheduled_end: When,
    service_ids: ServiceIds,
  }),
).openapi("CreateMaintenance");

const EditBody = z.preprocess(
  (b, ctx) => {
    if (!isObject(b)) return refuseIssue(ctx, "invalid_json");
    const keys = ["title", "description", "scheduled_start", "scheduled_end", "status", "service_ids"];
    const failed = firstProblem(ctx, [
      () => b.status === undefined ? null : choiceProblem("status", b.status, MAINTENANCE_STATUSES),
      () => keys.every((k) => b[k] === undefined) ? ["no_fields_to_update"] : null,
      () => b.title !== undefined && !present(b.title) ? ["field_required", { field: "title" }] : null,
      ...fieldChecks(b),
    ]);
    return failed ? z.NEVER : b;
  },
  z.object({
    title: z.string().optional(),
    description: z.string().optional(),
    scheduled_start: When.optional(),
    scheduled_end: When.optional(),
    status: Status.optional(),
    service_ids: ServiceIds,
  }),
).openapi("EditMaintenance");

const Maintenance = z.object({
  id: z.number().int(),
  title: z.string(),
  description: z.string(),
  scheduled_start: z.string(),
  scheduled_end: z.string(),
  status: Status,
  created_at: z.string(),
  updated_at: z.string(),
  created_by_name: z.string().nullable(),
  affected_services: z.array(z.object({ id: z.number().int(), name: z.string() })),
}).openapi("Maintenance");

const route = routeDocs({ tag: "Admin - Status", admin: true });
const anyObject = z.record(z.string(), z.unknown());
const optionalDate = (v: string | undefined) => v === undefined ? undefined : parseWhen(v)!;
/** The window in words for a subscriber's mail (UTC, ISO: readable in either language). */
const windowText = (start: string | Date, end: string | Date, description?: string) =>
  `${new Date(start).toISOString()} – ${new Date(end).toISOString()} (UTC)${
    description ? `\n${description}` : ""
  }`;

/** `/admin/maintenance*` (mounted at /admin/maintenance). Every change drops the cached public status. */
export function adminMaintenanceRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = adminRouter(deps);

  app.openapi(
    route({
      method: "get",
      path: "/",
      summary: "Maintenance windows: in progress, scheduled, completed (paginated)",
      request: { query: PageQuery.extend({ status: choiceQuery("status", MAINTENANCE_STATUSES) }) },
      responses: {
        200: jsonContent(z.object({ maintenances: z.array(Maintenance), ...PageInfo }), "One page"),
      },
      errors: { 400: "Invalid page or status" },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const filter = { status: q.status as MaintenanceStatus | undefined };
      return c.json(await onePage(pageParams(q), (w) => listMaintenances(sql, filter, w)), 200);
    },
  );

  app.openapi(
    route({
      method: "post",
      path: "/",
      summary: "Schedule a maintenance window",
      request: { body: jsonBody(CreateBody) },
      responses: { 201: jsonContent(z.object({ maintenance: anyObject }), "Scheduled") },
      errors: { 400: "Validation failed" },
    }),
    async (c) => {
      const b = c.req.valid("json");
      const maintenance = await createMaintenance(sql, {
        title: b.title.trim(),
        description: b.description ?? "",
        start: parseWhen(b.scheduled_start)!,
        end: parseWhen(b.scheduled_end)!,
        serviceIds: b.service_ids ?? [],
        createdBy: c.var.user.id,
      });
      await auditAs(sql, c.var.user, c.var.clientIp, {
        action: "maintenance_created",
        resourceType: "maintenance",
        resourceId: maintenance.id as number,
        details: { title: maintenance.title },
      });
      await invalidateStatus(deps);
      void notifySubscribers(deps, {
        kind: "maintenance_scheduled",
        title: b.title.trim(),
        detail: windowText(b.scheduled_start, b.scheduled_end, b.description),
        serviceIds: b.service_ids ?? [],
      });
      return c.json({ maintenance }, 201);
    },
  );

  app.openapi(
    route({
      method: "put",
      path: "/{id}",
      summary: "Edit a window, move its status, or replace its services",
      request: { params: idPath("1"), body: jsonBody(EditBody) },
      responses: {
        200: jsonContent(
          z.object({ maintenance: anyObject }).or(z.object({ message: z.string() })),
          "Edited",
        ),
      },
      errors: { 400: "Validation failed", 404: ["maintenance_not_found"] },
    }),
    async (c) => {
      const id = idOr404(c.req.valid("param").id, "maintenance_not_found");
      const b = c.req.valid("json");
      const result = await updateMaintenance(sql, id, {
        title: b.title?.trim(),
        description: b.description,
        start: optionalDate(b.scheduled_start),
        end: optionalDate(b.scheduled_end),
        status: b.status as MaintenanceStatus | undefined,
        serviceIds: b.service_ids,
      });
      if (!result) throw fail("maintenance_not_found");
      if (result === WINDOW_ORDER) throw fail("maintenance_window_order");
      await invalidateStatus(deps);
      // Subscribers hear when a window starts or ends (status moves are made by hand, contract §6.6).
      if (result !== "services" && (b.status === "in_progress" || b.status === "completed")) {
        void notifySubscribers(deps, {
          kind: b.status === "in_progress" ? "maintenance_started" : "maintenance_completed",
          title: String(result.title),
          detail: windowText(
            result.scheduled_start as Date,
            result.scheduled_end as Date,
            result.description as string,
          ),
          serviceIds: await linkedServiceIds(sql, "maintenance_services", id),
        });
      }
      return c.json(result === "services" ? { message: "Services updated" } : { maintenance: result }, 200);
    },
  );

  auditedDelete(app, deps, {
    summary: "Delete a maintenance window",
    notFound: "maintenance_not_found",
    resource: "maintenance",
    remove: (id) => deleteMaintenance(sql, id),
  });

  return app;
}
