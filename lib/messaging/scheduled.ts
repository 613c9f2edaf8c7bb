// Scheduled messages (contract §1.6, taguato.scheduled_messages): the owner's rows as SQL. Every query is
// scoped to the owner, so another tenant's id is "not found". The worker's side is scheduled_worker.ts.
import type postgres from "postgres";
import type { Sql } from "../core/mod.ts";
import { formatInZone, type Recurrence } from "./recurrence.ts";

type Q = Sql | postgres.TransactionSql;

export const SCHEDULED_STATUSES = ["pending", "processing", "completed", "failed", "cancelled"] as const;
export type ScheduledStatus = typeof SCHEDULED_STATUSES[number];
/** The contract's message types for scheduled sends (media types carry JSON in message_content). */
export const SCHEDULED_TYPES = ["text", "image", "document", "audio", "video"] as const;
export type ScheduledType = typeof SCHEDULED_TYPES[number];
export const MAX_SCHEDULED_RECIPIENTS = 500;
export const SCHEDULED_CONTENT_MAX_BYTES = 5000;

/** Per-recipient template variables: number → { variable: value }. */
export type RecipientVariables = Record<string, Record<string, string>>;

export interface ScheduledRow {
  id: number;
  user_id: number;
  instance_name: string;
  message_type: ScheduledType;
  message_content: string;
  recipients: string[];
  scheduled_at: Date;
  status: ScheduledStatus;
  results: Record<string, unknown> | null;
  time_zone: string;
  recurrence: Recurrence | null;
  recurrence_until: Date | null;
  series_id: number | null;
  occurrence: number;
  template_id: number | null;
  variables: RecipientVariables | null;
  created_at: Date;
  updated_at: Date;
}

/** What a create (or the next occurrence of a series) stores. */
export interface ScheduledFields {
  instanceName: string;
  messageType: ScheduledType;
  messageContent: string;
  recipients: string[];
  scheduledAt: number;
  timeZone: string;
  recurrence: Recurrence | null;
  recurrenceUntil: number | null;
  templateId: number | null;
  variables: RecipientVariables | null;
}

const COLUMNS = (sql: Q) =>
  sql`id, user_id, instance_name, message_type, message_content, recipients, scheduled_at, status, results,
    time_zone, recurrence, recurrence_until, series_id, occurrence, template_id, variables, created_at,
    updated_at`;

const at = (ms: number | null) => (ms === null ? null : new Date(ms));
/** A JSON parameter (the typed shapes here are all plain JSON). */
export const json = (sql: Q, value: unknown) => sql.json(value as postgres.JSONValue);

/** Inserts a pending scheduled message and returns it. */
export async function createScheduled(
  sql: Q,
  userId: number,
  f: ScheduledFields,
  series: { seriesId: number; occurrence: number } | null = null,
): Promise<ScheduledRow> {
  const [row] = await sql<ScheduledRow[]>`
    INSERT INTO taguato.scheduled_messages
      (user_id, instance_name, message_type, message_content, recipients, scheduled_at, time_zone, recurrence,
       recurrence_until, template_id, variables, series_id, occurrence)
    VALUES (${userId}, ${f.instanceName}, ${f.messageType}, ${f.messageContent}, ${json(sql, f.recipients)},
      ${at(f.scheduledAt)}, ${f.timeZone}, ${f.recurrence ? json(sql, f.recurrence) : null},
      ${at(f.recurrenceUntil)}, ${f.templateId}, ${f.variables ? json(sql, f.variables) : null},
      ${series?.seriesId ?? null}, ${series?.occurrence ?? 1})
    RETURNING ${COLUMNS(sql)}`;
  return row;
}

/** Filters of GET /api/scheduled. */
export interface ScheduledFilter {
  status?: ScheduledStatus;
  instanceName?: string;
  seriesId?: number;
}

/** One page of the user's scheduled messages, latest scheduled_at first, and the total. */
export async function listScheduled(
  sql: Q,
  userId: number,
  filter: ScheduledFilter,
  limit: number,
  offset: number,
): Promise<{ messages: ScheduledRow[]; total: number }> {
  const where = sql`user_id = ${userId}
    ${filter.status ? sql`AND status = ${filter.status}` : sql``}
    ${filter.instanceName ? sql`AND instance_name = ${filter.instanceName}` : sql``}
    ${filter.seriesId ? sql`AND (id = ${filter.seriesId} OR series_id = ${filter.seriesId})` : sql``}`;
  const [{ total }] = await sql<{ total: number }[]>`
    SELECT count(*)::int AS total FROM taguato.scheduled_messages WHERE ${where}`;
  const messages = await sql<ScheduledRow[]>`
    SELECT ${COLUMNS(sql)} FROM taguato.scheduled_messages WHERE ${where}
    ORDER BY scheduled_at DESC, id DESC LIMIT ${limit} OFFSET ${offset}`;
  return { messages, total };
}

/** The user's scheduled message, or null. */
export async function getScheduled(sql: Q, userId: number, id: number): Promise<ScheduledRow | null> {
  const [row] = await sql<ScheduledRow[]>`
    SELECT ${COLUMNS(sql)} FROM taguato.scheduled_messages WHERE id = ${id} AND user_id = ${userId}`;
  return row ?? null;
}

/** The fields a PUT may change (absent = unchanged). */
export type ScheduledChanges = Partial<ScheduledFields>;

/**
 * Applies the changes to the user's message if it is still pending (checked in the same statement, so a
 * worker that claimed it meanwhile wins); null when it is not theirs or no longer pending.
 */
export async function updatePendingScheduled(
  sql: Q,
  userId: number,
  id: number,
  c: ScheduledChanges,
): Promise<ScheduledRow | null> {
  const has = (v: unknown) => v !== undefined;
  const [row] = await sql<ScheduledRow[]>`
    UPDATE taguato.scheduled_messages SET
      instance_name = COALESCE(${c.instanceName ?? null}, instance_name),
      message_type = COALESCE(${c.messageType ?? null}, message_type),
      message_content = COALESCE(${c.messageContent ?? null}, message_content),
      recipients = COALESCE(${c.recipients ? json(sql, c.recipients) : null}::jsonb, recipients),
      scheduled_at = COALESCE(${at(c.scheduledAt ?? null)}::timestamptz, scheduled_at),
      time_zone = COALESCE(${c.timeZone ?? null}, time_zone),
      recurrence = CASE WHEN ${has(c.recurrence)} THEN ${c.recurrence ? json(sql, c.recurrence) : null}::jsonb
        ELSE recurrence END,
      recurrence_until = CASE WHEN ${has(c.recurrenceUntil)} THEN ${
    at(c.recurrenceUntil ?? null)
  }::timestamptz
        ELSE recurrence_until END,
      template_id = CASE WHEN ${has(c.templateId)} THEN ${c.templateId ?? null}::bigint ELSE template_id END,
      variables = CASE WHEN ${has(c.variables)} THEN ${c.variables ? json(sql, c.variables) : null}::jsonb
        ELSE variables END,
      updated_at = now()
    WHERE id = ${id} AND user_id = ${userId} AND status = 'pending'
    RETURNING ${COLUMNS(sql)}`;
  return row ?? null;
}

/** Cancels the user's message if still pending; null when it is not theirs or no longer pending. */
export async function cancelPendingScheduled(
  sql: Q,
  userId: number,
  id: number,
): Promise<{ id: number; status: "cancelled" } | null> {
  const [row] = await sql<{ id: number; status: "cancelled" }[]>`
    UPDATE taguato.scheduled_messages SET status = 'cancelled', updated_at = now()
    WHERE id = ${id} AND user_id = ${userId} AND status = 'pending'
    RETURNING id, status`;
  return row ?? null;
}

/** The user's template content, or null when it is not theirs. */
export async function templateContentOf(sql: Q, userId: number, id: number): Promise<string | null> {
  const [row] = await sql<{ content: string }[]>`
    SELECT content FROM taguato.message_templates WHERE id = ${id} AND user_id = ${userId}`;
  return row?.content ?? null;
}

/** The user's time-zone setting, or null when they never chose one (the config default applies). */
export async function userTimeZone(sql: Q, userId: number): Promise<string | null> {
  const [row] = await sql<{ time_zone: string | null }[]>`
    SELECT time_zone FROM taguato.users WHERE id = ${userId}`;
  return row?.time_zone ?? null;
}

/** Stores the user's time-zone setting (null = follow the default). */
export async function setUserTimeZone(sql: Q, userId: number, zone: string | null): Promise<void> {
  await sql`UPDATE taguato.users SET time_zone = ${zone}, updated_at = now() WHERE id = ${userId}`;
}

/** One recipient of a scheduled message as the ledger recorded it. */
export interface ScheduledRecipientRow {
  phone_number: string;
  status: string;
  error_message: string | null;
  message_text: string | null;
  engine_message_id: string | null;
  status_updated_at: Date;
}

/** The ledger rows of the user's scheduled message, in claim order (empty before it ran). */
export async function scheduledRecipients(
  sql: Q,
  userId: number,
  id: number,
): Promise<ScheduledRecipientRow[]> {
  return await sql<ScheduledRecipientRow[]>`
    SELECT phone_number, status, error_message, body_text AS message_text, engine_message_id, status_updated_at
    FROM taguato.message_logs
    WHERE scheduled_message_id = ${id} AND user_id = ${userId}
    ORDER BY id
    LIMIT 500`;
}

/**
 * A scheduled message as the API (and the panel) shows it: `recipients` JSON-encoded as the contract
 * sent it, instants in UTC, plus the same instant in the message's zone.
 */
export const scheduledView = (m: ScheduledRow) => ({
  id: m.id,
  instance_name: m.instance_name,
  message_type: m.message_type,
  message_content: m.message_content,
  recipients: JSON.stringify(m.recipients),
  scheduled_at: m.scheduled_at.toISOString(),
  scheduled_at_local: formatInZone(m.scheduled_at.getTime(), m.time_zone),
  time_zone: m.time_zone,
  recurrence: m.recurrence,
  recurrence_until: m.recurrence_until?.toISOString() ?? null,
  series_id: m.series_id,
  occurrence: m.occurrence,
  template_id: m.template_id,
  variables: m.variables,
  status: m.status,
  results: m.results,
  created_at: m.created_at.toISOString(),
  updated_at: m.updated_at.toISOString(),
});
