-- 0020_scheduled_recurrence: scheduled messages with a time zone, recurrence, per-recipient template
-- variables and a worker lease; the user's time-zone setting (issue 9 item 4, contract §1.6, §5.3).

-- ---------------------------------------------------------------------------------------------------
-- users: the zone a time without offset is read in (TAGUATO-SEND clients send local wall-clock times).
-- ---------------------------------------------------------------------------------------------------
-- why nullable: NULL follows the deployment's DEFAULT_TIME_ZONE, so changing it moves every user who
-- never chose one. The app validates the IANA name; the DB only bounds its size.
ALTER TABLE taguato.users
  ADD COLUMN time_zone text CHECK (time_zone IS NULL OR char_length(time_zone) BETWEEN 1 AND 64);

-- ---------------------------------------------------------------------------------------------------
-- scheduled_messages
-- ---------------------------------------------------------------------------------------------------
ALTER TABLE taguato.scheduled_messages
  -- why: recurrence ("every day at 09:00") is wall-clock time in this zone, so DST moves the instant,
  -- not the hour. scheduled_at stays the instant (timestamptz) the worker compares with now().
  ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC' CHECK (char_length(time_zone) BETWEEN 1 AND 64),
  -- {type: daily|weekly|monthly|cron, days?, cron?}; shape validated by the app (lib/messaging/recurrence.ts).
  ADD COLUMN recurrence jsonb CHECK (recurrence IS NULL OR jsonb_typeof(recurrence) = 'object'),
  -- Last instant an occurrence may fall on (inclusive); NULL = no end.
  ADD COLUMN recurrence_until timestamptz,
  -- why one row per occurrence (not one row rescheduled): the ledger's UNIQUE (scheduled_message_id,
  -- phone_number) is the at-most-once claim of a recipient, so every occurrence needs its own id.
  -- series_id points at the first occurrence; SET NULL keeps later ones if the first is deleted.
  ADD COLUMN series_id bigint REFERENCES taguato.scheduled_messages (id) ON DELETE SET NULL,
  ADD COLUMN occurrence integer NOT NULL DEFAULT 1 CHECK (occurrence >= 1),
  -- The template the text came from (its content is copied into message_content at creation, so a later
  -- template edit does not change what was scheduled).
  ADD COLUMN template_id bigint REFERENCES taguato.message_templates (id) ON DELETE SET NULL,
  -- Per-recipient variables: {"595981...": {"name": "Ana", ...}}; rendered into {{...}} at send time.
  ADD COLUMN variables jsonb CHECK (variables IS NULL OR jsonb_typeof(variables) = 'object'),
  -- why a lease: one worker process works a message (pacing is per message); if it dies, another takes
  -- the message over once the lease passes. The per-recipient claim stays the ledger's unique index.
  ADD COLUMN lease_until timestamptz,
  ADD COLUMN lease_owner text CHECK (lease_owner IS NULL OR char_length(lease_owner) <= 100);

-- Worker claim: due pending rows, and processing rows whose lease passed (their worker died).
CREATE INDEX scheduled_messages_lease_idx ON taguato.scheduled_messages (lease_until)
  WHERE status = 'processing';
-- GET /api/scheduled?series_id=: the occurrences of one series; also the SET NULL.
CREATE INDEX scheduled_messages_series_idx ON taguato.scheduled_messages (series_id)
  WHERE series_id IS NOT NULL;
-- The template SET NULL.
CREATE INDEX scheduled_messages_template_idx ON taguato.scheduled_messages (template_id)
  WHERE template_id IS NOT NULL;
