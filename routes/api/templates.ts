// /api/templates (contract §1.6): the caller's message templates. Fixed: lengths are validated on update
// as on create, JSON null is "missing" rather than text, and page/limit garbage is a 400.
import { createRoute, z } from "@hono/zod-openapi";
import {
  type AppDeps,
  authErrors,
  badRequest,
  createRouter,
  errorResponses,
  idOr404,
  jsonBody,
  jsonContent,
  notFound,
  PageInfo,
  pageInfo,
  pageParams,
  PageQuery,
  pathParam,
} from "../../lib/core/mod.ts";
import { requireAuth, requireScope } from "../../lib/auth/mod.ts";
import {
  CONTENT_MAX_BYTES,
  createTemplate,
  deleteTemplate,
  lengthProblem,
  listTemplates,
  NAME_MAX_BYTES,
  type TemplateRow,
  updateTemplate,
} from "../../lib/messaging/mod.ts";

const NOT_FOUND = "Template not found";
const REQUIRED = "name and content are required";

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A custom zod issue with the contract's message; the defaultHook answers it as a 400. */
const fail = (ctx: { issues: unknown[] }, message: string, input: unknown) => {
  (ctx.issues as { code: string; message: string; input: unknown }[]).push({
    code: "custom",
    message,
    input,
  });
  return z.NEVER;
};

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
    if (!isObject(body)) return fail(ctx, "Invalid JSON body", body);
    if (body.name == null || body.content == null) return fail(ctx, REQUIRED, body);
    for (const field of ["name", "content"] as const) {
      const value = body[field];
      if (typeof value !== "string") return fail(ctx, `${field} is required`, body);
      const problem = lengthProblem(field, value);
      if (problem) return fail(ctx, problem, body);
    }
    return body;
  },
  z.object({ name: nameDoc, content: contentDoc }),
).openapi("CreateTemplate");

/** PUT body: any of the two fields, each held to the create rules. */
const UpdateTemplateBody = z.preprocess(
  (body, ctx) => {
    if (!isObject(body)) return fail(ctx, "Invalid JSON body", body);
    for (const field of ["name", "content"] as const) {
      const value = body[field];
      if (value === undefined) continue;
      if (typeof value !== "string") return fail(ctx, `${field} must be a string`, body);
      const problem = lengthProblem(field, value);
      if (problem) return fail(ctx, problem, body);
    }
    if (body.name === undefined && body.content === undefined) return fail(ctx, "No fields to update", body);
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
}).openapi("Template");

const tags = ["Templates"];
const security = [{ apikey: [] }];
const idParams = z.object({ id: pathParam("id", "1") });

const view = (t: TemplateRow) => ({
  id: t.id,
  name: t.name,
  content: t.content,
  created_at: t.created_at.toISOString(),
  updated_at: t.updated_at.toISOString(),
});

/** Mounts /api/templates and /api/templates/{id}. */
export function templateRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = createRouter();
  const auth = [requireAuth(deps), requireScope("full", "read")];

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/templates",
      tags,
      security,
      middleware: auth,
      summary: "My templates, most recently updated first (paginated)",
      request: { query: PageQuery },
      responses: {
        200: jsonContent(z.object({ templates: z.array(TemplateSchema), ...PageInfo }), "Templates"),
        ...errorResponses({ 400: "page must be a positive integer / limit must be a positive integer" }),
        ...authErrors(false),
      },
    }),
    async (c) => {
      const { page, limit, offset } = pageParams(c.req.valid("query"));
      const { templates, total } = await listTemplates(sql, c.var.user!.id, limit, offset);
      return c.json({ templates: templates.map(view), ...pageInfo(total, page, limit) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/api/templates",
      tags,
      security,
      middleware: auth,
      summary: "Create a template",
      request: { body: jsonBody(CreateTemplateBody) },
      responses: {
        201: jsonContent(z.object({ template: TemplateSchema }), "The new template"),
        ...errorResponses({
          400: `Invalid JSON body / ${REQUIRED} / name is required / name must be at least 1 characters / ` +
            "name must be at most 100 characters / content must be at most 5000 characters",
        }),
        ...authErrors(false),
      },
    }),
    async (c) => {
      const b = c.req.valid("json");
      const row = await createTemplate(sql, c.var.user!.id, b.name, b.content);
      return c.json({ template: view(row) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/api/templates/{id}",
      tags,
      security,
      middleware: auth,
      summary: "Change the name and/or content of one of my templates",
      request: { params: idParams, body: jsonBody(UpdateTemplateBody) },
      responses: {
        200: jsonContent(z.object({ template: TemplateSchema }), "The updated template"),
        ...errorResponses({ 400: "No fields to update / length messages as on create", 404: NOT_FOUND }),
        ...authErrors(false),
      },
    }),
    async (c) => {
      const id = idOr404(c.req.valid("param").id, NOT_FOUND);
      const b = c.req.valid("json");
      if (b.name === undefined && b.content === undefined) throw badRequest("No fields to update");
      const row = await updateTemplate(sql, c.var.user!.id, id, b);
      if (!row) throw notFound(NOT_FOUND);
      return c.json({ template: view(row) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/api/templates/{id}",
      tags,
      security,
      middleware: auth,
      summary: "Delete one of my templates",
      request: { params: idParams },
      responses: {
        200: jsonContent(
          z.object({ deleted: z.object({ id: z.number().int(), name: z.string() }) }),
          "Deleted",
        ),
        ...errorResponses({ 404: NOT_FOUND }),
        ...authErrors(false),
      },
    }),
    async (c) => {
      const id = idOr404(c.req.valid("param").id, NOT_FOUND);
      const row = await deleteTemplate(sql, c.var.user!.id, id);
      if (!row) throw notFound(NOT_FOUND);
      return c.json({ deleted: row }, 200);
    },
  );

  return app;
}
