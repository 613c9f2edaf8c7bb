// /api/contacts (contract §1.6): the caller's contact lists and their items, plus what the contract lacked:
// custom fields, a paginated item list, CSV import with a row-by-row report, and the WhatsApp check.
// Fixed: list names over 100 characters are a 400 (not a 500), adding items is all-or-nothing.
import type { Context } from "hono";
import { z } from "@hono/zod-openapi";
import {
  type AppDeps,
  type AuthEnv,
  fail,
  idOr404,
  jsonContent,
  pageInfo,
  routeDocs,
} from "../../lib/core/mod.ts";
import { requireScope } from "../../lib/auth/mod.ts";
import { assertReachable, isInstanceName, transportError } from "../../lib/gateway/mod.ts";
import {
  addContactItems,
  checkWhatsapp,
  type ContactItemRow,
  contactListItems,
  type ContactListRow,
  createContactList,
  deleteContactItem,
  deleteContactList,
  findContactList,
  importContacts,
  isNotConnected,
  LIST_NAME_MAX_CHARS,
  listContactLists,
  pageContactItems,
  parseContactsCsv,
  parseItemsBody,
  renameContactList,
} from "../../lib/messaging/mod.ts";
import { documented, pageOf, readObject } from "./_manual.ts";
import {
  CheckAnswer,
  ContactItem,
  ContactList,
  Deleted,
  ImportAnswer,
  ItemsPage,
} from "./_contacts_schemas.ts";
import { tenantRouter } from "./_middleware.ts";

const route = routeDocs({ tag: "Contacts" });
const read = [requireScope("full", "read")];
const listId = (raw: string | undefined) => idOr404(raw ?? "", "contact_list_not_found");

const iso = (d: Date | null) => d?.toISOString() ?? null;
const listView = (l: ContactListRow) => ({
  id: l.id,
  name: l.name,
  created_at: iso(l.created_at),
  updated_at: iso(l.updated_at),
});
const itemView = (i: ContactItemRow) => ({
  id: i.id,
  phone_number: i.phone_number,
  label: i.label,
  fields: i.fields,
  whatsapp: i.whatsapp,
  whatsapp_checked_at: iso(i.whatsapp_checked_at),
  created_at: iso(i.created_at),
});

async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    return undefined;
  }
}

/** The contract's `name` rule: a non-empty string ("name is required"), now also at most 100 characters. */
function listName(body: unknown): string {
  const name = (body as { name?: unknown } | undefined)?.name;
  if (typeof name !== "string" || name.trim() === "") throw fail("field_required", { field: "name" });
  if ([...name].length > LIST_NAME_MAX_CHARS) {
    throw fail("field_too_long", { field: "name", max: LIST_NAME_MAX_CHARS });
  }
  return name;
}

const Name = z.object({ name: z.string().openapi({ example: "Clientes" }) });
const body = (schema: z.ZodType) => ({ body: { content: { "application/json": { schema } } } });

/** /api/contacts* (mounted at /api/contacts). */
export function contactRoutes(deps: AppDeps) {
  const { sql } = deps;
  const app = tenantRouter(deps);
  const owned = async (c: Context<AuthEnv>, raw = c.req.param("id")) => {
    const list = await findContactList(sql, c.var.user.id, listId(raw));
    if (!list) throw fail("contact_list_not_found");
    return list;
  };

  documented(
    app,
    route({
      method: "get",
      path: "/",
      middleware: read,
      summary: "My contact lists with their item counts, most recently updated first",
      responses: { 200: jsonContent(z.object({ lists: z.array(ContactList) }), "Lists") },
    }),
    async (c) => {
      const lists = await listContactLists(sql, c.var.user.id);
      return c.json({ lists: lists.map((l) => ({ ...listView(l), item_count: l.item_count })) });
    },
  );

  documented(
    app,
    route({
      method: "post",
      path: "/",
      middleware: read,
      summary: "Create a contact list",
      request: body(Name),
      responses: { 201: jsonContent(z.object({ list: ContactList }), "The new list") },
      errors: { 400: ["field_required", "field_too_long"] },
    }),
    async (c) => {
      const list = await createContactList(sql, c.var.user.id, listName(await readJson(c)));
      return c.json({ list: listView(list) }, 201);
    },
  );

  documented(
    app,
    route({
      method: "get",
      path: "/{id}",
      middleware: read,
      summary: "One of my lists with every item, by id",
      responses: { 200: jsonContent(z.object({ list: ContactList }), "The list and its items") },
      errors: { 404: ["contact_list_not_found"] },
    }),
    async (c) => {
      const list = await owned(c);
      const items = await contactListItems(sql, list.id);
      return c.json({ list: { ...listView(list), items: items.map(itemView) } });
    },
  );

  documented(
    app,
    route({
      method: "put",
      path: "/{id}",
      middleware: read,
      summary: "Rename one of my lists",
      request: body(Name),
      responses: { 200: jsonContent(z.object({ list: ContactList }), "The renamed list") },
      errors: { 400: ["field_required", "field_too_long"], 404: ["contact_list_not_found"] },
    }),
    async (c) => {
      const name = listName(await readJson(c));
      const row = await renameContactList(sql, c.var.user.id, listId(c.req.param("id")), name);
      if (!row) throw fail("contact_list_not_found");
      return c.json({ list: { id: row.id, name: row.name, updated_at: iso(row.updated_at) } });
    },
  );

  documented(
    app,
    route({
      method: "delete",
      path: "/{id}",
      middleware: read,
      summary: "Delete one of my lists and its items",
      responses: { 200: jsonContent(Deleted, "Deleted") },
      errors: { 404: ["contact_list_not_found"] },
    }),
    async (c) => {
      const row = await deleteContactList(sql, c.var.user.id, listId(c.req.param("id")));
      if (!row) throw fail("contact_list_not_found");
      return c.json({ deleted: row });
    },
  );

  documented(
    app,
    route({
      method: "get",
      path: "/{id}/items",
      middleware: read,
      summary: "A page of a list's items, by id; `search` matches number or label, `whatsapp` the check",
      responses: { 200: jsonContent(ItemsPage, "Items") },
      errors: {
        400: ["page_invalid", "limit_invalid", "log_filter_choice"],
        404: ["contact_list_not_found"],
      },
    }),
    async (c) => {
      const list = await owned(c);
      const q = c.req.query();
      const { page, limit, offset } = pageOf(q);
      const whatsapp = q.whatsapp || undefined;
      if (whatsapp !== undefined && !["valid", "invalid", "unchecked"].includes(whatsapp)) {
        throw fail("log_filter_choice", { field: "whatsapp", values: "valid, invalid, unchecked" });
      }
      const filter = { search: q.search?.trim() || undefined, whatsapp: whatsapp as "valid" | undefined };
      const { items, total } = await pageContactItems(sql, list.id, filter, limit, offset);
      return c.json({ items: items.map(itemView), ...pageInfo(total, page, limit) });
    },
  );

  documented(
    app,
    route({
      method: "post",
      path: "/{id}/items",
      middleware: read,
      summary: "Add `{phone_number, label?, fields?}` or `{items: [...]}` to one of my lists (all or none)",
      responses: { 201: jsonContent(z.object({ items: z.array(ContactItem) }), "The inserted items") },
      errors: {
        400: "Invalid JSON body / Phone number must contain only digits (<phone>) / " +
          "Phone number must be between 8 and 20 digits (<phone>) / label must be at most 100 characters",
        404: ["contact_list_not_found"],
      },
    }),
    async (c) => {
      const list = await owned(c);
      const items = parseItemsBody(await readJson(c));
      const rows = await addContactItems(sql, c.var.user.id, list.id, items);
      if (!rows) throw fail("contact_list_not_found");
      return c.json({ items: rows.map(itemView) }, 201);
    },
  );

  documented(
    app,
    route({
      method: "delete",
      path: "/{id}/items/{itemId}",
      middleware: read,
      summary: "Remove one item from one of my lists",
      responses: { 200: jsonContent(z.object({ deleted: z.object({ id: z.number() }) }), "Deleted") },
      errors: { 404: ["contact_list_not_found", "contact_item_not_found"] },
    }),
    async (c) => {
      const id = listId(c.req.param("id"));
      const itemId = idOr404(c.req.param("itemId") ?? "", "contact_item_not_found");
      const result = await deleteContactItem(sql, c.var.user.id, id, itemId);
      if (result === "list") throw fail("contact_list_not_found");
      if (result === "item") throw fail("contact_item_not_found");
      return c.json({ deleted: result });
    },
  );

  documented(
    app,
    route({
      method: "post",
      path: "/{id}/import",
      middleware: read,
      summary: "Import a CSV file (the raw body) into one of my lists, with a report row by row",
      description: "UTF-8 with or without BOM, `,` or `;` separated, a header row, up to 50,000 rows. The " +
        "number column is found by its header (number, phone, telefono, celular, …) or named with " +
        "`number_column`; the name with `name_column` (else name, nombre, …); every other column becomes a " +
        "custom field ({{key}} in templates, the header in lower case with `_`). Numbers are normalised " +
        "(spaces, `+`, `-`, `.`, parentheses dropped); numbers already in the list or earlier in the file " +
        "are `duplicate`. A file that cannot be read as a whole is a 400 and stores nothing.",
      request: {
        query: z.object({ number_column: z.string().optional(), name_column: z.string().optional() }),
        body: { content: { "text/csv": { schema: z.string() } } },
      },
      responses: { 200: jsonContent(ImportAnswer, "What was imported, and each row's verdict") },
      errors: {
        400: [
          "csv_not_utf8",
          "csv_malformed",
          "csv_empty",
          "csv_too_many_rows",
          "csv_too_many_columns",
          "csv_no_number_column",
          "csv_column_missing",
        ],
        404: ["contact_list_not_found"],
      },
    }),
    async (c) => {
      const list = await owned(c);
      const mapping = {
        number: c.req.query("number_column") || undefined,
        name: c.req.query("name_column") || undefined,
      };
      const parsed = parseContactsCsv(new Uint8Array(await c.req.arrayBuffer()), mapping);
      const result = await importContacts(sql, c.var.user.id, list.id, parsed);
      if (!result) throw fail("contact_list_not_found");
      return c.json({ ...result, delimiter: parsed.delimiter, columns: parsed.columns });
    },
  );

  documented(
    app,
    route({
      method: "post",
      path: "/{id}/check",
      middleware: read,
      summary: "Ask WhatsApp (through one of my instances) which unchecked numbers of the list have it",
      description: "`{instance_name, limit?, recheck?}`: at most `limit` numbers this call (call again " +
        "until `remaining` is 0); `recheck: true` forgets earlier answers first.",
      responses: { 200: jsonContent(CheckAnswer, "Checked") },
      errors: {
        400: ["field_required", "invalid_json"],
        403: ["engine_instance_not_owned"],
        404: ["contact_list_not_found"],
        409: ["contact_check_not_connected"],
        502: ["engine_unavailable"],
      },
    }),
    async (c) => {
      const list = await owned(c);
      const { instance_name: instance, limit, recheck } = await readObject(c);
      if (typeof instance !== "string" || instance === "") {
        throw fail("field_required", { field: "instance_name" });
      }
      if (limit !== undefined && !(Number.isInteger(limit) && (limit as number) > 0)) {
        throw fail("limit_invalid");
      }
      if (!isInstanceName(instance)) throw fail("engine_instance_not_owned");
      await assertReachable(deps, c.var.user, c.var.apiKey, [instance]);
      try {
        return c.json(
          await checkWhatsapp(deps, list.id, instance, { limit: limit as number, recheck: recheck === true }),
        );
      } catch (err) {
        if (isNotConnected(err)) throw fail("contact_check_not_connected", { instance });
        throw transportError(err);
      }
    },
  );

  return app;
}
