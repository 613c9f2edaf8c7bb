// /api/templates (contract §1.6): the caller's message templates. Fixed: lengths are validated on update
// as on create, JSON null is "missing" rather than text, and page/limit garbage is a 400. Added: every
// answer lists the `variables` a template uses, and POST /{id}/preview renders it for a sample contact.
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
import { requireScope, touchUserViews, userView, viewResponse } from "../../lib/auth/mod.ts";
import { tenantRouter } from "./_middleware.ts";
import {
  contactVars,
  CONTENT_MAX_BYTES,
  createTemplate,
  deleteTemplate,
  findContactItem,
  findTemplate,
  lengthProblem,
  listTemplates,
  NAME_MAX_BYTES,
  renderTemplate,
  type TemplateRow,
  templateVariables,
  updateTemplate,
} from "../../lib/messaging/mod.ts";
import { PreviewBody, previewVars } from "./_template_preview.ts";

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const nameDoc = z.string().openapi({
  description: `1-${NAME_MAX_BYTES} bytes (UTF-8)`,
  example: "Bienvenida",
});
const contentDoc = z.string().openapi({
  description: `1-${CONTENT_MAX_BYTES} bytes (UTF-8); placeholders like {{name}} are stored verbatim`,
  example: "Hola {{name}}, *gracias* por escribirnos.",
});

/** POST body, checked in the contract's order: missing first, then type, then byte lengths. */
const CreateTemplateBody = z.preprocess(
  (body, ctx) => {
    if (!isObject(body)) return refuseIssue(ctx, "invalid_json");
    if (body.name == null || body.content == null) return refuseIssue(ctx, "template_fields_required");
    for (const field of ["name", "content"] as const) {
      const value = body[field];
      if (typeof value !== "string") return refuseIssue(ctx, "field_required", { field });
      const problem = lengthProblem(field, value);
      if (problem) return refuseIssue(ctx, problem.code, problem.params);
    }
    return body;
  },
  z.object({ name: nameDoc, content: contentDoc }),
).openapi("CreateTemplate");

/** PUT body: any of the two fields, each held to the create rules. */
const UpdateTemplateBody = z.preprocess(
  (body, ctx) => {
    if (!isObject(body)) return refuseIssue(ctx, "invalid_json");
    for (const field of ["name", "content"] as const) {
      const value = body[field];
      if (value === undefined) continue;
      if (typeof value !== "string") return refuseIssue(ctx, "field_not_string", { field });
      const problem = lengthProblem(field, value);
      if (problem) return refuseIssue(ctx, problem.code, problem.params);
    }
    if (body.name === undefined && body.content === undefined) return refuseIssue(ctx, "no_fields_to_update");
    return body;
  },
  z.object({ name: nameDoc.optional(), content: contentDoc.optional() }),
).openapi("UpdateTemplate");

const TemplateSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  content: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  variables: z.array(z.string()).openapi({
    description:
      "The variables the content uses, in order of first use ({{name}}, {{number}}, custom fields)",
    example: ["name"],
  }),
}).openapi("Template");

const route = routeDocs({ tag: "Templates" });
const idParams = idPath("1");

const view = (t: TemplateRow) => ({
  id: t.id,
  name: t.name,
  content: t.content,
  created_at: t.created_at.toISOString(),
  updated_at: t.updated_at.toISOString(),
  variables: templateVariables(t.content),
});

/** /api/templates and /api/templates/{id} (mounted at /api/templates). */
export function templateRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = tenantRouter(deps);
  const scope = [requireScope("full", "read")];

  app.openapi(
    route({
      method: "get",
      path: "/",
      middleware: scope,
      summary: "My templates, most recently updated first (paginated)",
      request: { query: PageQuery },
      responses: {
        200: jsonContent(z.object({ templates: z.array(TemplateSchema), ...PageInfo }), "Templates"),
      },
      errors: { 400: ["page_invalid", "limit_invalid"] },
    }),
    async (c) => {
      // From memory until one of the user's templates changes (user_views.ts).
      const paging = pageParams(c.req.valid("query"));
      const body = await userView(deps, c.var.user, `templates ${paging.page} ${paging.limit}`, async () => {
        const { templates, ...page } = await onePage(
          paging,
          ({ limit, offset }) => listTemplates(sql, c.var.user.id, limit, offset),
        );
        return { templates: templates.map(view), ...page };
      });
      return viewResponse(c, body);
    },
  );

  app.openapi(
    route({
      method: "post",
      path: "/",
      middleware: scope,
      summary: "Create a template",
      request: { body: jsonBody(CreateTemplateBody) },
      responses: { 201: jsonContent(z.object({ template: TemplateSchema }), "The new template") },
      errors: {
        400: "Invalid JSON body / name and content are required / name is required / " +
          "name must be at least 1 characters / " +
          "name must be at most 100 characters / content must be at most 5000 characters",
      },
    }),
    async (c) => {
      const b = c.req.valid("json");
      const row = await createTemplate(sql, c.var.user.id, b.name, b.content);
      await touchUserViews(deps, c.var.user.id);
      return c.json({ template: view(row) }, 201);
    },
  );

  app.openapi(
    route({
      method: "put",
      path: "/{id}",
      middleware: scope,
      summary: "Change the name and/or content of one of my templates",
      request: { params: idParams, body: jsonBody(UpdateTemplateBody) },
      responses: { 200: jsonContent(z.object({ template: TemplateSchema }), "The updated template") },
      errors: { 400: "No fields to update / length messages as on create", 404: ["template_not_found"] },
    }),
    async (c) => {
      const id = idOr404(c.req.valid("param").id, "template_not_found");
      const b = c.req.valid("json");
      if (b.name === undefined && b.content === undefined) throw fail("no_fields_to_update");
      const row = await updateTemplate(sql, c.var.user.id, id, b);
      if (!row) throw fail("template_not_found");
      await touchUserViews(deps, c.var.user.id);
      return c.json({ template: view(row) }, 200);
    },
  );

  app.openapi(
    route({
      method: "delete",
      path: "/{id}",
      middleware: scope,
      summary: "Delete one of my templates",
      request: { params: idParams },
      responses: {
        200: jsonContent(
          z.object({ deleted: z.object({ id: z.number().int(), name: z.string() }) }),
          "Deleted",
        ),
      },
      errors: { 404: ["template_not_found"] },
    }),
    async (c) => {
      const id = idOr404(c.req.valid("param").id, "template_not_found");
      const row = await deleteTemplate(sql, c.var.user.id, id);
      if (!row) throw fail("template_not_found");
      await touchUserViews(deps, c.var.user.id);
      return c.json({ deleted: row }, 200);
    },
  );

  app.openapi(
    route({
      method: "post",
      path: "/{id}/preview",
      middleware: scope,
      summary: "Render one of my templates for a sample contact",
      description: "Body `{contact: {name?, number?, fields?}}` or `{contact_id}` (an item of one of my " +
        "contact lists). Variables without a value or fallback are listed in `unknown` and left out of " +
        "`text` (never raw braces).",
      request: { params: idParams, body: jsonBody(PreviewBody) },
      responses: {
        200: jsonContent(
          z.object({ text: z.string(), variables: z.array(z.string()), unknown: z.array(z.string()) }),
          "The rendered text",
        ),
      },
      errors: {
        400: "Invalid JSON body / contact rules",
        404: ["template_not_found", "contact_item_not_found"],
      },
    }),
    async (c) => {
      const id = idOr404(c.req.valid("param").id, "template_not_found");
      const tpl = await findTemplate(sql, c.var.user.id, id);
      if (!tpl) throw fail("template_not_found");
      const b = c.req.valid("json");
      let vars = previewVars(b.contact);
      if (b.contact_id !== undefined) {
        const item = await findContactItem(sql, c.var.user.id, b.contact_id);
        if (!item) throw fail("contact_item_not_found");
        vars = contactVars(item);
      }
      const { text, unknown } = renderTemplate(tpl.content, vars);
      return c.json({ text, variables: templateVariables(tpl.content), unknown }, 200);
    },
  );

  return app;
}
