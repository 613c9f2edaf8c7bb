// The OpenAPI shapes of /api/contacts (routes/api/contacts.ts), kept apart so the route file stays a list
// of handlers.
import { z } from "@hono/zod-openapi";

export const ContactItem = z.object({
  id: z.number().int(),
  phone_number: z.string(),
  label: z.string(),
  fields: z.record(z.string(), z.string()).openapi({ example: { ciudad: "Asunción" } }),
  whatsapp: z.enum(["valid", "invalid"]).nullable().openapi({ description: "null = not checked yet" }),
  whatsapp_checked_at: z.string().nullable(),
  created_at: z.string(),
}).openapi("ContactItem");

export const ContactList = z.object({
  id: z.number().int(),
  name: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
  item_count: z.number().int().optional(),
  items: z.array(ContactItem).optional(),
}).openapi("ContactList");

export const Deleted = z.object({ deleted: z.object({ id: z.number().int(), name: z.string() }) });

export const ItemsPage = z.object({
  items: z.array(ContactItem),
  total: z.number().int(),
  page: z.number().int(),
  limit: z.number().int(),
  pages: z.number().int(),
});

const RowReport = z.object({
  row: z.number().int().openapi({ description: "Record number in the file; the header is row 1" }),
  status: z.enum(["accepted", "duplicate", "invalid"]),
  phone_number: z.string(),
  code: z.string().optional().openapi({ description: "Why not accepted (error catalogue code)" }),
  reason: z.string().optional(),
});

export const ImportAnswer = z.object({
  total: z.number().int(),
  accepted: z.number().int(),
  duplicates: z.number().int(),
  invalid: z.number().int(),
  delimiter: z.enum([",", ";"]),
  columns: z.object({ number: z.string(), name: z.string().nullable(), fields: z.array(z.string()) }),
  report: z.array(RowReport),
}).openapi("ContactImport");

export const CheckAnswer = z.object({
  checked: z.number().int(),
  valid: z.number().int(),
  invalid: z.number().int(),
  remaining: z.number().int(),
}).openapi("ContactCheck");
