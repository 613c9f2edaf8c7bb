// For the routes that validate their input by hand (webhooks, deliveries, message log): how they are
// declared and how they read `page`/`limit`.
import type { Context, Env, Handler, MiddlewareHandler } from "hono";
import type { OpenAPIHono, RouteConfig } from "@hono/zod-openapi";
import { fail, pageParams, PageQuery, validationError } from "../../lib/core/mod.ts";

/**
 * Documents `route` and mounts `handler` on its method and path, without the request validators that
 * `app.openapi` adds: for handlers that check their input by hand because the contract fixes the order
 * of their messages (e.g. "Webhook not found" before a bad body, "Invalid JSON body" for any non-JSON).
 * The declaration still sits beside its handler, so the document cannot drift from the code.
 */
export function documented<E extends Env>(app: OpenAPIHono<E>, route: RouteConfig, handler: Handler<E>) {
  const { middleware: listed, ...doc } = route;
  app.openAPIRegistry.registerPath(doc);
  const middleware = [listed ?? []].flat() as MiddlewareHandler<E>[];
  const path = route.path.replace(/\{(\w+)\}/g, ":$1");
  app.on([route.method.toUpperCase()], [path], ...middleware, handler);
}

/** `page`/`limit` of a paginated list (default 50, clamped to 100), checked when the handler reaches them. */
export function pageOf(query: Record<string, string>) {
  const q = PageQuery.safeParse(query);
  if (!q.success) throw validationError(q.error.issues);
  return pageParams(q.data);
}

/** The JSON object body of a hand-validated route; anything else (unparseable, an array) is the 400. */
export async function readObject(c: Context): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw fail("invalid_json");
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) throw fail("invalid_json");
  return body as Record<string, unknown>;
}
