-- 0005_ops: the auto-reconnect worker's history (contract §4.7, §5.2, §7.3).

CREATE TABLE taguato.reconnect_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- why NO foreign key to user_instances: this is history (instance stats, admin dashboard) and must
  -- survive the instance's deletion; the name is kept as written.
  instance_name text NOT NULL CHECK (char_length(instance_name) BETWEEN 1 AND 255),
  -- Engine connection state seen before the attempt (open, close, connecting, ...).
  previous_state text CHECK (previous_state IS NULL OR char_length(previous_state) <= 50),
  action text NOT NULL DEFAULT 'auto_reconnect' CHECK (action ~ '^[a-z0-9_]{1,50}$'),
  -- why NOT NULL + enum: the panel compared against 'success' while the worker wrote 'reconnected'
  -- (§14 #25); the two values the worker writes are now the only ones possible.
  result text NOT NULL CHECK (result IN ('reconnected', 'failed')),
  error_message text,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Admin dashboard "recent_reconnections" and the 90-day retention purge.
CREATE INDEX reconnect_log_created_idx ON taguato.reconnect_log (created_at DESC);
-- Instance stats (last 20 for a name) and the worker's skip list (>= 5 failures in the last hour).
CREATE INDEX reconnect_log_instance_created_idx ON taguato.reconnect_log (instance_name, created_at DESC);
