-- 0016_history_quotas: client-reported log rows, the message text for History search, a covering index
-- for the dashboards, and per-user daily/monthly message quotas with their counters.

-- ---------------------------------------------------------------------------------------------------
-- message_logs: client-reported rows (POST /api/messages/log) and the text History searches.
-- ---------------------------------------------------------------------------------------------------
-- why 'client': a row a client logged itself for a send the gateway did not see. When the gateway did see
-- it, the client's report is merged into the gateway's row instead (client_reported_at), so dashboards
-- count each message once (contract §14 #20 doubled every panel send).
ALTER TABLE taguato.message_logs DROP CONSTRAINT message_logs_source_check;
ALTER TABLE taguato.message_logs ADD CONSTRAINT message_logs_source_check
  CHECK (source IN ('api', 'panel', 'scheduled', 'campaign', 'engine', 'client'));
-- Set when a client's POST /api/messages/log was folded into this gateway row: one report per row.
ALTER TABLE taguato.message_logs ADD COLUMN client_reported_at timestamptz;
-- why: History's text search needs the message (text or caption), and a scheduled recipient's row keeps the
-- text rendered for it ({{name}} filled in); capped like a scheduled text so a 50 MB body never lands here.
ALTER TABLE taguato.message_logs ADD COLUMN body_text text CHECK (char_length(body_text) <= 5000);
-- Dashboards and the per-day rates: an index-only range scan of the caller's rows by time, with the two
-- columns they count by. (Status is already in an index predicate, so receipts lose nothing more.)
CREATE INDEX message_logs_user_created_status_idx
  ON taguato.message_logs (user_id, created_at) INCLUDE (status, direction);

-- ---------------------------------------------------------------------------------------------------
-- user_quotas: one row per user, the caps an admin set and the counters of the current periods.
-- ---------------------------------------------------------------------------------------------------
-- why one row holding both periods: a send is admitted by ONE conditional UPDATE of ONE row, so
-- concurrent sends on any number of replicas serialise on its row lock and can never pass the cap.
-- Periods are UTC calendar days and months; a counter whose period is over reads as 0 and restarts.
CREATE TABLE taguato.user_quotas (
  user_id bigint PRIMARY KEY REFERENCES taguato.users (id) ON DELETE CASCADE,
  -- NULL = no cap.
  daily_limit integer CHECK (daily_limit BETWEEN 1 AND 100000000),
  monthly_limit integer CHECK (monthly_limit BETWEEN 1 AND 1000000000),
  day date NOT NULL DEFAULT '1970-01-01',
  day_used integer NOT NULL DEFAULT 0 CHECK (day_used >= 0),
  month date NOT NULL DEFAULT '1970-01-01',
  month_used integer NOT NULL DEFAULT 0 CHECK (month_used >= 0),
  -- The period the 80 % warning was last sent for: once per period, across replicas.
  day_warned date,
  month_warned date,
  updated_at timestamptz NOT NULL DEFAULT now()
);
