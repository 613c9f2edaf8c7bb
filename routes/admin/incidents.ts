// /admin/incidents (contract §6.5): incidents with their update timeline and affected services. Fixed:
// an unknown incident is a 404 (not "Failed to add update" 500), an incident created or updated as
// resolved gets resolved_at (cleared on reopening), bad service_ids are a 400, and PUT changes nothing
// for an incident that does not exist.
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
  addIncidentUpdate,
  createIncident,
  deleteIncident,
  INCIDENT_STATUSES,
  type IncidentStatus,
  invalidateStatus,
  linkedServiceIds,
  listActiveServices,
  listIncidents,
  notifySubscribers,
  SEVERITIES,
  type Severity,
  updateIncident,
} from "../../lib/status/mod.ts";
import { adminRouter } from "./_middleware.ts";
import { auditedDelete } from "./_status_delete.ts";
import {
  choiceProblem,
  choiceQuery,
  firstProblem,
  isObject,
  present,
  ServiceIds,
  serviceIdsProblem,
  textProblem,
} from "./_status_input.ts";

const Severity = z.enum(SEVERITIES);
const Status = z.enum(INCIDENT_STATUSES);

const CreateBody = z.preprocess(
  (b, ctx) => {
    if (!isObject(b)) return refuseIssue(ctx, "invalid_json");
    const failed = firstProblem(ctx, [
      () => present(b.title) && present(b.severity) ? null : ["incident_fields_required"],
      () => textProblem("title", b.title, 255),
      () => choiceProblem("severity", b.severity, SEVERITIES),
      () =>
        b.status === undefined || b.status === null
          ? null
          : choiceProblem("status", b.status, INCIDENT_STATUSES),
      () => present(b.message) ? null : ["incident_message_required"],
      () => textProblem("message", b.message, 10_000),
      () => serviceIdsProblem(b.service_ids),
    ]);
    return failed ? z.NEVER : b;
  },
  z.object({
    title: z.string(),
    severity: Severity,
    status: Status.optional(),
    message: z.string(),
    service_ids: ServiceIds,
  }),
)
  .openapi("CreateIncident");

const UpdateBody = z.preprocess((b, ctx) => {
  if (!isObject(b)) return refuseIssue(ctx, "invalid_json");
  const failed = firstProblem(ctx, [
    () => present(b.status) && present(b.message) ? null : ["incident_update_required"],
    () => choiceProblem("status", b.status, INCIDENT_STATUSES),
    () => textProblem("message", b.message, 10_000),
  ]);
  return failed ? z.NEVER : b;
}, z.object({ status: Status, message: z.string() })).openapi("IncidentUpdateBody");

const EditBody = z.preprocess((b, ctx) => {
  if (!isObject(b)) return refuseIssue(ctx, "invalid_json");
  const failed = firstProblem(ctx, [
    () =>
      b.title === undefined && b.severity === undefined && b.service_ids === undefined
        ? ["no_fields_to_update"]
        : null,
    () => b.title !== undefined && !present(b.title) ? ["field_required", { field: "title" }] : null,
    () => textProblem("title", b.title, 255),
    () => b.severity === undefined ? null : choiceProblem("severity", b.severity, SEVERITIES),
    () => serviceIdsProblem(b.service_ids),
  ]);
  return failed ? z.NEVER : b;
}, z.object({ title: z.string().optional(), severity: Severity.optional(), service_ids: ServiceIds }))
  .openapi("EditIncident");

const Incident = z.object({
  id: z.number().int(),
  title: z.string(),
  severity: Severity,
  status: Status,
  automatic: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
  resolved_at: z.string().nullable(),
  created_by_name: z.string().nullable(),
  affected_services: z.array(z.object({ id: z.number().int(), name: z.string() })),
  updates: z.array(z.object({
    id: z.number().int(),
    status: z.string(),
    message: z.string(),
    created_at: z.string(),
    created_by_name: z.string().nullable(),
  })),
}).openapi("Incident");

const route = routeDocs({ tag: "Admin - Status", admin: true });
const anyObject = z.record(z.string(), z.unknown());

/** `/admin/incidents*` (mounted at /admin/incidents). Every change drops the cached public status. */
export function adminIncidentRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = adminRouter(deps);

  app.openapi(
    route({
      method: "get",
      path: "/services",
      summary: "The services incidents and maintenance can name",
      responses: {
        200: jsonContent(
          z.object({
            services: z.array(z.object({
              id: z.number().int(),
              name: z.string(),
              description: z.string().nullable(),
              display_order: z.number().int(),
            })),
          }),
          "Active services by display order",
        ),
      },
    }),
    async (c) => c.json({ services: await listActiveServices(sql) }, 200),
  );

  app.openapi(
    route({
      method: "get",
      path: "/",
      summary: "Incidents, unresolved first, then newest (paginated)",
      request: { query: PageQuery.extend({ status: choiceQuery("status", INCIDENT_STATUSES) }) },
      responses: { 200: jsonContent(z.object({ incidents: z.array(Incident), ...PageInfo }), "One page") },
      errors: { 400: "Invalid page or status" },
    }),
    async (c) => {
      const q = c.req.valid("query");
      return c.json(
        await onePage(pageParams(q), (w) => listIncidents(sql, { status: q.status as IncidentStatus }, w)),
        200,
      );
    },
  );

  app.openapi(
    route({
      method: "post",
      path: "/",
      summary: "Declare an incident (its message is the first timeline update)",
      request: { body: jsonBody(CreateBody) },
      responses: { 201: jsonContent(z.object({ incident: anyObject }), "Created") },
      errors: { 400: "Validation failed" },
    }),
    async (c) => {
      const b = c.req.valid("json");
      const incident = await createIncident(sql, {
        title: b.title.trim(),
        severity: b.severity as Severity,
        status: (b.status ?? "investigating") as IncidentStatus,
        message: b.message.trim(),
        serviceIds: b.service_ids ?? [],
        createdBy: c.var.user.id,
      });
      await auditAs(sql, c.var.user, c.var.clientIp, {
        action: "incident_created",
        resourceType: "incident",
        resourceId: incident!.id,
        details: { title: incident!.title, severity: incident!.severity },
      });
      await invalidateStatus(deps);
      // Subscribers hear about it in the background: the admin's answer does not wait for SMTP.
      void notifySubscribers(deps, {
        kind: "incident_opened",
        title: incident!.title,
        detail: b.message.trim(),
        serviceIds: await linkedServiceIds(sql, "incident_services", incident!.id),
      });
      return c.json({ incident: incident! }, 201);
    },
  );

  app.openapi(
    route({
      method: "post",
      path: "/{id}/updates",
      summary: "Add a timeline update (moves the incident to its status)",
      request: { params: idPath("1"), body: jsonBody(UpdateBody) },
      responses: { 201: jsonContent(z.object({ update: anyObject }), "Added") },
      errors: { 400: "Validation failed", 404: ["incident_not_found"] },
    }),
    async (c) => {
      const id = idOr404(c.req.valid("param").id, "incident_not_found");
      const b = c.req.valid("json");
      const added = await addIncidentUpdate(sql, id, {
        status: b.status as IncidentStatus,
        message: b.message.trim(),
        createdBy: c.var.user.id,
      });
      if (!added) throw fail("incident_not_found");
      const { update, title } = added;
      await invalidateStatus(deps);
      void notifySubscribers(deps, {
        kind: update.status === "resolved" ? "incident_resolved" : "incident_updated",
        title,
        detail: update.message,
        serviceIds: await linkedServiceIds(sql, "incident_services", id),
      });
      return c.json({ update }, 201);
    },
  );

  app.openapi(
    route({
      method: "put",
      path: "/{id}",
      summary: "Edit title, severity or affected services (status changes through updates)",
      request: { params: idPath("1"), body: jsonBody(EditBody) },
      responses: {
        200: jsonContent(z.object({ incident: anyObject }).or(z.object({ message: z.string() })), "Edited"),
      },
      errors: { 400: "Validation failed", 404: ["incident_not_found"] },
    }),
    async (c) => {
      const id = idOr404(c.req.valid("param").id, "incident_not_found");
      const b = c.req.valid("json");
      const result = await updateIncident(sql, id, {
        title: b.title?.trim(),
        severity: b.severity as Severity | undefined,
        serviceIds: b.service_ids,
      });
      if (!result) throw fail("incident_not_found");
      await invalidateStatus(deps);
      return c.json(result === "services" ? { message: "Services updated" } : { incident: result }, 200);
    },
  );

  auditedDelete(app, deps, {
    summary: "Delete an incident with its timeline",
    notFound: "incident_not_found",
    resource: "incident",
    remove: (id) => deleteIncident(sql, id),
  });

  return app;
}
