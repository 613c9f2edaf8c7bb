// Campaign rows as SQL (migration 0022): create with its recipients, list, find, the user's state
// changes (pause / resume / cancel / start), the recipients page, per-variant results and the CSV export.
import type postgres from "postgres";
import type { Sql } from "../core/mod.ts";
import { csvText } from "../messaging/mod.ts";

type Q = Sql | postgres.TransactionSql;

import { type CampaignState, RECIPIENT_STATES, type RecipientState } from "./states.ts";

export { CAMPAIGN_STATES, type CampaignState, RECIPIENT_STATES, type RecipientState } from "./states.ts";

/** Whose local time quiet hours are read in: the campaign's zone, or each recipient's (from the number). */
export type QuietHoursZone = "campaign" | "recipient";

/** Why a recipient was skipped at dispatch. */
export type SkipReason = "opted_out" | "invalid" | "quota";

export interface CampaignRow {
  id: number;
  user_id: number;
  instance_name: string;
  name: string;
  status: CampaignState;
  variants: string[];
  media_url: string | null;
  media_type: string | null;
  start_at: Date;
  min_gap_s: number;
  max_gap_s: number;
  long_pause_every: number | null;
  long_pause_s: number;
  daily_cap: number | null;
  quiet_start: number | null;
  quiet_end: number | null;
  time_zone: string;
  quiet_hours_zone: QuietHoursZone;
  typing_ms: number;
  next_send_at: Date | null;
  dispatched: number;
  status_reason: string | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  resumed_at: Date | null;
  finished_at: Date | null;
}

const COLUMNS = [
  "id",
  "user_id",
  "instance_name",
  "name",
  "status",
  "variants",
  "media_url",
  "media_type",
  "start_at",
  "min_gap_s",
  "max_gap_s",
  "long_pause_every",
  "long_pause_s",
  "daily_cap",
  "quiet_start",
  "quiet_end",
  "time_zone",
  "quiet_hours_zone",
  "typing_ms",
  "next_send_at",
  "dispatched",
  "status_reason",
  "created_at",
  "updated_at",
  "started_at",
  "resumed_at",
  "finished_at",
] as const;

/** The columns a campaign is read with (for queries of other modules of this folder). */
export const campaignColumns = (sql: Q, alias = "c") =>
  sql.unsafe(COLUMNS.map((c) => `${alias}.${c}`).join(", "));

export interface NewCampaign {
  instanceName: string;
  name: string;
  variants: string[];
  mediaUrl: string | null;
  mediaType: string | null;
  startAt: Date;
  draft: boolean;
  minGapS: number;
  maxGapS: number;
  longPauseEvery: number | null;
  longPauseS: number;
  dailyCap: number | null;
  quietStart: number | null;
  quietEnd: number | null;
  timeZone: string;
  quietHoursZone: QuietHoursZone;
  typingMs: number;
}

export interface NewRecipient {
  phone: string;
  vars: Record<string, unknown>;
  /** The recipient's zone for recipient-zone quiet hours (null: the campaign's). */
  timeZone?: string | null;
}

// Recipients go in with one statement per batch (unnest of arrays), so 100,000 cost a few round trips.
const INSERT_BATCH = 5000;

/** Inserts the campaign and its recipients (variant chosen at random per recipient) in one transaction. */
export function createCampaign(
  sql: Sql,
  userId: number,
  c: NewCampaign,
  recipients: NewRecipient[],
  random: () => number = Math.random,
): Promise<CampaignRow> {
  return sql.begin(async (tx) => {
    const [row] = await tx<CampaignRow[]>`
      INSERT INTO taguato.campaigns AS c (user_id, instance_name, name, status, variants, media_url, media_type,
        start_at, min_gap_s, max_gap_s, long_pause_every, long_pause_s, daily_cap, quiet_start, quiet_end,
        time_zone, quiet_hours_zone, typing_ms, next_send_at)
      VALUES (${userId}, ${c.instanceName}, ${c.name}, ${c.draft ? "draft" : "scheduled"}, ${c.variants},
        ${c.mediaUrl}, ${c.mediaType}, ${c.startAt}, ${c.minGapS}, ${c.maxGapS}, ${c.longPauseEvery},
        ${c.longPauseS}, ${c.dailyCap}, ${c.quietStart}, ${c.quietEnd}, ${c.timeZone}, ${c.quietHoursZone},
        ${c.typingMs}, ${c.startAt})
      RETURNING ${campaignColumns(tx)}`;
    for (let i = 0; i < recipients.length; i += INSERT_BATCH) {
      const batch = recipients.slice(i, i + INSERT_BATCH);
      await tx`
        INSERT INTO taguato.campaign_recipients (campaign_id, phone_number, vars, variant, time_zone)
        SELECT ${row.id}, p, v::jsonb, n, z FROM unnest(${batch.map((r) => r.phone)}::text[],
          ${batch.map((r) => JSON.stringify(r.vars))}::text[],
          ${batch.map(() => Math.floor(random() * c.variants.length))}::int[],
          ${batch.map((r) => r.timeZone ?? null)}::text[]) AS t(p, v, n, z)`;
    }
    return row;
  });
}

/** One of the user's campaigns, or null. */
export async function findCampaign(sql: Q, userId: number, id: number): Promise<CampaignRow | null> {
  const [row] = await sql<CampaignRow[]>`
    SELECT ${campaignColumns(sql)} FROM taguato.campaigns c WHERE c.id = ${id} AND c.user_id = ${userId}`;
  return row ?? null;
}

/** The user's campaigns, newest first, with the total. */
export async function listCampaigns(sql: Sql, userId: number, limit: number, offset: number) {
  const [campaigns, [{ total }]] = await Promise.all([
    sql<CampaignRow[]>`
      SELECT ${campaignColumns(sql)} FROM taguato.campaigns c WHERE c.user_id = ${userId}
      ORDER BY c.id DESC LIMIT ${limit} OFFSET ${offset}`,
    sql<{ total: number }[]>`SELECT count(*)::int AS total FROM taguato.campaigns WHERE user_id = ${userId}`,
  ]);
  return { campaigns, total };
}

export type RecipientCounts = Record<RecipientState, number>;

/** How many recipients of the campaign are in each state. */
export async function recipientCounts(sql: Q, campaignId: number): Promise<RecipientCounts> {
  const rows = await sql<{ status: RecipientState; n: number }[]>`
    SELECT status, count(*)::int AS n FROM taguato.campaign_recipients WHERE campaign_id = ${campaignId}
    GROUP BY status`;
  const counts = Object.fromEntries(RECIPIENT_STATES.map((s) => [s, 0])) as RecipientCounts;
  for (const r of rows) counts[r.status] = r.n;
  return counts;
}

export type CampaignAction = "pause" | "resume" | "cancel" | "start";

// Which states each action leaves from, and where it goes. `resume` and `start` go back to `scheduled`:
// the dispatcher moves it to `running` at its first send (after start_at).
const TRANSITIONS: Record<CampaignAction, { from: CampaignState[]; to: CampaignState }> = {
  pause: { from: ["scheduled", "running"], to: "paused" },
  resume: { from: ["paused"], to: "scheduled" },
  cancel: { from: ["draft", "scheduled", "running", "paused"], to: "cancelled" },
  start: { from: ["draft"], to: "scheduled" },
};

/**
 * Applies a user action under the campaign's row lock, which the dispatcher also holds while it claims a
 * recipient: so a pause or cancel committed here is seen before the next send. Null when the campaign is
 * not the user's; `{ changed: false }` when the action does not apply to its state.
 */
export function changeCampaign(sql: Sql, userId: number, id: number, action: CampaignAction, now: Date) {
  return sql.begin(async (tx) => {
    const [row] = await tx<CampaignRow[]>`
      SELECT ${campaignColumns(tx)} FROM taguato.campaigns c WHERE c.id = ${id} AND c.user_id = ${userId}
      FOR UPDATE`;
    if (!row) return null;
    const t = TRANSITIONS[action];
    if (!t.from.includes(row.status)) return { changed: false as const, campaign: row };
    const [updated] = await tx<CampaignRow[]>`
      UPDATE taguato.campaigns c SET status = ${t.to}, updated_at = ${now}, status_reason = NULL,
        finished_at = CASE WHEN ${t.to} = 'cancelled' THEN ${now}::timestamptz ELSE c.finished_at END,
        resumed_at = CASE WHEN ${action} = 'resume' THEN ${now}::timestamptz ELSE c.resumed_at END,
        next_send_at = CASE WHEN ${action} IN ('resume', 'start') THEN GREATEST(c.start_at, ${now}::timestamptz)
          ELSE c.next_send_at END
      WHERE c.id = ${id} RETURNING ${campaignColumns(tx)}`;
    if (t.to === "cancelled") {
      await tx`UPDATE taguato.campaign_recipients SET status = 'cancelled'
        WHERE campaign_id = ${id} AND status = 'queued'`;
    }
    return { changed: true as const, campaign: updated };
  });
}

export interface RecipientRow {
  id: number;
  phone_number: string;
  variant: number;
  status: RecipientState;
  reason: string | null;
  /** The ledger's status of the message (sent / delivered / read / failed …), once sent. */
  message_status: string | null;
  sent_at: Date | null;
}

/** A page of the campaign's recipients in insertion order, optionally of one state, with the total. */
export async function pageRecipients(
  sql: Sql,
  campaignId: number,
  status: RecipientState | undefined,
  limit: number,
  offset: number,
) {
  const where = status
    ? sql`r.campaign_id = ${campaignId} AND r.status = ${status}`
    : sql`r.campaign_id = ${campaignId}`;
  const [recipients, [{ total }]] = await Promise.all([
    sql<RecipientRow[]>`
      SELECT r.id, r.phone_number, r.variant, r.status, r.reason, m.status AS message_status, r.sent_at
      FROM taguato.campaign_recipients r LEFT JOIN taguato.message_logs m ON m.id = r.message_log_id
      WHERE ${where} ORDER BY r.id LIMIT ${limit} OFFSET ${offset}`,
    sql<{ total: number }[]>`
      SELECT count(*)::int AS total FROM taguato.campaign_recipients r WHERE ${where}`,
  ]);
  return { recipients, total };
}

export interface VariantResult {
  variant: number;
  recipients: number;
  sent: number;
  delivered: number;
  read: number;
  replied: number;
  failed: number;
  skipped: number;
  opted_out: number;
}

/**
 * The per-variant funnel: sent → delivered → read (from the ledger's receipts) → replied (an inbound message
 * from the number on the instance after the send) → opted out (the number is in the opt-out registry now).
 */
export async function variantResults(sql: Sql, c: Pick<CampaignRow, "id" | "user_id" | "instance_name">) {
  return await sql<VariantResult[]>`
    SELECT r.variant, count(*)::int AS recipients,
      count(*) FILTER (WHERE r.status = 'sent')::int AS sent,
      count(*) FILTER (WHERE m.status IN ('delivered', 'read', 'played'))::int AS delivered,
      count(*) FILTER (WHERE m.status IN ('read', 'played'))::int AS read,
      count(*) FILTER (WHERE r.status = 'sent' AND EXISTS (
        SELECT 1 FROM taguato.message_logs i WHERE i.instance_name = ${c.instance_name}
          AND i.direction = 'inbound' AND i.phone_number = r.phone_number AND i.created_at > r.sent_at))::int
        AS replied,
      count(*) FILTER (WHERE r.status IN ('failed', 'unknown'))::int AS failed,
      count(*) FILTER (WHERE r.status = 'skipped')::int AS skipped,
      count(*) FILTER (WHERE EXISTS (SELECT 1 FROM taguato.opt_outs o
        WHERE o.user_id = ${c.user_id} AND o.phone_number = r.phone_number))::int AS opted_out
    FROM taguato.campaign_recipients r LEFT JOIN taguato.message_logs m ON m.id = r.message_log_id
    WHERE r.campaign_id = ${c.id} GROUP BY r.variant ORDER BY r.variant`;
}

/** The first bytes of the results export: a BOM (spreadsheets read accents right) and the header. */
export const RESULTS_CSV_HEADER = "\uFEFFPhone,Variant,Status,Reason,Message status,Sent at\n";

/** Every recipient of the campaign as CSV lines, one string per cursor batch. */
export async function* exportResultsCsv(sql: Sql, campaignId: number) {
  const rows = sql`
    SELECT r.phone_number, r.variant + 1, r.status, r.reason, m.status,
      to_char(r.sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
    FROM taguato.campaign_recipients r LEFT JOIN taguato.message_logs m ON m.id = r.message_log_id
    WHERE r.campaign_id = ${campaignId} ORDER BY r.id`.values().cursor(500);
  for await (const batch of rows) {
    let chunk = "";
    for (const [phone, variant, status, reason, mstatus, at] of batch as unknown as unknown[][]) {
      chunk += `${csvText(phone)},${variant},${status},${csvText(reason)},${mstatus ?? ""},${at ?? ""}\n`;
    }
    yield chunk;
  }
}

const FINAL_CAMPAIGN = new Set<CampaignState>(["completed", "cancelled", "failed"]);

/**
 * What the live progress stream sends: the state, the counts, the share done, and the rate (sends in
 * the last minute, per minute). Null when the campaign is gone.
 */
export async function progressOf(sql: Sql, campaignId: number, nowMs: number) {
  const [c] = await sql<{ status: CampaignState; status_reason: string | null; per_minute: number }[]>`
    SELECT c.status, c.status_reason, (SELECT count(*)::int FROM taguato.campaign_recipients r
      WHERE r.campaign_id = c.id AND r.claimed_at > ${new Date(nowMs - 60_000)}) AS per_minute
    FROM taguato.campaigns c WHERE c.id = ${campaignId}`;
  if (!c) return null;
  const counts = await recipientCounts(sql, campaignId);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const done = total - counts.queued - counts.sending;
  return {
    status: c.status,
    status_reason: c.status_reason,
    counts,
    total,
    done,
    percent: total === 0 ? 100 : Math.floor((done / total) * 100),
    per_minute: c.per_minute,
    final: FINAL_CAMPAIGN.has(c.status),
  };
}
