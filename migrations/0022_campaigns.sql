-- 0022_campaigns: server-side campaigns (issue #10). A campaign is one paced bulk send on one instance;
-- each recipient is its own row, so the dispatcher can claim them with FOR UPDATE SKIP LOCKED from any
-- number of gateway processes and a restart continues where the last one stopped.
CREATE TABLE taguato.campaigns (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES taguato.users (id) ON DELETE CASCADE,
  -- No foreign key: an instance deleted mid-campaign leaves its history readable (the sends fail).
  instance_name text NOT NULL,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  status text NOT NULL CHECK (status IN ('draft', 'scheduled', 'running', 'paused', 'completed',
    'cancelled', 'failed')),
  -- 1-5 message texts with {{variables}}; each recipient gets one at random (its index is kept).
  variants text[] NOT NULL CHECK (cardinality(variants) BETWEEN 1 AND 5),
  media_url text,
  media_type text CHECK (media_type IS NULL OR media_type IN ('image', 'document', 'video', 'audio')),
  start_at timestamptz NOT NULL,
  -- Pacing: a random gap in [min_gap_s, max_gap_s] after each send, a long pause every N sends, a cap of
  -- campaign sends per instance and local day, and quiet hours (local minutes of the day) in time_zone.
  min_gap_s integer NOT NULL CHECK (min_gap_s >= 0),
  max_gap_s integer NOT NULL CHECK (max_gap_s >= min_gap_s),
  long_pause_every integer CHECK (long_pause_every IS NULL OR long_pause_every > 0),
  long_pause_s integer NOT NULL DEFAULT 0 CHECK (long_pause_s >= 0),
  daily_cap integer CHECK (daily_cap IS NULL OR daily_cap > 0),
  quiet_start smallint CHECK (quiet_start IS NULL OR quiet_start BETWEEN 0 AND 1439),
  quiet_end smallint CHECK (quiet_end IS NULL OR quiet_end BETWEEN 0 AND 1439),
  time_zone text NOT NULL DEFAULT 'UTC',
  -- "typing…" shown to the recipient before each send (the engine's `delay`), 0 = off.
  typing_ms integer NOT NULL DEFAULT 0 CHECK (typing_ms BETWEEN 0 AND 30000),
  -- When the dispatcher may send the next message (pacing and quiet hours push it forward).
  next_send_at timestamptz,
  -- Messages handed to the engine so far (drives the long pause).
  dispatched integer NOT NULL DEFAULT 0,
  -- Why the campaign stopped on its own (failed / auto-paused).
  status_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  -- The governor only weighs sends after the user's last resume (they chose to go on).
  resumed_at timestamptz,
  finished_at timestamptz,
  CHECK ((quiet_start IS NULL) = (quiet_end IS NULL))
);
CREATE INDEX campaigns_user ON taguato.campaigns (user_id, id DESC);
-- The dispatcher's scan: only campaigns that may send.
CREATE INDEX campaigns_due ON taguato.campaigns (next_send_at) WHERE status IN ('scheduled', 'running');

CREATE TABLE taguato.campaign_recipients (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign_id bigint NOT NULL REFERENCES taguato.campaigns (id) ON DELETE CASCADE,
  -- As given (validated at dispatch, so one bad number is skipped with its reason, not the whole batch).
  phone_number text NOT NULL CHECK (char_length(phone_number) <= 64),
  -- The template variables of this recipient (a contact's fields, name and number).
  vars jsonb NOT NULL DEFAULT '{}',
  variant smallint NOT NULL CHECK (variant BETWEEN 0 AND 4),
  -- queued → sending → sent | failed | unknown (a crash between claim and answer: never resent);
  -- skipped (opted_out / invalid / quota) and cancelled are final too. Receipts (delivered, read) are
  -- read from the linked ledger row, so they are never copied here.
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'unknown',
    'skipped', 'cancelled')),
  reason text,
  message_log_id bigint REFERENCES taguato.message_logs (id) ON DELETE SET NULL,
  claimed_at timestamptz,
  sent_at timestamptz
);
CREATE INDEX campaign_recipients_queue ON taguato.campaign_recipients (campaign_id, id) WHERE status = 'queued';
CREATE INDEX campaign_recipients_status ON taguato.campaign_recipients (campaign_id, status, id);
-- The per-instance daily cap counts recent claims (a claim is a send attempt).
-- The dispatcher's crash recovery looks for old `sending` rows on every pass.
CREATE INDEX campaign_recipients_in_flight ON taguato.campaign_recipients (claimed_at) WHERE status = 'sending';
CREATE INDEX campaign_recipients_claimed ON taguato.campaign_recipients (claimed_at) WHERE claimed_at IS NOT NULL;
