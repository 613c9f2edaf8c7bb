// The body of POST /api/templates/{id}/preview: a sample contact given inline or by item id.
import { z } from "@hono/zod-openapi";
import { refuseIssue } from "../../lib/core/mod.ts";
import { contactFields, type TemplateVars } from "../../lib/messaging/mod.ts";

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

interface Sample {
  name?: string;
  number?: string;
  fields?: Record<string, unknown> | null;
}

/** `{contact?: {name?, number?, fields?}, contact_id?}`; an empty body previews with no values at all. */
export const PreviewBody = z.preprocess(
  (body, ctx) => {
    if (body === undefined || body === null) return {};
    if (!isObject(body)) return refuseIssue(ctx, "invalid_json");
    const { contact, contact_id: id } = body;
    if (id !== undefined && !(Number.isInteger(id) && (id as number) > 0)) {
      return refuseIssue(ctx, "field_not_positive_int", { field: "contact_id" });
    }
    if (contact === undefined || contact === null) return { contact_id: id };
    if (!isObject(contact)) return refuseIssue(ctx, "contact_sample_invalid");
    for (const field of ["name", "number"] as const) {
      if (contact[field] !== undefined && typeof contact[field] !== "string") {
        return refuseIssue(ctx, "field_not_string", { field: `contact.${field}` });
      }
    }
    if (contact.fields != null && !isObject(contact.fields)) {
      return refuseIssue(ctx, "contact_fields_invalid");
    }
    return { contact, contact_id: id };
  },
  z.object({
    contact: z.object({
      name: z.string().optional(),
      number: z.string().optional(),
      fields: z.record(z.string(), z.unknown()).nullable().optional(),
    }).optional().openapi({
      example: { name: "Ana", number: "595981000111", fields: { ciudad: "Asunción" } },
    }),
    contact_id: z.number().int().optional(),
  }),
).openapi("TemplatePreview");

/** The renderer's values for an inline sample (its fields checked like a contact's). */
export function previewVars(sample: Sample | undefined): TemplateVars {
  if (!sample) return {};
  return { ...contactFields(sample.fields), name: sample.name, number: sample.number };
}
