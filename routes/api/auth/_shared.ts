// Pieces shared by the /api/auth route modules: the router with the contract's 400 hook, documented
// bodies and answers, and the audit helper that stamps the request's user and address.
import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { type AppDeps, type AppEnv, badRequest } from "../../../lib/core/mod.ts";
import { audit, type AuditEntry } from "../../../lib/accounts/mod.ts";

/** Sub-apps do not inherit the root's defaultHook: a failing schema answers 400 with its own message. */
export const router = () =>
  new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw badRequest(result.error.issues[0]?.message ?? "Invalid request");
    },
  });

const ErrorBody = z.object({ error: z.string() });
export const Message = z.object({ message: z.string() });

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export const body = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

/** Documents error answers: `errors({ 400: "...", 401: "..." })`. */
export const errors = (codes: Record<number, string>) =>
  Object.fromEntries(Object.entries(codes).map(([code, d]) => [code, json(ErrorBody, d)]));

/** A required string field whose absence (or wrong type) answers `message`. */
export const requiredString = (message: string, max = 1024) =>
  z.string({ error: message }).min(1, message).max(max, message);

export const tags = ["Authentication"];
export const security = [{ apikey: [] }];

/** Writes an audit row for the authenticated user of the request (or `who`), with the client address. */
export function auditFor(
  deps: AppDeps,
  c: Context<AppEnv>,
  entry: Omit<AuditEntry, "userId" | "username" | "ip"> & { who?: { id: number; username: string } | null },
) {
  const who = entry.who === undefined ? c.get("user") : entry.who;
  const { who: _, ...rest } = entry;
  return audit(deps.sql, {
    ...rest,
    userId: who?.id ?? null,
    username: who?.username ?? null,
    ip: c.get("clientIp"),
  });
}
