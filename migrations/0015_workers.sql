-- 0015_workers: the worker registry's cluster-wide lease and run history, and the reconnect worker's
-- per-instance backoff and loop flag (contract §5, §14 #38).

-- why a lease row per worker (not only an advisory lock): Deno.cron fires on every replica at the same
-- minute; the row records which tick (slot) already ran, so a replica that fires a little later in the
-- same minute sees the slot taken and skips, while `running_until` keeps a long run from overlapping
-- the next tick. Claimed with FOR UPDATE SKIP LOCKED, so competing replicas never wait on each other.
CREATE TABLE taguato.worker_leases (
  name text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,49}$'),
  last_slot timestamptz,
  running_until timestamptz,
  holder text CHECK (holder IS NULL OR char_length(holder) <= 200)
);

-- One row per tick that ran (skipped ticks are not recorded); the registry keeps the newest N per name.
CREATE TABLE taguato.worker_runs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,49}$'),
  -- The tick this run belongs to (the schedule's fire time); NULL for a manual "run now".
  slot timestamptz,
  started_at timestamptz NOT NULL,
  duration_ms integer NOT NULL CHECK (duration_ms >= 0),
  ok boolean NOT NULL,
  result jsonb CHECK (result IS NULL OR jsonb_typeof(result) = 'object'),
  error text,
  holder text CHECK (holder IS NULL OR char_length(holder) <= 200),
  manual boolean NOT NULL DEFAULT false
);
-- Last run per worker (GET /admin/workers) and the keep-newest-N prune.
CREATE INDEX worker_runs_name_started_idx ON taguato.worker_runs (name, started_at DESC);
-- why unique: the proof that a scheduled tick runs once across replicas, enforced by the database too.
CREATE UNIQUE INDEX worker_runs_name_slot_key ON taguato.worker_runs (name, slot) WHERE slot IS NOT NULL;

-- why on user_instances: the contract's worker silently skipped an instance after 5 failures in an hour
-- and nobody knew (§14); now the instance carries its backoff and an explicit loop flag the tenant and
-- the admin see, cleared when the instance is open again.
ALTER TABLE taguato.user_instances
  ADD COLUMN reconnect_failures integer NOT NULL DEFAULT 0 CHECK (reconnect_failures >= 0),
  ADD COLUMN next_reconnect_at timestamptz,
  ADD COLUMN reconnect_loop_at timestamptz;
