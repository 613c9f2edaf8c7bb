// The Campaigns page's shared pieces: the campaign and progress shapes the API answers, the state badges,
// which buttons each state offers, the pacing presets, and the label of a status reason.
import * as z from "zod/mini";
import type { Locale, MessageKey } from "../lib/core/i18n.ts";
import { t } from "../lib/core/i18n.ts";

export { RECIPIENT_STATES } from "../lib/campaigns/states.ts";
export const Counts = z.record(z.string(), z.number());
export type Counts = z.infer<typeof Counts>;

export const Campaign = z.object({
  id: z.number(),
  name: z.string(),
  instance: z.string(),
  status: z.string(),
  status_reason: z.nullable(z.string()),
  variants: z.array(z.string()),
  media_url: z.nullable(z.string()),
  media_type: z.nullable(z.string()),
  start_at: z.string(),
  pacing: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  started_at: z.nullable(z.string()),
  finished_at: z.nullable(z.string()),
});
export type Campaign = z.infer<typeof Campaign>;
export const CampaignItem = z.extend(Campaign, { counts: Counts });
export type CampaignItem = z.infer<typeof CampaignItem>;

/** One `progress` event of GET /api/campaigns/{id}/events. */
export interface Progress {
  status: string;
  status_reason: string | null;
  counts: Counts;
  total: number;
  done: number;
  percent: number;
  per_minute: number;
  final: boolean;
}

/** The share done of a campaign's counts, as the progress stream computes it. */
export function progressFrom(c: { status: string; status_reason: string | null }, counts: Counts): Progress {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const done = total - (counts.queued ?? 0) - (counts.sending ?? 0);
  return {
    status: c.status,
    status_reason: c.status_reason,
    counts,
    total,
    done,
    percent: total === 0 ? 100 : Math.floor((done / total) * 100),
    per_minute: 0,
    final: FINAL.has(c.status),
  };
}

export const FINAL = new Set(["completed", "cancelled", "failed"]);

export const BADGES: Record<string, string> = {
  draft: "badge-neutral",
  scheduled: "badge-info",
  running: "badge-brand",
  paused: "badge-warn",
  completed: "badge-ok",
  cancelled: "badge-neutral",
  failed: "badge-danger",
};

export type Action = "pause" | "resume" | "cancel" | "start";
const ACTIONS_BY_STATE: Record<string, Action[]> = {
  draft: ["start", "cancel"],
  scheduled: ["pause", "cancel"],
  running: ["pause", "cancel"],
  paused: ["resume", "cancel"],
};
/** The actions the campaign's state allows (the API's transitions). */
export const actionsFor = (status: string): Action[] => ACTIONS_BY_STATE[status] ?? [];

/** The pacing fields of the create form, as typed (strings; empty = the API's default / none). */
export interface PacingFields {
  min_gap_s: string;
  max_gap_s: string;
  long_pause_every: string;
  long_pause_s: string;
  daily_cap: string;
  typing_ms: string;
  quiet_start: string;
  quiet_end: string;
}

/**
 * The presets (README, Campaigns): safe = slow and human-like for a new or sensitive number, normal = the
 * API's default gap with moderate pauses, fast = for a warmed-up number and opted-in audiences.
 */
export const PRESETS = {
  safe: {
    min_gap_s: "20",
    max_gap_s: "45",
    long_pause_every: "50",
    long_pause_s: "600",
    daily_cap: "300",
    typing_ms: "3000",
  },
  normal: {
    min_gap_s: "8",
    max_gap_s: "20",
    long_pause_every: "100",
    long_pause_s: "300",
    daily_cap: "1000",
    typing_ms: "1500",
  },
  fast: {
    min_gap_s: "3",
    max_gap_s: "8",
    long_pause_every: "200",
    long_pause_s: "120",
    daily_cap: "",
    typing_ms: "0",
  },
} as const;
export type Preset = keyof typeof PRESETS | "custom";

const REASONS = ["governor_failures", "governor_opt_outs", "instance_disconnected", "media_unavailable"];
/** A pause reason in the reader's language (an unknown code as it came). */
export function reasonLabel(locale: Locale, reason: string | null): string | null {
  if (!reason) return null;
  return REASONS.includes(reason) ? t(locale, `campaigns.reason.${reason}` as MessageKey) : reason;
}

/** The state's name in the reader's language. */
export const stateLabel = (locale: Locale, status: string) =>
  t(locale, `campaigns.state.${status}` as MessageKey) ?? status;
