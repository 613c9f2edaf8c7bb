// Per-user message quotas: daily and monthly caps an admin sets, counted in one PostgreSQL row per user
// (migration 0016). A send is admitted by ONE conditional upsert, so concurrent sends on any number of
// replicas serialise on that row's lock and never pass the cap; no cache is involved, so a Redis outage
// changes nothing. Periods are UTC calendar days and months.
import {
  type AppDeps,
  createGroupCommit,
  fail,
  isPool,
  perPool,
  retryDeadlock,
  type Sql,
} from "../core/mod.ts";
import type { TransactionSql } from "postgres";
import { createMailer } from "../mail/mod.ts";
import { enqueueTenantEvent } from "../webhooks/mod.ts";

/** The share of a cap at which the tenant is warned, once per period. */
export const QUOTA_WARNING_RATIO = 0.8;

export interface QuotaLimits {
  daily: number | null;
  monthly: number | null;
}

export interface PeriodUsage {
  used: number;
  limit: number | null;
  remaining: number | null;
  /** floor(used / limit × 100); null without a cap. */
  percent: number | null;
  /** Start of the next period (ISO 8601, UTC). */
  resets_at: string;
}

export interface Usage {
  daily: PeriodUsage;
  monthly: PeriodUsage;
}

export interface QuotaRow {
  daily_limit: number | null;
  monthly_limit: number | null;
  day_used: number;
  month_used: number;
  day_warned: string | null;
  month_warned: string | null;
}

/** The UTC day and month (YYYY-MM-DD, month = its first day) of an instant, and when each ends. */
export function periodsAt(ms: number) {
  const d = new Date(ms);
  const y = d.getUTCFullYear(), m = d.getUTCMonth();
  const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
  return {
    day: iso(Date.UTC(y, m, d.getUTCDate())),
    month: iso(Date.UTC(y, m, 1)),
    dayEnds: new Date(Date.UTC(y, m, d.getUTCDate() + 1)),
    monthEnds: new Date(Date.UTC(y, m + 1, 1)),
  };
}

// The counters as of `day`/`month`: a counter of a finished period reads as 0.
const dayUsed = (sql: Sql | TransactionSql, day: string) =>
  sql`CASE WHEN q.day = ${day}::date THEN q.day_used ELSE 0 END`;
const monthUsed = (sql: Sql | TransactionSql, month: string) =>
  sql`CASE WHEN q.month = ${month}::date THEN q.month_used ELSE 0 END`;

function periodUsage(used: number, limit: number | null, resets: Date): PeriodUsage {
  return {
    used,
    limit,
    remaining: limit === null ? null : Math.max(0, limit - used),
    percent: limit === null ? null : Math.floor((used / limit) * 100),
    resets_at: resets.toISOString(),
  };
}

/** The user's caps and current usage. */
export async function quotaUsage(deps: AppDeps, userId: number): Promise<Usage> {
  const p = periodsAt(deps.clock.now());
  const { sql } = deps;
  const [row] = await sql<QuotaRow[]>`
    SELECT q.daily_limit, q.monthly_limit, ${dayUsed(sql, p.day)}::int AS day_used,
      ${monthUsed(sql, p.month)}::int AS month_used
    FROM taguato.user_quotas q WHERE q.user_id = ${userId}`;
  return {
    daily: periodUsage(row?.day_used ?? 0, row?.daily_limit ?? null, p.dayEnds),
    monthly: periodUsage(row?.month_used ?? 0, row?.monthly_limit ?? null, p.monthEnds),
  };
}

/** The user's caps (null = none). */
export async function quotaLimits(sql: Sql, userId: number): Promise<QuotaLimits> {
  const [row] = await sql<{ daily_limit: number | null; monthly_limit: number | null }[]>`
    SELECT daily_limit, monthly_limit FROM taguato.user_quotas WHERE user_id = ${userId}`;
  return { daily: row?.daily_limit ?? null, monthly: row?.monthly_limit ?? null };
}

/** Sets the user's caps (null removes one); the counters are kept. False when the user does not exist. */
export async function setQuotaLimits(sql: Sql, userId: number, limits: QuotaLimits): Promise<boolean> {
  const rows = await sql`
    INSERT INTO taguato.user_quotas (user_id, daily_limit, monthly_limit)
    SELECT id, ${limits.daily}, ${limits.monthly} FROM taguato.users WHERE id = ${userId}
    ON CONFLICT (user_id) DO UPDATE SET daily_limit = EXCLUDED.daily_limit,
      monthly_limit = EXCLUDED.monthly_limit, updated_at = now()`;
  return rows.count > 0;
}

/**
 * Counts `count` messages against the user's caps, atomically across replicas: either all of them fit in
 * both the day and the month and are counted, or nothing is counted and a 429 (`quota_daily_exceeded` /
 * `quota_monthly_exceeded`, with the period, limit, usage and reset time) is thrown. Crossing 80 % of a cap
 * warns the tenant once per period (e-mail when SMTP and an address are set, and a `quota.warning` event
 * to their webhooks). Every send path calls it before handing a message to the engine.
 */
export async function consumeQuota(deps: AppDeps, userId: number, count = 1): Promise<Usage> {
  const { sql } = deps;
  const p = periodsAt(deps.clock.now());
  // A single send (the usual case) joins the concurrent sends' one transaction; alone, it writes its own.
  let slot: PendingAdmission | undefined;
  if (count === 1 && isPool(sql)) {
    slot = { userId, p, row: undefined, done: false };
    await admitter(sql).add(slot);
  }
  const row = slot?.done ? slot.row : (await admitQuotas(sql, [{ userId, p, count }]))[0];
  return await quotaOutcome(deps, userId, row, p, count);
}

/**
 * The outcome of an admission upsert (`row`, undefined when refused): the 429 of a refused one, else the
 * usage it leaves, after warning the tenant if it crossed 80 % of a cap.
 */
export async function quotaOutcome(
  deps: AppDeps,
  userId: number,
  row: QuotaRow | undefined,
  p: Periods,
  count: number,
): Promise<Usage> {
  if (!row) throw await exceeded(deps, userId, count);
  const usage = {
    daily: periodUsage(row.day_used, row.daily_limit, p.dayEnds),
    monthly: periodUsage(row.month_used, row.monthly_limit, p.monthEnds),
  };
  await maybeWarn(deps, userId, row, p, usage);
  return usage;
}

export type Periods = ReturnType<typeof periodsAt>;

/** One admission request: `count` messages of a user in the periods of `p`. */
export interface QuotaRequest {
  userId: number;
  p: Periods;
  count: number;
}

/**
 * The admission of `requests` in their order (taguato.admit_quota, migration 0025), as a table to select
 * from: a row per admitted request, `ord` its 1-based position; a refused one has none and counts nothing.
 * Pass them sorted by user so concurrent batches lock the users' rows in one order.
 */
export const quotaAdmissions = (sql: Sql | TransactionSql, requests: QuotaRequest[]) =>
  sql`taguato.admit_quota(${requests.map((r) => r.userId)}::bigint[], ${requests.map((r) => r.count)}::int[],
                          ${requests.map((r) => r.p.day)}::date[], ${
    requests.map((r) => r.p.month)
  }::date[])`;

/** Admits `requests` in one statement: each one's counters, or undefined when its cap refused it. */
async function admitQuotas(sql: Sql, requests: QuotaRequest[]): Promise<(QuotaRow | undefined)[]> {
  const rows = await sql<(QuotaRow & { ord: number })[]>`SELECT * FROM ${quotaAdmissions(sql, requests)}`;
  const out: (QuotaRow | undefined)[] = requests.map(() => undefined);
  for (const { ord, ...row } of rows) out[ord - 1] = row;
  return out;
}

// ---- group commit of the sends' admissions (lib/core/group_commit.ts) ----
//
// Every send of a user upserts that user's one row, so one-by-one they queue on its lock, each holding it
// until its own commit is on disk. The sends that arrive together are admitted by ONE statement, in arrival
// order per user: each sees the counts of the ones before it (the same admissions as one by one, exact
// across replicas, which still serialise on the row), and one commit releases the lock for them all.

interface PendingAdmission {
  userId: number;
  p: Periods;
  /** The upsert's row; undefined when the cap refused the send. */
  row: QuotaRow | undefined;
  /** Whether the batch committed; false leaves the send to its own upsert (the batch failed). */
  done: boolean;
}

const admitter = perPool((sql) =>
  createGroupCommit<PendingAdmission>((batch) => admitBatch(sql, batch).catch(() => {}))
);

async function admitBatch(sql: Sql, batch: PendingAdmission[]): Promise<void> {
  // Users in id order, so two replicas' batches take the rows' locks in the same order; a sort is stable,
  // so one user's sends keep their arrival order.
  const ordered = [...batch].sort((a, b) => a.userId - b.userId);
  const rows = await retryDeadlock(() => admitQuotas(sql, ordered.map((a) => ({ ...a, count: 1 }))));
  ordered.forEach((a, i) => {
    a.row = rows[i];
    a.done = true;
  });
}

/** The 429 for a refused consumeQuota: which cap is full, with the numbers the client needs. */
async function exceeded(deps: AppDeps, userId: number, count: number) {
  const usage = await quotaUsage(deps, userId);
  const daily = usage.daily.limit !== null && usage.daily.used + count > usage.daily.limit;
  const u = daily ? usage.daily : usage.monthly;
  const retryAfter = Math.max(1, Math.ceil((Date.parse(u.resets_at) - deps.clock.now()) / 1000));
  return fail(daily ? "quota_daily_exceeded" : "quota_monthly_exceeded", {
    limit: u.limit ?? 0,
    used: u.used,
  }, {
    extra: { period: daily ? "day" : "month", limit: u.limit, used: u.used, resets_at: u.resets_at },
    headers: { "retry-after": String(retryAfter) },
  });
}

// Warns at most once per period: the UPDATE that sets the period's `*_warned` is the claim, so only one
// replica sends. A failed warning is logged, never the send's failure.
async function maybeWarn(deps: AppDeps, userId: number, row: QuotaRow, p: Periods, usage: Usage) {
  const due = (u: PeriodUsage, warned: string | null, period: string) =>
    u.limit !== null && u.used >= u.limit * QUOTA_WARNING_RATIO && warned !== period;
  const kinds = [
    ...(due(usage.daily, row.day_warned, p.day) ? ["day" as const] : []),
    ...(due(usage.monthly, row.month_warned, p.month) ? ["month" as const] : []),
  ];
  for (const kind of kinds) {
    const claimed = kind === "day"
      ? await deps.sql`UPDATE taguato.user_quotas SET day_warned = ${p.day}
          WHERE user_id = ${userId} AND day_warned IS DISTINCT FROM ${p.day}::date`
      : await deps.sql`UPDATE taguato.user_quotas SET month_warned = ${p.month}
          WHERE user_id = ${userId} AND month_warned IS DISTINCT FROM ${p.month}::date`;
    if (claimed.count === 0) continue;
    const u = kind === "day" ? usage.daily : usage.monthly;
    try {
      await sendWarning(deps, userId, kind, u);
    } catch (err) {
      deps.log.warn("quota warning failed", { userId, kind, error: String(err) });
    }
  }
}

async function sendWarning(deps: AppDeps, userId: number, period: "day" | "month", u: PeriodUsage) {
  const data = { period, used: u.used, limit: u.limit, percent: u.percent, resets_at: u.resets_at };
  await enqueueTenantEvent(deps, userId, "quota.warning", data);
  const [user] = await deps.sql<{ username: string; email: string | null }[]>`
    SELECT username, email FROM taguato.users WHERE id = ${userId}`;
  if (!deps.config.smtp || !user?.email) return;
  const what = period === "day" ? "daily" : "monthly";
  const text = `Hello ${user.username},\n\nYou have used ${u.used} of your ${what} quota of ${u.limit} ` +
    `messages (${u.percent}%). Sends stop when it is reached; it resets at ${u.resets_at}.\n\nTAGUATO-SEND`;
  await createMailer(deps.config.smtp).send(user.email, {
    subject: `Message quota at ${u.percent}% - TAGUATO-SEND`,
    text,
    html: `<p>${text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll("\n", "<br>")}</p>`,
  });
}
