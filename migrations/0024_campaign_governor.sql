-- 0024_campaign_governor: what issue #10's ban-risk governor, the recipient-zone quiet hours and the fair
-- per-instance queue need. A health sample per instance every few minutes (the score, the budget and the
-- signals behind them) for the instance page's chart; retention in the cleanup worker.
CREATE TABLE taguato.instance_health (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  instance_name text NOT NULL,
  -- The sampling slot (epoch ms / slot length): unique per instance, so replicas that sample at once
  -- write one row (ON CONFLICT DO NOTHING) without a lock.
  slot bigint NOT NULL,
  sampled_at timestamptz NOT NULL,
  score smallint NOT NULL CHECK (score BETWEEN 0 AND 100),
  -- The adaptive budget of campaign sends per rolling 24 h when sampled.
  daily_budget integer NOT NULL CHECK (daily_budget >= 0),
  samples integer NOT NULL,
  failed integer NOT NULL,
  delivered integer NOT NULL,
  read integer NOT NULL,
  replied integer NOT NULL,
  opted_out integer NOT NULL,
  reason text,
  UNIQUE (instance_name, slot)
);
CREATE INDEX instance_health_sampled ON taguato.instance_health (sampled_at);

-- Quiet hours in the recipient's zone (from the number's country) or the campaign's.
ALTER TABLE taguato.campaigns ADD COLUMN quiet_hours_zone text NOT NULL DEFAULT 'campaign'
  CHECK (quiet_hours_zone IN ('campaign', 'recipient'));
-- Round-robin between the due campaigns: each claim takes the next turn, and among campaigns due at once
-- the one whose last turn is oldest goes first.
CREATE SEQUENCE taguato.campaign_claim_turns;
ALTER TABLE taguato.campaigns ADD COLUMN claim_turn bigint NOT NULL DEFAULT 0;
-- The recipient's zone (set at create when the campaign uses recipient-zone quiet hours), and the instant
-- before which it may not be claimed (the end of its local quiet hours).
ALTER TABLE taguato.campaign_recipients ADD COLUMN time_zone text,
  ADD COLUMN not_before timestamptz;
