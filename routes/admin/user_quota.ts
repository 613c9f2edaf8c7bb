// GET/PUT /admin/users/{id}/quota: an admin reads or sets a user's daily and monthly message caps (null = no
// cap). Mounted inside adminUserRoutes, whose router applies the folder's middleware.
import { z } from "@hono/zod-openapi";
import {
  type AppDeps,
  type AuthEnv,
  createRouter,
  fail,
  idOr404,
  idPath,
  jsonContent,
  routeDocs,
} from "../../lib/core/mod.ts";
import { auditAs, findUser } from "../../lib/accounts/mod.ts";
import { requireScope } from "../../lib/auth/mod.ts";
import { quotaLimits, quotaUsage, setQuotaLimits } from "../../lib/messaging/mod.ts";
import { documented, readObject } from "../api/_manual.ts";
import { UsageSchema } from "../api/usage.ts";

const route = routeDocs({ tag: "Admin - Users", admin: true });
const params = idPath("2");
const Limit = z.number().int().min(1).nullable();
const QuotaBody = z.object({ daily_limit: Limit.optional(), monthly_limit: Limit.optional() });
const Quota = z.object({ daily_limit: Limit, monthly_limit: Limit, usage: UsageSchema }).openapi("UserQuota");
const MAX = { daily_limit: 100_000_000, monthly_limit: 1_000_000_000 };

/** A cap from the body: absent = keep `current`, null = none, else a positive integer (400 otherwise). */
function limitOf(body: Record<string, unknown>, field: keyof typeof MAX, current: number | null) {
  if (!(field in body)) return current;
  const v = body[field];
  if (v === null) return null;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > MAX[field]) {
    throw fail("quota_limit_invalid", { field });
  }
  return v;
}

/** The quota routes of one user. */
export function adminUserQuotaRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = createRouter<AuthEnv>();
  const view = async (id: number) => {
    const limits = await quotaLimits(sql, id);
    return { daily_limit: limits.daily, monthly_limit: limits.monthly, usage: await quotaUsage(deps, id) };
  };

  app.openapi(
    route({
      method: "get",
      path: "/{id}/quota",
      middleware: [requireScope("full", "read")],
      summary: "A user's message caps and usage",
      request: { params },
      responses: { 200: jsonContent(Quota, "Quota") },
      errors: { 404: ["user_not_found"] },
    }),
    async (c) => {
      const id = idOr404(c.req.valid("param").id, "user_not_found");
      if (!await findUser(sql, id)) throw fail("user_not_found");
      return c.json(await view(id), 200);
    },
  );

  // Checked by hand so each bad cap names its field (the generic validator would not).
  documented(
    app,
    route({
      method: "put",
      path: "/{id}/quota",
      middleware: [requireScope("full")],
      summary: "Set a user's daily and monthly message caps (null removes one; an absent field is kept)",
      request: { params, body: { content: { "application/json": { schema: QuotaBody } } } },
      responses: { 200: jsonContent(Quota, "The new quota") },
      errors: { 400: ["invalid_json", "quota_limit_invalid"], 404: ["user_not_found"] },
    }),
    async (c) => {
      const id = idOr404(c.req.param("id") ?? "", "user_not_found");
      const body = await readObject(c);
      const current = await quotaLimits(sql, id);
      const limits = {
        daily: limitOf(body, "daily_limit", current.daily),
        monthly: limitOf(body, "monthly_limit", current.monthly),
      };
      if (!await setQuotaLimits(sql, id, limits)) throw fail("user_not_found");
      await auditAs(sql, c.var.user, c.var.clientIp, {
        action: "user_quota_updated",
        resourceType: "user",
        resourceId: id,
        details: { daily_limit: limits.daily, monthly_limit: limits.monthly },
      });
      return c.json(await view(id), 200);
    },
  );
  return app;
}
