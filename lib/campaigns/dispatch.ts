// The campaign dispatcher: claims the next recipient of a due campaign and sends it, from any number of
// processes at once. The claim is one short transaction holding the campaign's row lock (FOR UPDATE SKIP
// LOCKED, so another dispatcher moves on to another campaign instead of waiting) that checks the state,
// quiet hours and the instance's daily cap, skips opted-out / invalid / over-quota numbers with their
// reason, marks the recipient `sending` and pushes `next_send_at` by the pacing gap. The engine call comes
// after the commit, so pause/cancel never wait on it and take effect before the next claim. At most once:
// a row still `sending` after `staleSendingMs` was left by a crash and becomes `unknown`, never resent.
import type postgres from "postgres";
import { type AppDeps, HttpError, type Sql } from "../core/mod.ts";
import { EvolutionError, type FetchedMedia, fetchMedia, normalizeRecipient } from "../gateway/mod.ts";
import {
  beginSend,
  consumeQuota,
  isOptedOut,
  recordOutbound,
  renderTemplate,
  settleOutbound,
  type TemplateVars,
} from "../messaging/mod.ts";
import { gapAfterMs, type Pacing, quietWaitMs } from "./pacing.ts";
import { budgetUse, governorVerdict, HEALTH_SAMPLE_MS, instanceSignals, sampledHealth } from "./governor.ts";
import { campaignColumns, type CampaignRow, type SkipReason } from "./store.ts";

export interface DispatchOptions {
  /** Claims (sends and skips) per call at most; default 100. */
  maxClaims?: number;
  /** A `sending` row older than this was left by a crash (default 10 minutes, above any engine timeout). */
  staleSendingMs?: number;
  random?: () => number;
}

export interface DispatchResult {
  sent: number;
  failed: number;
  unknown: number;
  skipped: number;
  /** Rows a crash left `sending`, now `unknown`. */
  recovered: number;
  completed: number;
  paused: number;
}

interface Recipient {
  id: number;
  phone_number: string;
  vars: Record<string, unknown>;
  variant: number;
  time_zone: string | null;
}

/** What a claim did; `skipped` counts the recipients it skipped on the way. */
type Claim =
  | { kind: "send"; campaign: CampaignRow; recipient: Recipient; phone: string; skipped: number }
  | { kind: "skipped" | "completed" | "waiting" | "busy"; skipped: number };

const BUSY_WAIT_MS = 2;
const MAX_BUSY_RETRIES = 500;

/** One dispatcher pass: recovers crash leftovers, then claims and sends until nothing is due. */
export async function dispatchCampaigns(deps: AppDeps, opts: DispatchOptions = {}): Promise<DispatchResult> {
  const result: DispatchResult = {
    sent: 0,
    failed: 0,
    unknown: 0,
    skipped: 0,
    recovered: 0,
    completed: 0,
    paused: 0,
  };
  result.recovered = await recoverStale(deps, opts.staleSendingMs ?? 10 * 60_000);
  const random = opts.random ?? Math.random;
  // A campaign's media is downloaded once per pass by the gateway (addresses checked as for any send),
  // then handed to the engine as base64, so the engine never fetches a URL itself.
  const media = new Map<number, Promise<FetchedMedia>>();
  let busy = 0;
  for (let i = 0; i < (opts.maxClaims ?? 100); i++) {
    const claim = await deps.sql.begin((tx) => claimNext(deps, tx, random));
    if (claim === null) break;
    if (claim.kind === "busy") {
      // Another dispatcher holds the due campaign for its (short) claim: try again in a moment, so two
      // processes on one campaign share the work instead of one of them giving up.
      if (++busy > MAX_BUSY_RETRIES) break;
      i--;
      await new Promise((r) => setTimeout(r, BUSY_WAIT_MS));
      continue;
    }
    busy = 0;
    result.skipped += claim.skipped;
    if (claim.kind === "completed") result.completed++;
    else if (claim.kind === "send") {
      const outcome = await deliver(deps, claim, media);
      result[outcome]++;
      if (await governorPaused(deps, claim.campaign, outcome)) result.paused++;
    }
  }
  return result;
}

/** Rows left `sending` by a crashed dispatcher become `unknown` (the engine may have sent them). */
async function recoverStale(deps: AppDeps, staleMs: number): Promise<number> {
  const before = new Date(deps.clock.now() - staleMs);
  const rows = await deps.sql`
    UPDATE taguato.campaign_recipients SET status = 'unknown', reason = 'interrupted'
    WHERE status = 'sending' AND claimed_at < ${before}`;
  return rows.count;
}

const pacingOf = (c: CampaignRow): Pacing => ({
  minGapS: c.min_gap_s,
  maxGapS: c.max_gap_s,
  longPauseEvery: c.long_pause_every,
  longPauseS: c.long_pause_s,
  quietStart: c.quiet_start,
  quietEnd: c.quiet_end,
  timeZone: c.time_zone,
});

// Skips per claim at most, so a list of bad numbers does not hold the campaign lock for long.
const MAX_SKIPS_PER_CLAIM = 50;

async function claimNext(
  deps: AppDeps,
  tx: postgres.TransactionSql,
  random: () => number,
): Promise<Claim | null> {
  const now = new Date(deps.clock.now());
  const [c] = await tx<CampaignRow[]>`
    SELECT ${campaignColumns(tx)} FROM taguato.campaigns c
    WHERE c.status IN ('scheduled', 'running') AND c.next_send_at <= ${now}
    ORDER BY c.next_send_at, c.claim_turn, c.id LIMIT 1 FOR UPDATE SKIP LOCKED`;
  if (!c) {
    const [locked] = await tx`SELECT 1 FROM taguato.campaigns
      WHERE status IN ('scheduled', 'running') AND next_send_at <= ${now} LIMIT 1`;
    return locked ? { kind: "busy", skipped: 0 } : null;
  }
  const later = (ms: number) =>
    tx`UPDATE taguato.campaigns SET next_send_at = ${new Date(now.getTime() + ms)} WHERE id = ${c.id}`;

  const quiet = c.quiet_hours_zone === "campaign" ? quietWaitMs(pacingOf(c), now.getTime()) : 0;
  if (quiet > 0) {
    await later(quiet);
    return { kind: "waiting", skipped: 0 };
  }
  let skips = 0;
  let instanceChecked = false;
  for (let looked = 0; looked < MAX_SKIPS_PER_CLAIM; looked++) {
    const [r] = await tx<Recipient[]>`
      SELECT id, phone_number, vars, variant, time_zone FROM taguato.campaign_recipients
      WHERE campaign_id = ${c.id} AND status = 'queued' AND (not_before IS NULL OR not_before <= ${now})
      ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`;
    if (!r) return { ...await finishOrWait(tx, c, now, later), skipped: skips };
    // Recipient-zone quiet hours hold this recipient alone until its local morning; the others go on.
    const held = c.quiet_hours_zone === "recipient"
      ? quietWaitMs({ ...pacingOf(c), timeZone: r.time_zone ?? c.time_zone }, now.getTime())
      : 0;
    if (held > 0) {
      await tx`UPDATE taguato.campaign_recipients SET not_before = ${new Date(now.getTime() + held)}
        WHERE id = ${r.id}`;
      continue;
    }
    // Only a campaign with someone left to send waits for its instance (one that is done completes).
    if (!instanceChecked) {
      instanceChecked = true;
      const wakeAt = await instanceWait(deps, tx, c, now);
      if (wakeAt) {
        await tx`UPDATE taguato.campaigns SET next_send_at = ${wakeAt} WHERE id = ${c.id}`;
        return { kind: "waiting", skipped: skips };
      }
    }
    // The checks run on the claim's own connection: a second one would wait forever where the pool has a
    // single connection (the embedded database), and a rolled-back claim then rolls back its quota count too.
    const verdict = await admit({ ...deps, sql: tx as unknown as Sql }, c, r);
    if (isSkip(verdict)) {
      await tx`UPDATE taguato.campaign_recipients SET status = 'skipped', reason = ${verdict}
        WHERE id = ${r.id}`;
      skips++;
      continue;
    }
    await tx`UPDATE taguato.campaign_recipients SET status = 'sending', claimed_at = ${now} WHERE id = ${r.id}`;
    await tx`
      UPDATE taguato.campaigns SET status = 'running', dispatched = dispatched + 1, updated_at = ${now},
        started_at = COALESCE(started_at, ${now}), status_reason = NULL,
        claim_turn = nextval('taguato.campaign_claim_turns'),
        next_send_at = ${new Date(now.getTime() + gapAfterMs(pacingOf(c), c.dispatched + 1, random))}
      WHERE id = ${c.id}`;
    return { kind: "send", campaign: c, recipient: r, phone: verdict, skipped: skips };
  }
  return { kind: "skipped", skipped: skips };
}

const SKIPS = new Set<string>(["opted_out", "invalid", "quota"]);
const isSkip = (v: string): v is SkipReason => SKIPS.has(v);

/** The normalised number to send to, or the skip reason (`deps.sql` is the claim's transaction). */
async function admit(deps: AppDeps, c: CampaignRow, r: Recipient): Promise<string> {
  let phone: string;
  try {
    phone = normalizeRecipient(r.phone_number);
  } catch {
    return "invalid";
  }
  if (await isOptedOut(deps.sql, c.user_id, phone)) return "opted_out";
  try {
    // Counted per send, at dispatch: a campaign created under the cap may still meet it later.
    await consumeQuota(deps, c.user_id, 1);
  } catch (err) {
    if (err instanceof HttpError && err.status === 429) return "quota";
    throw err;
  }
  return phone;
}

// A transactional send (API, panel, scheduled) on the instance still waiting for the engine: the campaign
// steps aside for it. Read from the ledger's `sending` rows, so every replica sees the same queue.
const TRANSACTIONAL_YIELD_MS = 200;

/**
 * When the campaign must wait for its instance, or null to go on: a transactional send ahead of it, the
 * daily cap, or the governor's budget of campaign sends per rolling 24 h (it waits with that reason).
 */
async function instanceWait(
  deps: AppDeps,
  tx: postgres.TransactionSql,
  c: CampaignRow,
  now: Date,
): Promise<Date | null> {
  const [ahead] = await tx`
    SELECT 1 FROM taguato.message_logs WHERE status = 'sending' AND created_at > now() - interval '10 minutes'
      AND instance_name = ${c.instance_name} AND source IN ('api', 'panel', 'scheduled') LIMIT 1`;
  if (ahead) return new Date(now.getTime() + TRANSACTIONAL_YIELD_MS);
  if (c.daily_cap !== null) {
    const nextDay = await dailyCapReached(tx, c, now);
    if (nextDay) return nextDay;
  }
  const warmup = deps.config.campaignWarmupDaily;
  const { dailyBudget } = await sampledHealth(tx, c.user_id, c.instance_name, warmup, now.getTime());
  if (dailyBudget === null) return null;
  const { used, oldest } = await budgetUse(tx, c.instance_name, now);
  if (used < dailyBudget) return null;
  await tx`UPDATE taguato.campaigns SET status_reason = 'governor_budget' WHERE id = ${c.id}`;
  // The oldest send of the window leaving frees a slot, and the next sample may grow the budget: whichever
  // comes first.
  const nextSample = (Math.floor(now.getTime() / HEALTH_SAMPLE_MS) + 1) * HEALTH_SAMPLE_MS;
  return new Date(Math.min(nextSample, oldest ? oldest.getTime() + 86_400_000 : nextSample));
}

// The start of the next local day when the instance already had `daily_cap` campaign sends today.
async function dailyCapReached(tx: postgres.TransactionSql, c: CampaignRow, now: Date): Promise<Date | null> {
  const [row] = await tx<{ sent: number; next_day: Date }[]>`
    WITH day AS (SELECT date_trunc('day', ${now}::timestamptz AT TIME ZONE ${c.time_zone}) AS d)
    SELECT (SELECT count(*)::int FROM taguato.campaign_recipients r
        JOIN taguato.campaigns o ON o.id = r.campaign_id
        WHERE o.instance_name = ${c.instance_name} AND r.claimed_at >= (day.d AT TIME ZONE ${c.time_zone})
      ) AS sent,
      (day.d + interval '1 day') AT TIME ZONE ${c.time_zone} AS next_day
    FROM day`;
  return row.sent >= (c.daily_cap ?? Infinity) ? row.next_day : null;
}

// No recipient left queued: complete, unless another dispatcher still has a send in flight.
async function finishOrWait(
  tx: postgres.TransactionSql,
  c: CampaignRow,
  now: Date,
  later: (ms: number) => Promise<unknown>,
): Promise<{ kind: "waiting" | "completed" }> {
  const [inFlight] = await tx`
    SELECT 1 FROM taguato.campaign_recipients WHERE campaign_id = ${c.id} AND status = 'sending' LIMIT 1`;
  if (inFlight) {
    await later(1000);
    return { kind: "waiting" };
  }
  const [held] = await tx<{ at: Date | null }[]>`
    SELECT min(not_before) AS at FROM taguato.campaign_recipients
    WHERE campaign_id = ${c.id} AND status = 'queued'`;
  if (held.at) {
    await later(Math.max(1, held.at.getTime() - now.getTime()));
    return { kind: "waiting" };
  }
  await tx`UPDATE taguato.campaigns SET status = 'completed', finished_at = ${now}, updated_at = ${now},
    next_send_at = NULL WHERE id = ${c.id}`;
  return { kind: "completed" };
}

type Outcome = "sent" | "failed" | "unknown" | "paused";

// The engine's answer when the instance's socket is closed: the send never left, so the recipient goes
// back to the queue and the campaign pauses with the reason (resume once the number is reconnected).
const DISCONNECTED = /Connection Closed/i;

// The governor looks after every failure and every GOVERNOR_EVERY-th send (opt-outs arrive later).
const GOVERNOR_EVERY = 10;

/** Pauses the campaign when the instance's recent signals cross a governor threshold. */
async function governorPaused(deps: AppDeps, c: CampaignRow, outcome: Outcome): Promise<boolean> {
  if (outcome === "paused") return false;
  if (outcome === "sent" && (c.dispatched + 1) % GOVERNOR_EVERY !== 0) return false;
  const { reason } = governorVerdict(
    await instanceSignals(deps.sql, c.user_id, c.instance_name, c.resumed_at, deps.clock.now()),
  );
  if (!reason) return false;
  const rows = await deps.sql`UPDATE taguato.campaigns SET status = 'paused', status_reason = ${reason},
    updated_at = ${new Date(deps.clock.now())} WHERE id = ${c.id} AND status IN ('scheduled', 'running')`;
  return rows.count > 0;
}

/** Puts a recipient that never left back in the queue and pauses its campaign with the reason. */
async function pauseFor(deps: AppDeps, c: CampaignRow, recipientId: number, reason: string) {
  await deps.sql`UPDATE taguato.campaign_recipients SET status = 'queued', claimed_at = NULL,
    message_log_id = NULL WHERE id = ${recipientId}`;
  await deps.sql`UPDATE taguato.campaigns SET status = 'paused', status_reason = ${reason},
    updated_at = ${new Date(deps.clock.now())} WHERE id = ${c.id} AND status IN ('scheduled', 'running')`;
  return "paused" as const;
}

/** The campaign's media as base64, downloaded at most once per pass; null when it cannot be fetched. */
async function mediaOf(deps: AppDeps, c: CampaignRow, cache: Map<number, Promise<FetchedMedia>>) {
  let got = cache.get(c.id);
  if (!got) {
    got = fetchMedia(c.media_url!, "media_url", { allowPrivate: deps.config.mediaAllowPrivate });
    cache.set(c.id, got);
  }
  try {
    return await got;
  } catch (err) {
    deps.log.warn("campaign media fetch failed", { campaign: c.id, error: String(err) });
    return null;
  }
}

/** Records, sends and settles one claimed recipient. */
async function deliver(
  deps: AppDeps,
  claim: Extract<Claim, { kind: "send" }>,
  cache: Map<number, Promise<FetchedMedia>>,
): Promise<Outcome> {
  const { campaign: c, recipient: r, phone } = claim;
  const media = c.media_url ? await mediaOf(deps, c, cache) : null;
  if (c.media_url && !media) return await pauseFor(deps, c, r.id, "media_unavailable");
  const vars: TemplateVars = { number: phone, ...(r.vars as TemplateVars) };
  const { text } = renderTemplate(c.variants[r.variant] ?? c.variants[0], vars);
  const logId = await recordOutbound(deps, {
    userId: c.user_id,
    instanceName: c.instance_name,
    phoneNumber: phone,
    messageType: c.media_type ?? "text",
    status: "sending",
    source: "campaign",
    bodyText: text,
  });
  const finish = (status: string, reason: string | null) =>
    deps.sql`UPDATE taguato.campaign_recipients SET status = ${status}, reason = ${reason},
      message_log_id = ${logId}, sent_at = CASE WHEN ${status} = 'sent' THEN ${new Date(
      deps.clock.now(),
    )}::timestamptz END
      WHERE id = ${r.id}`;
  // Evolution shows "typing…" (composing presence) for `delay` ms before it sends.
  const typing = c.typing_ms > 0 ? { delay: c.typing_ms } : {};
  // Until it settled, the engine's SEND_MESSAGE for this send waits for it (lib/messaging/send_flights.ts).
  const landed = beginSend(deps.sql, c.instance_name, phone);
  try {
    const record = media
      ? await deps.evolution.sendMedia(c.instance_name, {
        number: phone,
        mediatype: c.media_type as "image" | "document" | "video" | "audio",
        media: media.base64,
        ...(media.mimetype ? { mimetype: media.mimetype } : {}),
        ...(media.fileName ? { fileName: media.fileName } : {}),
        caption: text,
        ...typing,
      })
      : await deps.evolution.sendText(c.instance_name, { number: phone, text, ...typing });
    await settleOutbound(deps, logId, { status: "sent", engineMessageId: record.key.id });
    await finish("sent", null);
    return "sent";
  } catch (err) {
    const detail = err instanceof EvolutionError ? err.detail : String(err);
    // An HTTP answer means the engine refused it; a timeout or a cut connection may have sent it.
    const refused = err instanceof EvolutionError && err.kind === "http";
    await settleOutbound(deps, logId, { status: refused ? "failed" : "unknown", errorMessage: detail });
    if (refused && DISCONNECTED.test(detail)) return await pauseFor(deps, c, r.id, "instance_disconnected");
    await finish(refused ? "failed" : "unknown", detail.slice(0, 500));
    return refused ? "failed" : "unknown";
  } finally {
    landed();
  }
}
