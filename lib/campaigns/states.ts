// The states of a campaign and of one recipient: shared by the server (lib/campaigns) and the panel's
// islands, so this module imports nothing.
export const CAMPAIGN_STATES = [
  "draft",
  "scheduled",
  "running",
  "paused",
  "completed",
  "cancelled",
  "failed",
] as const;
export type CampaignState = typeof CAMPAIGN_STATES[number];

export const RECIPIENT_STATES = [
  "queued",
  "sending",
  "sent",
  "failed",
  "unknown",
  "skipped",
  "cancelled",
] as const;
export type RecipientState = typeof RECIPIENT_STATES[number];
