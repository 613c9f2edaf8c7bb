// Message templates (contract §1.6): a user's reusable texts. Lengths are BYTE lengths (name 1-100,
// content 1-5000), checked on create and, unlike the contract, on update too. Placeholders such as
// {{name}} are stored verbatim. Every query is scoped to the owner: another user's id is "not found".
import type { ErrorCode, ErrorParams, Sql } from "../core/mod.ts";

export const NAME_MAX_BYTES = 100;
export const CONTENT_MAX_BYTES = 5000;

export interface TemplateRow {
  id: number;
  name: string;
  content: string;
  created_at: Date;
  updated_at: Date;
}

const encoder = new TextEncoder();

/** UTF-8 length, what the contract measures ("ñ" is 2, an emoji 4). */
export const byteLength = (text: string) => encoder.encode(text).byteLength;

/** The contract's length error for a template field (a code and its params), or null when it fits. */
export function lengthProblem(
  field: "name" | "content",
  value: string,
): { code: ErrorCode; params: ErrorParams } | null {
  const max = field === "name" ? NAME_MAX_BYTES : CONTENT_MAX_BYTES;
  const bytes = byteLength(value);
  if (bytes < 1) return { code: "field_too_short", params: { field, min: 1 } };
  if (bytes > max) return { code: "field_too_long", params: { field, max } };
  return null;
}

/** One page of the user's templates, most recently updated first, and the total. */
export async function listTemplates(
  sql: Sql,
  userId: number,
  limit: number,
  offset: number,
): Promise<{ templates: TemplateRow[]; total: number }> {
  // One round trip: the page and, on each of its rows, the count of all (a page past the end has no row to
  // carry it, and counts on its own).
  const rows = await sql<(TemplateRow & { total: number })[]>`
    SELECT id, name, content, created_at, updated_at, count(*) OVER ()::int AS total
    FROM taguato.message_templates WHERE user_id = ${userId}
    ORDER BY updated_at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`;
  const total = rows.length ? rows[0].total : offset === 0 ? 0 : (await sql<{ total: number }[]>`
    SELECT count(*)::int AS total FROM taguato.message_templates WHERE user_id = ${userId}`)[0].total;
  return { templates: rows.map(({ total: _, ...t }) => t), total };
}

/** Inserts a template for the user and returns it. */
export async function createTemplate(
  sql: Sql,
  userId: number,
  name: string,
  content: string,
): Promise<TemplateRow> {
  const [row] = await sql<TemplateRow[]>`
    INSERT INTO taguato.message_templates (user_id, name, content)
    VALUES (${userId}, ${name}, ${content})
    RETURNING id, name, content, created_at, updated_at`;
  return row;
}

/** Changes the given fields of the user's template; null when it is not theirs (or does not exist). */
export async function updateTemplate(
  sql: Sql,
  userId: number,
  id: number,
  fields: { name?: string; content?: string },
): Promise<TemplateRow | null> {
  const [row] = await sql<TemplateRow[]>`
    UPDATE taguato.message_templates SET
      name = COALESCE(${fields.name ?? null}, name),
      content = COALESCE(${fields.content ?? null}, content),
      updated_at = now()
    WHERE id = ${id} AND user_id = ${userId}
    RETURNING id, name, content, created_at, updated_at`;
  return row ?? null;
}

/** Deletes the user's template; returns its id and name, or null when it is not theirs. */
export async function deleteTemplate(
  sql: Sql,
  userId: number,
  id: number,
): Promise<{ id: number; name: string } | null> {
  const [row] = await sql<{ id: number; name: string }[]>`
    DELETE FROM taguato.message_templates WHERE id = ${id} AND user_id = ${userId}
    RETURNING id, name`;
  return row ?? null;
}

/** The user's template, or null when it is not theirs. */
export async function findTemplate(sql: Sql, userId: number, id: number): Promise<TemplateRow | null> {
  const [row] = await sql<TemplateRow[]>`
    SELECT id, name, content, created_at, updated_at FROM taguato.message_templates
    WHERE id = ${id} AND user_id = ${userId}`;
  return row ?? null;
}
