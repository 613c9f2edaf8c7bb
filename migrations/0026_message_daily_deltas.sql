-- 0026_message_daily_deltas: migration 0017's per-day counts, written as appended deltas and merged later.
--
-- Before, each statement on message_logs upserted the user's buckets (user, day, status) itself and held
-- their row locks until it committed. Every send, settlement and receipt of a user touches the same few
-- buckets, so concurrent writers queued on them; and a transaction of two statements (the settlement that
-- folds an early engine row: a DELETE, then an UPDATE) locked them in two rounds, so it could deadlock with a
-- settlement batch (seen under concurrent webhooks, each a 1 s stall). Now the triggers only append rows
-- here, which takes no lock anyone else waits for; message_daily_rollup() moves them into message_daily.
CREATE TABLE taguato.message_daily_deltas (
  user_id bigint NOT NULL,
  day date NOT NULL,
  status text NOT NULL,
  n bigint NOT NULL
);
CREATE INDEX message_daily_deltas_user ON taguato.message_daily_deltas (user_id);

-- The three triggers of 0017 now append the statement's deltas (one row per bucket) straight from their
-- transition tables: no jsonb between them and the write, no lock anyone waits for.
CREATE OR REPLACE FUNCTION taguato.message_daily_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO taguato.message_daily_deltas (user_id, day, status, n)
  SELECT user_id, (created_at AT TIME ZONE 'UTC')::date, status, count(*)
  FROM new_rows WHERE direction = 'outbound' GROUP BY 1, 2, 3;
  RETURN NULL;
END $$;

-- A statement that moved no row between buckets (same user, day and status) nets to zero: no row.
CREATE OR REPLACE FUNCTION taguato.message_daily_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO taguato.message_daily_deltas (user_id, day, status, n)
  SELECT user_id, day, status, sum(delta)
  FROM (SELECT user_id, (created_at AT TIME ZONE 'UTC')::date AS day, status, -1 AS delta
        FROM old_rows WHERE direction = 'outbound'
        UNION ALL
        SELECT user_id, (created_at AT TIME ZONE 'UTC')::date, status, 1
        FROM new_rows WHERE direction = 'outbound') u
  GROUP BY 1, 2, 3 HAVING sum(delta) <> 0;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION taguato.message_daily_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO taguato.message_daily_deltas (user_id, day, status, n)
  SELECT user_id, (created_at AT TIME ZONE 'UTC')::date, status, -count(*)
  FROM old_rows WHERE direction = 'outbound' GROUP BY 1, 2, 3;
  RETURN NULL;
END $$;

-- 0017's upsert, now run by the rollup only (under a name that says so): signed per-bucket deltas added in
-- bucket order, so two rollups lock shared buckets in the same order; buckets that reach zero removed.
ALTER FUNCTION taguato.message_daily_apply(jsonb) RENAME TO message_daily_merge;

-- Moves every delta into message_daily in one statement's transaction; returns how many delta rows it merged.
-- A delta is merged exactly once: a concurrent rollup waits on the rows this one deletes, then skips them.
CREATE FUNCTION taguato.message_daily_rollup() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  moved jsonb;
  merged bigint;
BEGIN
  WITH d AS (DELETE FROM taguato.message_daily_deltas RETURNING user_id, day, status, n),
  g AS (SELECT user_id, day, status, sum(n) AS n, count(*) AS c FROM d GROUP BY user_id, day, status)
  SELECT jsonb_agg(jsonb_build_object('user_id', user_id, 'day', day, 'status', status, 'delta', n)),
         coalesce(sum(c), 0)
  INTO moved, merged FROM g;
  IF merged > 0 THEN
    PERFORM taguato.message_daily_merge(moved);
  END IF;
  RETURN merged;
END $$;

-- The counts as of now, whatever the rollup has merged yet: what the dashboards read.
CREATE VIEW taguato.message_daily_counts AS
  SELECT user_id, day, status, sum(n)::bigint AS n
  FROM (SELECT user_id, day, status, n FROM taguato.message_daily
        UNION ALL
        SELECT user_id, day, status, n FROM taguato.message_daily_deltas) c
  GROUP BY user_id, day, status
  HAVING sum(n) <> 0;
