-- 0021_idempotency_keys: the first answer of every send that carried an Idempotency-Key (issue 9 item 7).

-- why PostgreSQL (not Redis or memory): the key must hold across replicas and survive a Redis outage;
-- the INSERT ... ON CONFLICT on (user_id, key) is the lock that lets exactly one request send.
CREATE TABLE taguato.idempotency_keys (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES taguato.users (id) ON DELETE CASCADE,
  idempotency_key text NOT NULL CHECK (char_length(idempotency_key) BETWEEN 1 AND 255),
  -- SHA-256 (hex) of method, path and body: the same key with another request is a 409.
  request_hash text NOT NULL CHECK (request_hash ~ '^[0-9a-f]{64}$'),
  -- in_progress while the first request runs; done once its answer is stored.
  state text NOT NULL DEFAULT 'in_progress' CHECK (state IN ('in_progress', 'done')),
  response_status integer CHECK (response_status IS NULL OR response_status BETWEEN 100 AND 599),
  response_type text CHECK (response_type IS NULL OR char_length(response_type) <= 255),
  response_body text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT idempotency_keys_user_key UNIQUE (user_id, idempotency_key),
  CHECK (state = 'in_progress' OR response_status IS NOT NULL)
);
-- The 24 h purge (purgeIdempotencyKeys, called by the cleanup worker).
CREATE INDEX idempotency_keys_created_idx ON taguato.idempotency_keys (created_at);
