// Contact lists (contract §1.6): a user's named lists of numbers, each item with a label, custom fields
// (jsonb, from a CSV import or the API) and the WhatsApp check's verdict. Every query is scoped to the
// owner: another user's list is "not found". Fixed: adding items is all-or-nothing (one INSERT) and a CSV
// import is one transaction, so a bad request changes nothing.
import type postgres from "postgres";
import type { AppDeps, Sql } from "../core/mod.ts";
import { EvolutionError } from "../gateway/mod.ts";
import { type CsvContact, duplicate, type ParsedCsv, type RowReport } from "./csv_import.ts";
import type { TemplateVars } from "./render.ts";

export const LIST_NAME_MAX_CHARS = 100;
export const LABEL_MAX_CHARS = 100;
export const MAX_CUSTOM_FIELDS = 50;
/** Numbers per chat/whatsappNumbers call: small enough for the engine's answer time, few round trips. */
export const WHATSAPP_CHECK_BATCH = 50;

export interface ContactListRow {
  id: number;
  name: string;
  created_at: Date;
  updated_at: Date;
}

export interface ContactItemRow {
  id: number;
  phone_number: string;
  label: string;
  fields: Record<string, string>;
  whatsapp: "valid" | "invalid" | null;
  whatsapp_checked_at: Date | null;
  created_at: Date;
}

export interface NewContactItem {
  phone_number: string;
  label: string;
  fields: Record<string, string>;
}

/** A pool or a transaction: the helpers below run in either. */
type Q = Sql | postgres.TransactionSql;

const ITEM_COLUMNS = [
  "id",
  "phone_number",
  "label",
  "fields",
  "whatsapp",
  "whatsapp_checked_at",
  "created_at",
];

/** The user's lists with their item counts, most recently updated first (not paginated, as the contract). */
export function listContactLists(
  sql: Sql,
  userId: number,
): Promise<(ContactListRow & { item_count: number })[]> {
  return sql<(ContactListRow & { item_count: number })[]>`
    SELECT l.id, l.name, l.created_at, l.updated_at,
           (SELECT count(*)::int FROM taguato.contact_list_items i WHERE i.list_id = l.id) AS item_count
    FROM taguato.contact_lists l WHERE l.user_id = ${userId}
    ORDER BY l.updated_at DESC, l.id DESC`;
}

/** Creates an empty list for the user. */
export async function createContactList(sql: Sql, userId: number, name: string): Promise<ContactListRow> {
  const [row] = await sql<ContactListRow[]>`
    INSERT INTO taguato.contact_lists (user_id, name) VALUES (${userId}, ${name})
    RETURNING id, name, created_at, updated_at`;
  return row;
}

/** The user's list, or null when it is not theirs. */
export async function findContactList(sql: Sql, userId: number, id: number): Promise<ContactListRow | null> {
  const [row] = await sql<ContactListRow[]>`
    SELECT id, name, created_at, updated_at FROM taguato.contact_lists WHERE id = ${id} AND user_id = ${userId}`;
  return row ?? null;
}

/** Every item of a list, by id (GET /api/contacts/{id}). */
export function contactListItems(sql: Sql, listId: number): Promise<ContactItemRow[]> {
  return sql<ContactItemRow[]>`
    SELECT ${sql(ITEM_COLUMNS)} FROM taguato.contact_list_items WHERE list_id = ${listId} ORDER BY id`;
}

export interface ItemFilter {
  /** Part of the number or the label. */
  search?: string;
  whatsapp?: "valid" | "invalid" | "unchecked";
}

/** One page of a list's items, by id, filtered, and the filtered total. */
export async function pageContactItems(
  sql: Sql,
  listId: number,
  filter: ItemFilter,
  limit: number,
  offset: number,
): Promise<{ items: ContactItemRow[]; total: number }> {
  const like = filter.search ? `%${filter.search.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%` : null;
  const where = sql`list_id = ${listId}
    AND (${like}::text IS NULL OR phone_number LIKE ${like} OR label ILIKE ${like})
    AND (${filter.whatsapp ?? null}::text IS NULL
         OR (${filter.whatsapp === "unchecked"} AND whatsapp IS NULL) OR whatsapp = ${
    filter.whatsapp ?? null
  })`;
  const [{ total }] = await sql<{ total: number }[]>`
    SELECT count(*)::int AS total FROM taguato.contact_list_items WHERE ${where}`;
  const items = await sql<ContactItemRow[]>`
    SELECT ${sql(ITEM_COLUMNS)} FROM taguato.contact_list_items WHERE ${where}
    ORDER BY id LIMIT ${limit} OFFSET ${offset}`;
  return { items, total };
}

/** Renames the user's list; null when it is not theirs. */
export async function renameContactList(
  sql: Sql,
  userId: number,
  id: number,
  name: string,
): Promise<ContactListRow | null> {
  const [row] = await sql<ContactListRow[]>`
    UPDATE taguato.contact_lists SET name = ${name}, updated_at = now()
    WHERE id = ${id} AND user_id = ${userId} RETURNING id, name, created_at, updated_at`;
  return row ?? null;
}

/** Deletes the user's list and its items; its id and name, or null when it is not theirs. */
export async function deleteContactList(
  sql: Sql,
  userId: number,
  id: number,
): Promise<{ id: number; name: string } | null> {
  const [row] = await sql<{ id: number; name: string }[]>`
    DELETE FROM taguato.contact_lists WHERE id = ${id} AND user_id = ${userId} RETURNING id, name`;
  return row ?? null;
}

/** Inserts items in one statement (all or none) and touches the list; the inserted rows, by id. */
async function insertItems(sql: Q, listId: number, items: NewContactItem[]): Promise<ContactItemRow[]> {
  if (items.length === 0) return [];
  const rows = await sql<ContactItemRow[]>`
    INSERT INTO taguato.contact_list_items (list_id, phone_number, label, fields)
    SELECT ${listId}, r.phone_number, r.label, r.fields
    FROM ROWS FROM (jsonb_to_recordset(${JSON.stringify(items)}::text::jsonb)
      AS (phone_number text, label text, fields jsonb)) WITH ORDINALITY AS r(phone_number, label, fields, ord)
    ORDER BY r.ord
    RETURNING ${sql(ITEM_COLUMNS)}`;
  await sql`UPDATE taguato.contact_lists SET updated_at = now() WHERE id = ${listId}`;
  return rows.sort((a, b) => a.id - b.id);
}

/** Adds validated items to the user's list; null when the list is not theirs. */
export function addContactItems(
  sql: Sql,
  userId: number,
  listId: number,
  items: NewContactItem[],
): Promise<ContactItemRow[] | null> {
  return sql.begin(async (tx) => {
    if (!await lockList(tx, userId, listId)) return null;
    return await insertItems(tx, listId, items);
  });
}

async function lockList(sql: Q, userId: number, listId: number): Promise<boolean> {
  const [row] = await sql`
    SELECT id FROM taguato.contact_lists WHERE id = ${listId} AND user_id = ${userId} FOR UPDATE`;
  return row !== undefined;
}

/** Deletes one item of the user's list: its id, or which of the two was not found. */
export function deleteContactItem(
  sql: Sql,
  userId: number,
  listId: number,
  itemId: number,
): Promise<{ id: number } | "list" | "item"> {
  return sql.begin(async (tx) => {
    if (!await lockList(tx, userId, listId)) return "list" as const;
    const [row] = await tx<{ id: number }[]>`
      DELETE FROM taguato.contact_list_items WHERE id = ${itemId} AND list_id = ${listId} RETURNING id`;
    if (!row) return "item" as const;
    await tx`UPDATE taguato.contact_lists SET updated_at = now() WHERE id = ${listId}`;
    return row;
  });
}

export interface ImportResult {
  total: number;
  accepted: number;
  duplicates: number;
  invalid: number;
  report: RowReport[];
}

/**
 * Stores a parsed CSV in the user's list in one transaction (the list row locked, so two imports into one
 * list cannot both add a number): numbers already in the list become `duplicate` verdicts. Null when the
 * list is not theirs.
 */
export function importContacts(
  sql: Sql,
  userId: number,
  listId: number,
  parsed: ParsedCsv,
): Promise<ImportResult | null> {
  return sql.begin(async (tx) => {
    if (!await lockList(tx, userId, listId)) return null;
    const phones = parsed.contacts.map((c) => c.phone_number);
    const present = new Set(
      (await tx<{ phone_number: string }[]>`
        SELECT DISTINCT phone_number FROM taguato.contact_list_items
        WHERE list_id = ${listId} AND phone_number = ANY(${phones}::text[])`).map((r) => r.phone_number),
    );
    const fresh: CsvContact[] = parsed.contacts.filter((c) => !present.has(c.phone_number));
    await insertItems(
      tx,
      listId,
      fresh.map(({ phone_number, label, fields }) => ({ phone_number, label, fields })),
    );
    const report = parsed.report.map((r) =>
      r.status === "accepted" && present.has(r.phone_number)
        ? duplicate(r.row, r.phone_number, "csv_duplicate_in_list")
        : r
    );
    const count = (status: RowReport["status"]) => report.filter((r) => r.status === status).length;
    return {
      total: report.length,
      accepted: count("accepted"),
      duplicates: count("duplicate"),
      invalid: count("invalid"),
      report,
    };
  });
}

export interface CheckResult {
  checked: number;
  valid: number;
  invalid: number;
  /** Items of the list still unchecked after this call. */
  remaining: number;
}

type CheckDeps = Pick<AppDeps, "sql" | "evolution">;

/** Saves the verdicts of one batch; a number the engine left out of its answer counts as invalid. */
async function saveVerdicts(sql: Q, listId: number, numbers: string[], valid: Set<string>) {
  await sql`
    UPDATE taguato.contact_list_items i
    SET whatsapp = CASE WHEN i.phone_number = ANY(${[...valid]}::text[]) THEN 'valid' ELSE 'invalid' END,
        whatsapp_checked_at = now()
    WHERE i.list_id = ${listId} AND i.phone_number = ANY(${numbers}::text[])`;
}

/**
 * Asks the engine (chat/whatsappNumbers, WHATSAPP_CHECK_BATCH numbers a call) whether the list's unchecked
 * numbers have WhatsApp, at most `limit` distinct numbers per call (the panel's progress bar calls again
 * until `remaining` is 0). `recheck` first forgets every earlier verdict. Each batch is saved as soon as
 * it is answered, so an engine failure midway keeps the work done; the error is rethrown.
 */
export async function checkWhatsapp(
  deps: CheckDeps,
  listId: number,
  instance: string,
  opts: { limit?: number; recheck?: boolean } = {},
): Promise<CheckResult> {
  const { sql } = deps;
  if (opts.recheck) {
    await sql`UPDATE taguato.contact_list_items SET whatsapp = NULL, whatsapp_checked_at = NULL
              WHERE list_id = ${listId}`;
  }
  const numbers = (await sql<{ phone_number: string }[]>`
    SELECT phone_number FROM taguato.contact_list_items WHERE list_id = ${listId} AND whatsapp IS NULL
    GROUP BY phone_number ORDER BY min(id) LIMIT ${opts.limit ?? null}`).map((r) => r.phone_number);
  let valid = 0;
  for (let at = 0; at < numbers.length; at += WHATSAPP_CHECK_BATCH) {
    const batch = numbers.slice(at, at + WHATSAPP_CHECK_BATCH);
    const answer = await deps.evolution.whatsappNumbers(instance, batch);
    const yes = new Set(answer.filter((a) => a.exists).map((a) => a.number));
    valid += batch.filter((n) => yes.has(n)).length;
    await saveVerdicts(sql, listId, batch, yes);
  }
  const [{ remaining }] = await sql<{ remaining: number }[]>`
    SELECT count(*)::int AS remaining FROM taguato.contact_list_items
    WHERE list_id = ${listId} AND whatsapp IS NULL`;
  return { checked: numbers.length, valid, invalid: numbers.length - valid, remaining };
}

/** Whether an engine failure means the instance is not connected (whatsappNumbers answers 400 then). */
export const isNotConnected = (err: unknown) =>
  err instanceof EvolutionError && err.kind === "http" && err.status === 400;

/** One item of any of the user's lists (a template preview's sample contact), or null. */
export async function findContactItem(
  sql: Sql,
  userId: number,
  itemId: number,
): Promise<ContactItemRow | null> {
  const [row] = await sql<ContactItemRow[]>`
    SELECT ${sql(ITEM_COLUMNS.map((c) => `i.${c}`))} FROM taguato.contact_list_items i
    JOIN taguato.contact_lists l ON l.id = i.list_id
    WHERE i.id = ${itemId} AND l.user_id = ${userId}`;
  return row ?? null;
}

/** A contact's template variables: its custom fields, `name` (the label) and `number`. */
export function contactVars(item: Pick<ContactItemRow, "label" | "phone_number" | "fields">): TemplateVars {
  return { ...item.fields, name: item.label, number: item.phone_number };
}

/** The custom field keys used in the user's lists, most used first (the template editor's hints). */
export async function contactFieldKeys(sql: Sql, userId: number, limit = 30): Promise<string[]> {
  const rows = await sql<{ key: string }[]>`
    SELECT k.key FROM taguato.contact_list_items i
    JOIN taguato.contact_lists l ON l.id = i.list_id, jsonb_object_keys(i.fields) AS k(key)
    WHERE l.user_id = ${userId}
    GROUP BY k.key ORDER BY count(*) DESC, k.key LIMIT ${limit}`;
  return rows.map((r) => r.key);
}
