/**
 * The cleanup worker's passes (contract §5.5, with its batch bug fixed): expiry sweeps and retention
 * purges. Purges delete in batches of ids with RETURNING-free row counts until a batch comes back short,
 * so a large backlog is purged completely without one huge transaction.
 */
import type { AppDeps, Sql } from "../core/mod.ts";
import { LOCK_MS } from "../auth/mod.ts";
import { purgeIdempotencyKeys } from "../gateway/mod.ts";
import { foldInterruptedSends } from "../messaging/mod.ts";
import { HEALTH_RETENTION_DAYS, purgeHealthSamples } from "../campaigns/mod.ts";

export const PURGE_BATCH = 5_000;
/** A message left in `sending` this long was interrupted (crash, restart): reported unknown, never re-sent. */
export const STALE_SENDING_MS = 10 * 60_000;

type Purge = (sql: Sql, before: Date, batch: number) => Promise<number>;

/** Deletes in batches until a batch deletes fewer than `batch` rows; returns the total deleted. */
export async function purgeInBatches(purge: Purge, sql: Sql, before: Date, batch = PURGE_BATCH) {
  let total = 0;
  for (;;) {
    const n = await purge(sql, before, batch);
    total += n;
    if (n < batch) return total;
  }
}

// One statement per table: the id subquery rides the table's created_at index.
const PURGES: Record<string, Purge> = {
  message_logs: async (sql, before, batch) =>
    (await sql`DELETE FROM taguato.message_logs WHERE id IN (
      SELECT id FROM taguato.message_logs WHERE created_at < ${before} ORDER BY created_at LIMIT ${batch})`)
      .count,
  audit_log: async (sql, before, batch) =>
    (await sql`DELETE FROM taguato.audit_log WHERE id IN (
      SELECT id FROM taguato.audit_log WHERE created_at < ${before} ORDER BY created_at LIMIT ${batch})`)
      .count,
  uptime_checks: async (sql, before, batch) =>
    (await sql`DELETE FROM taguato.uptime_checks WHERE id IN (
      SELECT id FROM taguato.uptime_checks WHERE checked_at < ${before} ORDER BY checked_at LIMIT ${batch})`)
      .count,
  reconnect_log: async (sql, before, batch) =>
    (await sql`DELETE FROM taguato.reconnect_log WHERE id IN (
      SELECT id FROM taguato.reconnect_log WHERE created_at < ${before} ORDER BY created_at LIMIT ${batch})`)
      .count,
  // Finished deliveries only: a pending one is still owed to the tenant.
  webhook_deliveries: async (sql, before, batch) =>
    (await sql`DELETE FROM taguato.webhook_deliveries WHERE id IN (
      SELECT id FROM taguato.webhook_deliveries WHERE status <> 'pending' AND updated_at < ${before}
      ORDER BY id LIMIT ${batch})`).count,
  instance_health: purgeHealthSamples,
};

const day = 86_400_000;

/** One cleanup pass; the result counts what each step changed. */
export async function runCleanup(deps: AppDeps): Promise<Record<string, number>> {
  const { sql } = deps;
  const now = deps.clock.now();
  const at = (msAgo: number) => new Date(now - msAgo);
  const r = deps.config.retentionDays;
  const result: Record<string, number> = {};

  result.sessions_expired = (await sql`
    UPDATE taguato.sessions SET is_active = false WHERE is_active AND expires_at < ${at(0)}`).count;
  result.sessions_deleted = (await sql`
    DELETE FROM taguato.sessions WHERE NOT is_active AND created_at < ${at(7 * day)}`).count;
  result.reset_codes_deleted = (await sql`
    DELETE FROM taguato.password_resets
    WHERE (used_at IS NOT NULL AND used_at < ${at(3_600_000)}) OR expires_at < ${at(day)}`).count;
  result.interrupted_sends_folded = await foldInterruptedSends(sql, at(STALE_SENDING_MS));
  result.sending_to_unknown = (await sql`
    UPDATE taguato.message_logs SET status = 'unknown', status_updated_at = ${at(0)},
      error_message = coalesce(error_message, 'interrupted before the engine answered')
    WHERE status = 'sending' AND created_at < ${at(STALE_SENDING_MS)}`).count;
  // No requeue of `processing` scheduled messages here (the contract's step): the scheduled worker holds
  // a lease, and another process takes a message over once its lease passes (lib/messaging/scheduled_worker.ts).
  result.idempotency_keys_deleted = await purgeIdempotencyKeys(deps);
  // A name's failure count only matters while it can still add up to a lock (LOCK_MS window).
  result.login_name_failures_deleted = (await sql`
    DELETE FROM taguato.login_name_failures
    WHERE (locked_until IS NULL OR locked_until < ${at(0)}) AND last_failed_at < ${at(LOCK_MS)}`).count;

  const retention: Record<string, number> = {
    message_logs: r.messageLogs,
    audit_log: r.audit,
    uptime_checks: r.uptime,
    reconnect_log: r.reconnect,
    webhook_deliveries: r.webhookDeliveries,
    instance_health: HEALTH_RETENTION_DAYS,
  };
  for (const [table, days] of Object.entries(retention)) {
    result[`${table}_purged`] = await purgeInBatches(PURGES[table], sql, at(days * day));
  }
  return result;
}
