-- 0011_engine_event_tokens: the engine-events path tokens the gateway has handed out, by their SHA-256.
-- why: the token is an HMAC of the instance name and nonce, and the name only arrives in the body, so the
-- ingest route had to read and parse a body before it knew whether the caller was an engine it configured.
-- With the hash of every issued token stored, the route finds the instance from the path alone and answers
-- 404 before reading a byte of an unknown caller's body. A hash, not the token: a database dump does not
-- give the secrets that let one post events. Rows go with their instance (a re-created name gets a new
-- nonce, so a new token and a new row).
CREATE TABLE taguato.engine_event_tokens (
  token_sha256 text PRIMARY KEY,
  instance_id bigint NOT NULL REFERENCES taguato.user_instances (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- The instance delete cascade.
CREATE INDEX engine_event_tokens_instance_idx ON taguato.engine_event_tokens (instance_id);
