// A campaign as the API answers it (and the panel renders it): the row's public fields with its pacing in
// the create body's names, and the list page with each campaign's recipient counts in one extra query.
import type { Sql } from "../core/mod.ts";
import { clockTime } from "./pacing.ts";
import {
  type CampaignRow,
  listCampaigns,
  RECIPIENT_STATES,
  type RecipientCounts,
  type RecipientState,
} from "./store.ts";

const iso = (d: Date | null) => d ? d.toISOString() : null;

/** The JSON shape of a campaign. */
export const campaignView = (c: CampaignRow) => ({
  id: c.id,
  name: c.name,
  instance: c.instance_name,
  status: c.status,
  status_reason: c.status_reason,
  variants: c.variants,
  media_url: c.media_url,
  media_type: c.media_type,
  start_at: c.start_at.toISOString(),
  pacing: {
    min_gap_s: c.min_gap_s,
    max_gap_s: c.max_gap_s,
    long_pause_every: c.long_pause_every,
    long_pause_s: c.long_pause_s,
    daily_cap: c.daily_cap,
    quiet_start: c.quiet_start === null ? null : clockTime(c.quiet_start),
    quiet_end: c.quiet_end === null ? null : clockTime(c.quiet_end),
    time_zone: c.time_zone,
    quiet_hours_zone: c.quiet_hours_zone,
    typing_ms: c.typing_ms,
  },
  created_at: c.created_at.toISOString(),
  started_at: iso(c.started_at),
  finished_at: iso(c.finished_at),
});

/** The user's campaigns, newest first, each with its recipient counts by state, and the total. */
export async function listCampaignViews(sql: Sql, userId: number, limit: number, offset: number) {
  const { campaigns, total } = await listCampaigns(sql, userId, limit, offset);
  const rows = campaigns.length === 0
    ? []
    : await sql<{ campaign_id: number; status: RecipientState; n: number }[]>`
    SELECT campaign_id, status, count(*)::int AS n FROM taguato.campaign_recipients
    WHERE campaign_id = ANY(${campaigns.map((c) => c.id)}::bigint[]) GROUP BY campaign_id, status`;
  const counts = new Map<number, RecipientCounts>();
  for (const c of campaigns) {
    counts.set(c.id, Object.fromEntries(RECIPIENT_STATES.map((s) => [s, 0])) as RecipientCounts);
  }
  for (const r of rows) counts.get(Number(r.campaign_id))![r.status] = r.n;
  return { campaigns: campaigns.map((c) => ({ ...campaignView(c), counts: counts.get(c.id)! })), total };
}
