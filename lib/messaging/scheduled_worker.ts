// The scheduled-messages worker's logic (contract §5.3, fixed per §14 #22 and #38). One process works a
// message at a time under a lease taken with FOR UPDATE SKIP LOCKED, so pacing holds per message and
// several processes share the due messages. Each recipient is claimed by inserting its ledger row as
// `sending` (unique per message and number) BEFORE the engine call: at most once, even when two processes
// hold the same message after a lease passed. A row left `sending` by a dead process becomes `unknown`
// when another process takes the message over, and is never sent again.
import type postgres from "postgres";
import { type AppDeps, HttpError, type Sql } from "../core/mod.ts";
import { EvolutionError, type MessageRecord } from "../gateway/mod.ts";
import { settleOutbound } from "./ledger.ts";
import { beginSend } from "./send_flights.ts";
import { optedOutAmong } from "./opt_outs.ts";
import { consumeQuota } from "./quotas.ts";
import { nextOccurrence } from "./recurrence.ts";
import { renderTemplate } from "./render.ts";
import { createScheduled, json, type ScheduledRow } from "./scheduled.ts";

/** How long a claim holds without renewal; a process renews it before every recipient. */
export const LEASE_MS = 120_000;
const ATTEMPTS = 3;
const RETRY_DELAYS_MS = [1000, 2000];
const MAX_ERRORS = 50;
const MAX_TEXT = 5000;
const OPTED_OUT = "Opted out: the recipient asked not to be messaged";

export interface ScheduledRunOptions {
  /** Names this process in lease_owner (default: a random id per run). */
  owner?: string;
  /** Stop after this many messages (default 20 per tick, as the contract). */
  maxMessages?: number;
  /** Waits between retries (tests pass zeros). */
  retryDelaysMs?: number[];
}

export interface ScheduledRunSummary extends Record<string, unknown> {
  messages: number;
  sent: number;
  failed: number;
  skipped: number;
}

type Tx = postgres.TransactionSql;
const ts = (ms: number) => new Date(ms);
const sleep = (ms: number) => ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();

/** One tick: works due messages until none is left or `maxMessages` were done. */
export async function runScheduled(
  deps: AppDeps,
  options: ScheduledRunOptions = {},
): Promise<ScheduledRunSummary> {
  const owner = options.owner ?? `worker-${crypto.randomUUID()}`;
  const summary: ScheduledRunSummary = { messages: 0, sent: 0, failed: 0, skipped: 0 };
  for (let i = 0; i < (options.maxMessages ?? 20); i++) {
    const row = await claimDue(deps, owner);
    if (!row) break;
    const counts = await workMessage(deps, row, owner, options.retryDelaysMs ?? RETRY_DELAYS_MS);
    summary.messages++;
    summary.sent += counts.sent;
    summary.failed += counts.failed;
    summary.skipped += counts.skipped;
  }
  return summary;
}

/**
 * Takes the oldest due message: pending and due, or processing with a passed lease (its process died).
 * Rows a dead holder left `sending` become `unknown` in the same transaction.
 */
async function claimDue(deps: AppDeps, owner: string): Promise<ScheduledRow | null> {
  const now = deps.clock.now();
  return await deps.sql.begin(async (tx) => {
    const [row] = await tx<ScheduledRow[]>`
      UPDATE taguato.scheduled_messages s
      SET status = 'processing', lease_owner = ${owner}, lease_until = ${
      ts(now + LEASE_MS)
    }, updated_at = now()
      WHERE s.id = (
        SELECT id FROM taguato.scheduled_messages
        WHERE (status = 'pending' AND scheduled_at <= ${ts(now)})
           OR (status = 'processing' AND lease_until < ${ts(now)})
        ORDER BY scheduled_at, id
        LIMIT 1
        FOR UPDATE SKIP LOCKED)
      RETURNING s.*`;
    if (!row) return null;
    await tx`
      UPDATE taguato.message_logs SET status = 'unknown', status_updated_at = now(),
        error_message = 'The worker sending it stopped; it may or may not have been delivered'
      WHERE scheduled_message_id = ${row.id} AND status = 'sending'`;
    return row;
  });
}

/** Renews the lease; false when this process lost the message (taken over, or no longer processing). */
async function renewLease(deps: AppDeps, id: number, owner: string): Promise<boolean> {
  const rows = await deps.sql`
    UPDATE taguato.scheduled_messages SET lease_until = ${ts(deps.clock.now() + LEASE_MS)}
    WHERE id = ${id} AND lease_owner = ${owner} AND status = 'processing' RETURNING 1`;
  return rows.length > 0;
}

/**
 * Inserts the recipient's ledger row (`sending`, or `cancelled` with the reason for an opted-out number)
 * with the text it gets; null when a row exists already: that recipient was attempted before and is never
 * attempted again.
 */
async function claimRecipient(
  sql: Sql,
  row: ScheduledRow,
  number: string,
  text: string | null,
  skipReason: string | null,
): Promise<number | null> {
  const [claimed] = await sql<{ id: number }[]>`
    INSERT INTO taguato.message_logs
      (user_id, instance_name, phone_number, message_type, status, error_message, source, direction,
       scheduled_message_id, body_text)
    VALUES (${row.user_id}, ${row.instance_name}, ${number}, ${row.message_type},
      ${skipReason ? "cancelled" : "sending"}, ${skipReason}, 'scheduled', 'outbound', ${row.id},
      ${text === null ? null : text.slice(0, MAX_TEXT)})
    ON CONFLICT (scheduled_message_id, phone_number) WHERE scheduled_message_id IS NOT NULL DO NOTHING
    RETURNING id`;
  return claimed?.id ?? null;
}

/**
 * The engine body a recipient gets and its text: the text (or caption) rendered with their number and
 * variables; null when a media message's content is not the JSON it must be.
 */
function bodyFor(row: ScheduledRow, number: string): { body: Record<string, unknown>; text: string } | null {
  const vars = { number, ...(row.variables?.[number] ?? {}) };
  if (row.message_type === "text") {
    const text = renderTemplate(row.message_content, vars).text;
    return { body: { number, text }, text };
  }
  try {
    const media = JSON.parse(row.message_content) as Record<string, unknown>;
    const caption = typeof media.caption === "string" ? renderTemplate(media.caption, vars).text : undefined;
    return { body: { ...media, number, ...(caption === undefined ? {} : { caption }) }, text: caption ?? "" };
  } catch {
    return null;
  }
}

interface Outcome {
  status: "sent" | "failed" | "unknown";
  engineMessageId?: string;
  errorMessage?: string;
}

// Refused or unresolvable: the request never left, so a retry cannot send twice.
const NEVER_LEFT = /refused|ECONNREFUSED|failed to lookup|dns error/i;

/** One engine call through the typed client; what it says about the send. */
async function attempt(deps: AppDeps, row: ScheduledRow, body: Record<string, unknown>): Promise<
  Outcome & { retry: boolean }
> {
  try {
    const record: MessageRecord = row.message_type === "text"
      ? await deps.evolution.sendText(row.instance_name, body as never)
      : await deps.evolution.sendMedia(row.instance_name, body as never);
    return { status: "sent", engineMessageId: record.key.id, retry: false };
  } catch (err) {
    if (!(err instanceof EvolutionError)) throw err;
    const detail = err.detail ? `${err.detail}` : err.message;
    if (err.kind === "http") {
      // 4xx: the engine refused this send (bad number, closed instance…); 5xx: it failed before sending.
      const transient = (err.status ?? 0) >= 500;
      return { status: "failed", errorMessage: `status ${err.status}: ${detail}`, retry: transient };
    }
    if (err.kind === "network" && NEVER_LEFT.test(detail)) {
      return { status: "failed", errorMessage: detail, retry: true };
    }
    // A timeout or a broken answer: the message may have gone out, so it is never tried again.
    return { status: "unknown", errorMessage: detail, retry: false };
  }
}

/** Whether the instance can send now (the engine's in-memory state). */
async function instanceOpen(deps: AppDeps, name: string): Promise<boolean> {
  try {
    return (await deps.evolution.connectionState(name)).instance.state === "open";
  } catch {
    return false;
  }
}

/** Sends to one claimed recipient, retrying transient failures while the instance stays open. */
async function deliver(
  deps: AppDeps,
  row: ScheduledRow,
  body: Record<string, unknown> | undefined,
  delays: number[],
): Promise<Outcome> {
  if (!body) return { status: "failed", errorMessage: "invalid media content JSON" };
  let last: Outcome = { status: "failed", errorMessage: "not attempted" };
  for (let n = 1; n <= ATTEMPTS; n++) {
    const { retry, ...outcome } = await attempt(deps, row, body);
    last = outcome;
    if (!retry) return outcome;
    if (n === ATTEMPTS) break;
    await sleep(delays[n - 1] ?? 0);
    if (!(await instanceOpen(deps, row.instance_name))) {
      return { status: "failed", errorMessage: `${outcome.errorMessage} (instance not connected)` };
    }
  }
  return { ...last, errorMessage: `${last.errorMessage} (after ${ATTEMPTS} attempts)` };
}

/** Works one claimed message to its end (or until the lease is lost), then finishes it. */
async function workMessage(
  deps: AppDeps,
  row: ScheduledRow,
  owner: string,
  delays: number[],
): Promise<{ sent: number; failed: number; skipped: number }> {
  const counts = { sent: 0, failed: 0, skipped: 0 };
  const refusal = await refusalOf(deps, row);
  const optedOut = refusal ? new Set<string>() : await optedOutAmong(deps.sql, row.user_id, row.recipients);
  let first = true;
  for (const number of row.recipients) {
    if (!(await renewLease(deps, row.id, owner))) return counts;
    const skip = refusal ?? (optedOut.has(number) ? OPTED_OUT : null);
    const message = bodyFor(row, number);
    const logId = await claimRecipient(deps.sql, row, number, message?.text ?? null, skip);
    if (logId === null || skip) {
      counts.skipped++;
      continue;
    }
    // Counted once the recipient is ours, so a recipient claimed before (a lease takeover) costs nothing.
    const overQuota = await quotaRefusal(deps, row.user_id);
    if (overQuota) {
      await skipClaimed(deps.sql, logId, overQuota);
      counts.skipped++;
      continue;
    }
    if (!first) await sleep(deps.config.scheduledSendDelayMs);
    first = false;
    // Until it settled, the engine's SEND_MESSAGE for this send waits for it (send_flights.ts).
    const landed = beginSend(deps.sql, row.instance_name, number);
    let outcome: Awaited<ReturnType<typeof deliver>>;
    try {
      outcome = await deliver(deps, row, message?.body, delays);
      await settleOutbound(deps, logId, outcome);
    } finally {
      landed();
    }
    if (outcome.status === "sent") counts.sent++;
    else counts.failed++;
  }
  await finish(deps, row, owner);
  return counts;
}

/** Counts one send against the owner's quota; at the cap, the reason the recipient is skipped (the 429's text). */
async function quotaRefusal(deps: AppDeps, userId: number): Promise<string | null> {
  try {
    await consumeQuota(deps, userId, 1);
    return null;
  } catch (err) {
    if (err instanceof HttpError && err.status === 429) return err.message;
    throw err;
  }
}

/** A claimed recipient that will not be sent after all: `cancelled` with the reason History shows. */
async function skipClaimed(sql: Sql, logId: number, reason: string): Promise<void> {
  await sql`
    UPDATE taguato.message_logs SET status = 'cancelled', error_message = ${reason}, status_updated_at = now()
    WHERE id = ${logId} AND status = 'sending'`;
}

/** Why none of the message may go out (its owner was deactivated), or null. */
async function refusalOf(deps: AppDeps, row: ScheduledRow): Promise<string | null> {
  const [user] = await deps.sql<{ is_active: boolean }[]>`
    SELECT is_active FROM taguato.users WHERE id = ${row.user_id}`;
  return user?.is_active ? null : "The account is deactivated";
}

/**
 * Records the results from the ledger rows, sets the final status, and for a series inserts the next
 * occurrence, all in one transaction that only the lease holder can commit.
 */
async function finish(deps: AppDeps, row: ScheduledRow, owner: string): Promise<void> {
  await deps.sql.begin(async (tx) => {
    const results = await resultsOf(tx, row);
    const status = results.total > 0 && results.failed === results.total ? "failed" : "completed";
    const done = await tx`
      UPDATE taguato.scheduled_messages
      SET status = ${status}, results = ${json(tx, results)}, lease_owner = NULL, lease_until = NULL,
        updated_at = now()
      WHERE id = ${row.id} AND lease_owner = ${owner} AND status = 'processing'
      RETURNING 1`;
    if (done.length && row.recurrence) await scheduleNext(deps, tx, row);
  });
}

interface Results {
  total: number;
  sent: number;
  failed: number;
  skipped: number;
  unknown: number;
  errors: string[];
}

async function resultsOf(tx: Tx, row: ScheduledRow): Promise<Results> {
  const rows = await tx<{ phone_number: string; status: string; error_message: string | null }[]>`
    SELECT phone_number, status, error_message FROM taguato.message_logs
    WHERE scheduled_message_id = ${row.id} ORDER BY id`;
  const r: Results = { total: row.recipients.length, sent: 0, failed: 0, skipped: 0, unknown: 0, errors: [] };
  for (const l of rows) {
    if (l.status === "failed") r.failed++;
    else if (l.status === "cancelled") r.skipped++;
    else if (l.status === "unknown" || l.status === "sending") r.unknown++;
    else r.sent++;
    if (l.status !== "sent" && l.error_message && r.errors.length < MAX_ERRORS && l.status !== "delivered") {
      r.errors.push(`${l.phone_number}: ${l.error_message}`);
    }
  }
  return r;
}

/** Inserts the series' next occurrence (none past its end), counted from the series' first occurrence. */
async function scheduleNext(deps: AppDeps, tx: Tx, row: ScheduledRow): Promise<void> {
  const seriesId = row.series_id ?? row.id;
  const [first] = await tx<{ scheduled_at: Date }[]>`
    SELECT scheduled_at FROM taguato.scheduled_messages WHERE id = ${seriesId}`;
  const start = (first?.scheduled_at ?? row.scheduled_at).getTime();
  const after = Math.max(deps.clock.now(), row.scheduled_at.getTime());
  const next = nextOccurrence(
    row.recurrence!,
    start,
    row.time_zone,
    after,
    row.recurrence_until?.getTime() ?? null,
  );
  if (next === null) return;
  await createScheduled(tx, row.user_id, {
    instanceName: row.instance_name,
    messageType: row.message_type,
    messageContent: row.message_content,
    recipients: row.recipients,
    scheduledAt: next,
    timeZone: row.time_zone,
    recurrence: row.recurrence,
    recurrenceUntil: row.recurrence_until?.getTime() ?? null,
    templateId: row.template_id,
    variables: row.variables,
  }, { seriesId, occurrence: row.occurrence + 1 });
}
