// Body checks shared by the incident and maintenance routes (zod preprocessors answer catalogue codes).
import { z } from "@hono/zod-openapi";
import { type ErrorCode, type ErrorParams, refuseIssue } from "../../lib/core/mod.ts";

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

type Ctx = { issues: unknown[] };
/** A problem found in a body: the code to answer and its params. */
export type Problem = [ErrorCode, ErrorParams?];

/** `service_ids`, when present, must be positive integers (unknown ids are then ignored). */
export function serviceIdsProblem(value: unknown): Problem | null {
  if (value === undefined) return null;
  const ok = Array.isArray(value) && value.length <= 100 &&
    value.every((v) => Number.isSafeInteger(v) && (v as number) > 0);
  return ok ? null : ["service_ids_invalid"];
}

/** A value from a fixed list, named in the message like the contract does. */
export function choiceProblem(field: string, value: unknown, values: readonly string[]): Problem | null {
  return typeof value === "string" && values.includes(value)
    ? null
    : ["log_filter_choice", { field, values: values.join(", ") }];
}

/** A text field of at most `max` characters (when present). */
export function textProblem(field: string, value: unknown, max: number): Problem | null {
  if (value === undefined) return null;
  if (typeof value !== "string") return ["field_not_string", { field }];
  if (value.length > max) return ["field_too_long", { field, max }];
  if (value.includes("\0")) return ["nul_character"];
  return null;
}

/** Runs the checks in order inside a z.preprocess; the first problem becomes the answer. */
export function firstProblem(ctx: Ctx, problems: (() => Problem | null)[]): boolean {
  for (const check of problems) {
    const p = check();
    if (p) {
      refuseIssue(ctx, p[0], p[1]);
      return true;
    }
  }
  return false;
}

export const ServiceIds = z.array(z.number().int().positive()).optional()
  .openapi({
    description: "Affected services (ids from /admin/incidents/services); unknown ids are ignored",
  });

/** A non-empty string (after trimming) or nothing. */
export const present = (v: unknown) =>
  typeof v === "string" ? v.trim() !== "" : v !== undefined && v !== null;

/** An optional `?field=` filter from a fixed list (a bad value is the 400 naming the list). */
export const choiceQuery = <T extends string>(field: string, values: readonly [T, ...T[]]) =>
  z.preprocess((v, ctx) => {
    if (v === undefined) return v;
    const p = choiceProblem(field, v, values);
    return p ? refuseIssue(ctx, p[0], p[1]) : v;
  }, z.enum(values).optional());

/** A date field: an ISO 8601 date-time (zone-less = UTC), or null when it is not one. */
export function parseWhen(value: unknown): Date | null {
  if (typeof value !== "string" || value.length > 40) return null;
  const hasZone = /(Z|[+-]\d{2}(:?\d{2})?)$/i.test(value.slice(10));
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?/.test(value)) return null;
  const ms = Date.parse(value.replace(" ", "T") + (hasZone || value.length === 10 ? "" : "Z"));
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** A date field that, when present, must parse. */
export const dateProblem = (field: string, value: unknown): Problem | null =>
  value === undefined || parseWhen(value) ? null : ["log_filter_date", { field }];
