// The ban-risk governor per instance (README, Campaigns). Engines refuse or lose messages, recipients stop
// receiving or reading them, and opt out, more often just before WhatsApp restricts a number. From the
// instance's last campaign sends it derives a health score, pauses a campaign with the reason when a
// signal crosses its threshold, and sets an adaptive budget of campaign sends per rolling 24 h: a new
// number starts small (warm-up) and the budget grows with its age and with good signals (reads, replies)
// and shrinks with bad ones. Samples of the score go to taguato.instance_health for the instance page.
import type postgres from "postgres";
import type { Sql } from "../core/mod.ts";

type Q = Sql | postgres.TransactionSql;

/** The sends a verdict looks at: the instance's latest campaign sends. */
export const GOVERNOR_WINDOW = 50;
/** Fewer settled sends than this say nothing yet. */
export const GOVERNOR_MIN_SAMPLES = 20;
/** Failed or unknown sends at or above this share of the window pause the campaign. */
export const GOVERNOR_MAX_FAILURE_RATIO = 0.3;
/** Recipients of the window who opted out after their message, at or above this share, pause it. */
export const GOVERNOR_MAX_OPT_OUT_RATIO = 0.05;
/** Sends older than this have had time for their delivery receipt; younger ones do not count for it. */
export const RECEIPT_GRACE_MS = 10 * 60_000;
/** Below this delivered share of the matured sends (at least GOVERNOR_MIN_SAMPLES of them) it pauses. */
export const GOVERNOR_MIN_DELIVERY_RATIO = 0.5;
/** Each day of the number's age multiplies the warm-up budget by this. */
export const WARMUP_GROWTH = 1.4;
/** The warm-up curve stops growing here (sends per 24 h, before the signal factor). */
export const WARMUP_MAX_DAILY = 1000;
/** Health samples are kept this long (the cleanup worker purges older ones). */
export const HEALTH_RETENTION_DAYS = 30;
/** One health sample per instance and slot of this length. */
export const HEALTH_SAMPLE_MS = 5 * 60_000;

export interface Signals {
  /** Settled campaign sends in the window (sent, failed, unknown). */
  samples: number;
  failed: number;
  /** Sent messages of the window older than RECEIPT_GRACE_MS. */
  matured: number;
  /** Of the matured: delivered, read or played. */
  delivered: number;
  /** Of the matured: read or played. */
  read: number;
  /** Sent messages answered by an inbound message from the number. */
  replied: number;
  optedOut: number;
}

export type GovernorReason = "governor_failures" | "governor_opt_outs" | "governor_undelivered";

export interface Verdict {
  score: number;
  reason: GovernorReason | null;
  /** min(1, read share + 2 × reply share): how much the budget grows beyond the warm-up curve. */
  engagement: number;
}

const share = (n: number, of: number) => (of === 0 ? 0 : n / of);

/**
 * The health score (0-100), the pause reason when a threshold is crossed, and the engagement:
 * score = 100 × (1 − f) × (1 − min(1, 10 × o)) × (0.5 + 0.5 × d), with f the failure share, o the opt-out
 * share and d the delivered share of the matured sends (1 while fewer than GOVERNOR_MIN_SAMPLES matured).
 */
export function governorVerdict(s: Signals): Verdict {
  const f = share(s.failed, s.samples);
  const o = share(s.optedOut, s.samples);
  const judged = s.matured >= GOVERNOR_MIN_SAMPLES;
  const d = judged ? share(s.delivered, s.matured) : 1;
  const score = Math.round(100 * (1 - f) * (1 - Math.min(1, 10 * o)) * (0.5 + 0.5 * d));
  const sent = s.samples - s.failed;
  const engagement = Math.min(1, (judged ? share(s.read, s.matured) : 0) + 2 * share(s.replied, sent));
  let reason: GovernorReason | null = null;
  if (s.samples >= GOVERNOR_MIN_SAMPLES) {
    if (f >= GOVERNOR_MAX_FAILURE_RATIO) reason = "governor_failures";
    else if (o >= GOVERNOR_MAX_OPT_OUT_RATIO) reason = "governor_opt_outs";
  }
  if (!reason && judged && d < GOVERNOR_MIN_DELIVERY_RATIO) reason = "governor_undelivered";
  return { score, reason, engagement: Math.round(engagement * 100) / 100 };
}

/**
 * Campaign sends allowed per rolling 24 h: the warm-up curve min(WARMUP_MAX_DAILY, start × 1.4^age days),
 * times score / 100, times (1 + 0.5 × engagement). `start` 0 means no budget (Infinity).
 */
export function dailyBudget(
  start: number,
  ageDays: number,
  v: Pick<Verdict, "score" | "engagement">,
): number {
  if (start <= 0) return Infinity;
  const curve = Math.min(WARMUP_MAX_DAILY, start * WARMUP_GROWTH ** Math.max(0, ageDays));
  return Math.floor(curve * (v.score / 100) * (1 + 0.5 * v.engagement));
}

/** The signals of the instance's last GOVERNOR_WINDOW settled campaign sends claimed since `since`. */
export async function instanceSignals(
  sql: Q,
  userId: number,
  instanceName: string,
  since: Date | null,
  nowMs: number,
): Promise<Signals> {
  const matured = new Date(nowMs - RECEIPT_GRACE_MS);
  const [row] = await sql<Signals[]>`
    SELECT count(*)::int AS samples,
      count(*) FILTER (WHERE w.status IN ('failed', 'unknown'))::int AS failed,
      count(*) FILTER (WHERE w.status = 'sent' AND w.sent_at <= ${matured})::int AS matured,
      count(*) FILTER (WHERE w.status = 'sent' AND w.sent_at <= ${matured}
        AND m.status IN ('delivered', 'read', 'played'))::int AS delivered,
      count(*) FILTER (WHERE w.status = 'sent' AND w.sent_at <= ${matured}
        AND m.status IN ('read', 'played'))::int AS read,
      count(*) FILTER (WHERE w.status = 'sent' AND EXISTS (SELECT 1 FROM taguato.message_logs i
        WHERE i.user_id = ${userId} AND i.instance_name = ${instanceName} AND i.direction = 'inbound'
          AND i.phone_number = m.phone_number AND i.created_at > m.created_at))::int AS replied,
      count(*) FILTER (WHERE EXISTS (SELECT 1 FROM taguato.opt_outs o WHERE o.user_id = ${userId}
        AND o.phone_number = w.phone_number AND o.created_at >= w.claimed_at))::int AS "optedOut"
    FROM (SELECT r.status, r.phone_number, r.claimed_at, r.sent_at, r.message_log_id
      FROM taguato.campaign_recipients r JOIN taguato.campaigns c ON c.id = r.campaign_id
      WHERE c.instance_name = ${instanceName} AND r.status IN ('sent', 'failed', 'unknown')
        AND r.claimed_at >= ${since ?? new Date(0)}
      ORDER BY r.claimed_at DESC LIMIT ${GOVERNOR_WINDOW}) w
    LEFT JOIN taguato.message_logs m ON m.id = w.message_log_id`;
  return row;
}

/** Whole days since the instance's first outbound message (0 for a number that never sent). */
export async function instanceAgeDays(sql: Q, userId: number, instanceName: string, nowMs: number) {
  const [row] = await sql<{ first: Date | null }[]>`
    SELECT min(created_at) AS first FROM taguato.message_logs
    WHERE user_id = ${userId} AND instance_name = ${instanceName} AND direction = 'outbound'`;
  return row.first ? Math.max(0, Math.floor((nowMs - row.first.getTime()) / 86_400_000)) : 0;
}

export interface Health {
  score: number;
  reason: GovernorReason | null;
  engagement: number;
  /** Campaign sends allowed per rolling 24 h (null: no budget). */
  dailyBudget: number | null;
  ageDays: number;
  signals: Signals;
}

/** The instance's health now, over its recent campaign sends (all of them, not only since a resume). */
export async function instanceHealth(
  sql: Q,
  userId: number,
  instanceName: string,
  warmupStart: number,
  nowMs: number,
): Promise<Health> {
  const [signals, ageDays] = await Promise.all([
    instanceSignals(sql, userId, instanceName, null, nowMs),
    instanceAgeDays(sql, userId, instanceName, nowMs),
  ]);
  const v = governorVerdict(signals);
  const budget = dailyBudget(warmupStart, ageDays, v);
  return { ...v, dailyBudget: Number.isFinite(budget) ? budget : null, ageDays, signals };
}

/**
 * The instance's health from this slot's sample, or computed and sampled now (one row per instance and
 * HEALTH_SAMPLE_MS slot, whichever replica gets there first).
 */
export async function sampledHealth(
  sql: Q,
  userId: number,
  instanceName: string,
  warmupStart: number,
  nowMs: number,
): Promise<{ score: number; dailyBudget: number | null }> {
  const slot = Math.floor(nowMs / HEALTH_SAMPLE_MS);
  const [kept] = await sql<{ score: number; daily_budget: number }[]>`
    SELECT score, daily_budget FROM taguato.instance_health
    WHERE instance_name = ${instanceName} AND slot = ${slot}`;
  if (kept) return { score: kept.score, dailyBudget: warmupStart > 0 ? kept.daily_budget : null };
  const h = await instanceHealth(sql, userId, instanceName, warmupStart, nowMs);
  const s = h.signals;
  await sql`
    INSERT INTO taguato.instance_health (instance_name, slot, sampled_at, score, daily_budget, samples, failed,
      delivered, read, replied, opted_out, reason)
    VALUES (${instanceName}, ${slot}, ${new Date(nowMs)}, ${h.score}, ${h.dailyBudget ?? 0}, ${s.samples},
      ${s.failed}, ${s.delivered}, ${s.read}, ${s.replied}, ${s.optedOut}, ${h.reason})
    ON CONFLICT (instance_name, slot) DO NOTHING`;
  return { score: h.score, dailyBudget: h.dailyBudget };
}

export interface HealthSample {
  sampled_at: Date;
  score: number;
  daily_budget: number;
  reason: string | null;
}

/** The instance's samples of the last `days` days, oldest first (at most 2016: a week of 5-minute slots). */
export async function healthHistory(sql: Q, instanceName: string, nowMs: number, days = 7) {
  return await sql<HealthSample[]>`
    SELECT sampled_at, score, daily_budget, reason FROM (
      SELECT sampled_at, score, daily_budget, reason FROM taguato.instance_health
      WHERE instance_name = ${instanceName} AND sampled_at > ${new Date(nowMs - days * 86_400_000)}
      ORDER BY sampled_at DESC LIMIT 2016) h
    ORDER BY sampled_at`;
}

/** Campaign sends claimed on the instance in the 24 h before `now`, and when the oldest of them leaves. */
export async function budgetUse(sql: Q, instanceName: string, now: Date) {
  const [row] = await sql<{ used: number; oldest: Date | null }[]>`
    SELECT count(*)::int AS used, min(r.claimed_at) AS oldest FROM taguato.campaign_recipients r
    JOIN taguato.campaigns c ON c.id = r.campaign_id
    WHERE c.instance_name = ${instanceName} AND r.claimed_at > ${new Date(now.getTime() - 86_400_000)}`;
  return row;
}

/** Deletes health samples older than `before` (the cleanup worker's retention). */
export async function purgeHealthSamples(sql: Sql, before: Date, batch: number): Promise<number> {
  return (await sql`DELETE FROM taguato.instance_health WHERE id IN (
    SELECT id FROM taguato.instance_health WHERE sampled_at < ${before} ORDER BY sampled_at LIMIT ${batch})`)
    .count;
}
