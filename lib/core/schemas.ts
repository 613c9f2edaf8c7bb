/**
 * The one set of building blocks for JSON route modules: the router with the 400 hook, the error body,
 * the per-area route declarer (`routeDocs`) and request/response wrappers, validated pagination (and the
 * page envelope, `onePage`) and numeric path ids.
 */
import { createRoute, OpenAPIHono, type RouteConfig, z } from "@hono/zod-openapi";
import type { Env } from "hono";
import type { AppEnv } from "./app_env.ts";
import { type ErrorCode, type ErrorParams, errorText, fail, isErrorCode } from "./errors.ts";

/**
 * The zod message for a rule: the catalogue code itself, which the router's hook turns into the
 * catalogue's status and text (`z.string({ error: issue("username_required") })`).
 */
export const issue = (code: ErrorCode): string => code;

/**
 * Adds a custom zod issue naming a catalogue code and its params (`{field}`, `{max}`) from inside a
 * `z.preprocess`/`superRefine`; the router's hook answers it. Returns z.NEVER for the caller to return.
 */
export function refuseIssue(ctx: { issues: unknown[] }, code: ErrorCode, params?: ErrorParams): never {
  (ctx.issues as { code: string; message: string; params?: ErrorParams; input: unknown }[]).push({
    code: "custom",
    message: code,
    params,
    input: undefined,
  });
  return z.NEVER;
}

/**
 * A failed schema → the catalogue error its first issue names (a custom issue may carry the code's
 * `params`), else the generic 400.
 */
export function validationError(issues: readonly { message: string; params?: unknown }[]) {
  const first = issues[0];
  if (first && isErrorCode(first.message)) {
    return fail(first.message, first.params as ErrorParams | undefined);
  }
  return fail("invalid_request");
}

/**
 * A route module's router. Sub-apps do not inherit the root app's defaultHook, so each gets the same
 * one. `E` is the request state its middleware guarantees (AuthEnv behind requireAuth).
 */
export const createRouter = <E extends Env = AppEnv>() =>
  new OpenAPIHono<E>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error.issues);
    },
  });

export const ErrorBody = z.object({ error: z.string(), code: z.string() }).openapi("Error");

/** A JSON response entry for `createRoute({ responses })`. */
export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/**
 * A documented error answer: the catalogue codes it may carry (described by their texts, joined with
 * " / "), or a free description where no list of codes says it ("Validation failed").
 */
export type ErrorDoc = readonly ErrorCode[] | string;

/** The catalogue texts of several codes as one error description ("Template not found / …"). */
export const errorTexts = (codes: readonly ErrorCode[]) => codes.map((code) => errorText(code)).join(" / ");

/** Documented error answers, e.g. `errorResponses({ 400: "Validation failed", 404: ["user_not_found"] })`. */
export function errorResponses(docs: Record<number, ErrorDoc>) {
  return Object.fromEntries(
    Object.entries(docs).map(([status, doc]) => [
      status,
      jsonContent(ErrorBody, typeof doc === "string" ? doc : errorTexts(doc)),
    ]),
  );
}

/** A required JSON request body for `createRoute({ request: { body } })`. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

/** The standard 401/403 answers of an authenticated (and optionally admin-only) route. */
const authErrorDocs = (admin: boolean): Record<number, ErrorDoc> => ({
  401: ["missing_apikey", "invalid_session"],
  403: admin ? ["account_disabled", "admin_required"] : ["account_disabled"],
});

/** A route as an area declares it: no tags or security (the area adds them), errors by status. */
export type AreaRoute = Omit<RouteConfig, "tags" | "security"> & {
  /** Documented error answers by status, over the area's own (`{ 404: ["user_not_found"] }`). */
  errors?: Record<number, ErrorDoc>;
};

/**
 * The `createRoute` of one documented area: every route gets the area's tag and, unless the area is
 * public, the `apikey` security and the standard 401/403 answers (admin-only: "Admin access required").
 * `errors` replaces those defaults for an area whose middleware answers otherwise (/api/auth). A route's
 * `errors` and `responses` override the area's entries of the same status.
 */
export function routeDocs(
  area: { tag: string; admin?: boolean; public?: boolean; errors?: Record<number, ErrorDoc> },
) {
  const tags = [area.tag];
  const security = area.public ? undefined : [{ apikey: [] }];
  const areaErrors = area.errors ?? (area.public ? {} : authErrorDocs(area.admin ?? false));
  // Typed as the route's own responses: handlers throw their errors (the mapper answers them), so only
  // the declared success answers constrain what a handler may return with `c.json`.
  return <P extends string, R extends AreaRoute & { path: P }>(route: R): Omit<R, "errors"> => {
    const { method, path, errors, responses, ...rest } = route;
    return createRoute({
      method,
      path,
      tags,
      ...(security && { security }),
      ...rest,
      responses: { ...errorResponses({ ...areaErrors, ...errors }), ...responses },
    }) as unknown as Omit<R, "errors">;
  };
}

export const MAX_PAGE_LIMIT = 100;
const positive = /^(?!0+$)[0-9]{1,9}$/;

/** `page` (default 1) and `limit` (default 50, above 100 clamped to 100); anything else is a 400. */
export const PageQuery = z.object({
  page: z.string().regex(positive, issue("page_invalid")).optional()
    .openapi({ param: { name: "page", in: "query" }, example: "1" }),
  limit: z.string().regex(positive, issue("limit_invalid")).optional()
    .openapi({ param: { name: "limit", in: "query" }, example: "50" }),
});

/** The numbers behind a validated PageQuery. */
export function pageParams(q: { page?: string; limit?: string }, defaultLimit = 50) {
  const page = q.page === undefined ? 1 : Number(q.page);
  const limit = Math.min(q.limit === undefined ? defaultLimit : Number(q.limit), MAX_PAGE_LIMIT);
  return { page, limit, offset: (page - 1) * limit };
}

/** The contract's pagination envelope fields. */
export const pageInfo = (total: number, page: number, limit: number) => ({
  total,
  page,
  limit,
  pages: Math.ceil(total / limit),
});

/**
 * Page `page` of a list, `limit` rows a page: `fetch` reads that window and counts every row; the answer
 * is its rows with the envelope (`{ users, total, page, limit, pages }`). The API and the panel pages
 * answer their lists with it.
 */
export async function onePage<T extends { total: number }>(
  { page, limit }: { page: number; limit: number },
  fetch: (window: { limit: number; offset: number }) => Promise<T>,
): Promise<Omit<T, "total"> & ReturnType<typeof pageInfo>> {
  const { total, ...rows } = await fetch({ limit, offset: (page - 1) * limit });
  return { ...rows, ...pageInfo(total, page, limit) };
}

export const PageInfo = {
  total: z.number().int(),
  page: z.number().int(),
  limit: z.number().int(),
  pages: z.number().int(),
};

/** A positive bigint id from a path segment, or null when the text cannot name a row. */
export function parseId(raw: string): number | null {
  if (!/^[0-9]{1,15}$/.test(raw)) return null;
  const id = Number(raw);
  return id >= 1 ? id : null;
}

/** parseId or a 404 with the resource's own message (an id that cannot exist names nothing). */
export function idOr404(raw: string, code: ErrorCode): number {
  const id = parseId(raw);
  if (id === null) throw fail(code);
  return id;
}

/** Escapes LIKE/ILIKE wildcards so a search term matches literally (used with `ESCAPE '\'`). */
export const escapeLike = (term: string) => term.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** A required string field whose absence (or wrong type) answers `code`. */
export const requiredString = (code: ErrorCode, max = 1024) =>
  z.string({ error: issue(code) }).min(1, issue(code)).max(max, issue(code));

/** A path parameter documented for OpenAPI. */
export const pathParam = (name: string, example: string) =>
  z.string().openapi({ param: { name, in: "path" }, example });

/** The `{id}` path parameters of a route on one row. */
export const idPath = (example: string) => z.object({ id: pathParam("id", example) });
