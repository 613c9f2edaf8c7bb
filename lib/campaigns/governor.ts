// A first ban-risk guard per instance: the outcome of its last campaign sends. Engines refuse or lose
// messages, and recipients opt out, more often just before WhatsApp restricts a number, so when either
// share of the window crosses its threshold the campaign pauses with the reason instead of pushing on.
// (The adaptive budget and warm-up curve of issue #10 build on these same signals; not done yet.)
import type { Sql } from "../core/mod.ts";

/** The sends a verdict looks at: the instance's latest campaign sends. */
export const GOVERNOR_WINDOW = 50;
/** Fewer settled sends than this say nothing yet. */
export const GOVERNOR_MIN_SAMPLES = 20;
/** Failed or unknown sends at or above this share of the window pause the campaign. */
export const GOVERNOR_MAX_FAILURE_RATIO = 0.3;
/** Recipients of the window who opted out after their message, at or above this share, pause it. */
export const GOVERNOR_MAX_OPT_OUT_RATIO = 0.05;

export interface Signals {
  samples: number;
  failed: number;
  optedOut: number;
}

/**
 * The health score (0-100) and, when a threshold is crossed, the pause reason:
 * score = 100 × (1 − failure share) × (1 − min(1, 10 × opt-out share)).
 */
export function governorVerdict(s: Signals): { score: number; reason: string | null } {
  if (s.samples === 0) return { score: 100, reason: null };
  const failure = s.failed / s.samples;
  const optOut = s.optedOut / s.samples;
  const score = Math.round(100 * (1 - failure) * (1 - Math.min(1, 10 * optOut)));
  if (s.samples < GOVERNOR_MIN_SAMPLES) return { score, reason: null };
  if (failure >= GOVERNOR_MAX_FAILURE_RATIO) return { score, reason: "governor_failures" };
  if (optOut >= GOVERNOR_MAX_OPT_OUT_RATIO) return { score, reason: "governor_opt_outs" };
  return { score, reason: null };
}

/** The signals of the instance's last GOVERNOR_WINDOW settled campaign sends claimed since `since`. */
export async function instanceSignals(
  sql: Sql,
  userId: number,
  instanceName: string,
  since: Date | null,
): Promise<Signals> {
  const [row] = await sql<Signals[]>`
    SELECT count(*)::int AS samples,
      count(*) FILTER (WHERE w.status IN ('failed', 'unknown'))::int AS failed,
      count(*) FILTER (WHERE EXISTS (SELECT 1 FROM taguato.opt_outs o WHERE o.user_id = ${userId}
        AND o.phone_number = w.phone_number AND o.created_at >= w.claimed_at))::int AS "optedOut"
    FROM (SELECT r.status, r.phone_number, r.claimed_at FROM taguato.campaign_recipients r
      JOIN taguato.campaigns c ON c.id = r.campaign_id
      WHERE c.instance_name = ${instanceName} AND r.status IN ('sent', 'failed', 'unknown')
        AND r.claimed_at >= ${since ?? new Date(0)}
      ORDER BY r.claimed_at DESC LIMIT ${GOVERNOR_WINDOW}) w`;
  return row;
}
