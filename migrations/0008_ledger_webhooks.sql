-- 0008_ledger_webhooks: the delivery ledger (receipts from engine events), the instance state the engine
-- reports, and tenant webhooks delivered by the gateway itself with a per-attempt delivery log.

-- ---------------------------------------------------------------------------------------------------
-- message_logs: where a row came from, and the status order receipts follow.
-- ---------------------------------------------------------------------------------------------------
-- why: the panel, the API, the scheduled worker and campaigns all send; 'engine' marks sends the gateway
-- did not make (from the phone, or before its own answer arrived) and inbound messages.
ALTER TABLE taguato.message_logs
  ADD COLUMN source text NOT NULL DEFAULT 'api'
    CHECK (source IN ('api', 'panel', 'scheduled', 'campaign', 'engine'));

-- why a function: every receipt is ONE conditional UPDATE (rank(new) > rank(current)), so duplicated or
-- reordered engine events can never move a status backwards and no read-modify-write race exists.
-- 'failed' sits between sent and delivered: an engine ERROR beats a bare send, a later delivery receipt
-- beats the error. 'cancelled' is final (a cancelled row was never handed to the engine).
CREATE FUNCTION taguato.message_status_rank(status text) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN CASE status
    WHEN 'sending' THEN 0 WHEN 'unknown' THEN 0 WHEN 'sent' THEN 10 WHEN 'failed' THEN 15
    WHEN 'delivered' THEN 20 WHEN 'read' THEN 30 WHEN 'played' THEN 40 WHEN 'cancelled' THEN 100
    ELSE 0 END;

-- ---------------------------------------------------------------------------------------------------
-- user_instances: the last state the engine reported (CONNECTION_UPDATE / LOGOUT_INSTANCE).
-- ---------------------------------------------------------------------------------------------------
ALTER TABLE taguato.user_instances
  ADD COLUMN connection_state text CHECK (connection_state IN ('open', 'connecting', 'close', 'refused')),
  ADD COLUMN owner_jid text CHECK (char_length(owner_jid) <= 128),
  ADD COLUMN profile_name text CHECK (char_length(profile_name) <= 256),
  ADD COLUMN state_updated_at timestamptz;

-- ---------------------------------------------------------------------------------------------------
-- user_webhooks: delivered by the gateway (contract §9 pushed them to the engine, which held one URL per
-- instance: the last writer won). Each has a signing secret, sealed with lib/secret_box.ts.
-- ---------------------------------------------------------------------------------------------------
ALTER TABLE taguato.user_webhooks ADD COLUMN secret_enc text CHECK (secret_enc <> '');
-- Fan-out: active webhooks of one instance.
CREATE INDEX user_webhooks_instance_active_idx ON taguato.user_webhooks (instance_name) WHERE is_active;

-- ---------------------------------------------------------------------------------------------------
-- webhook_deliveries: one event for one webhook (the body is fixed; each attempt signs it afresh).
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE taguato.webhook_deliveries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  webhook_id bigint NOT NULL REFERENCES taguato.user_webhooks (id) ON DELETE CASCADE,
  -- The envelope's dotted event name (messages.update).
  event text NOT NULL CHECK (char_length(event) BETWEEN 1 AND 100),
  -- why text, not jsonb: the signature covers these exact bytes on every attempt.
  body text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempt_count integer NOT NULL DEFAULT 0 CHECK (attempt_count >= 0),
  -- Due time while pending; also the claim lease (a claimer pushes it past the attempt's timeout, so a
  -- replica that dies mid-attempt only delays the delivery).
  next_attempt_at timestamptz,
  last_status_code integer,
  last_error text,
  redelivery_of bigint REFERENCES taguato.webhook_deliveries (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL))
);
-- Dispatcher claim: pending and due, FOR UPDATE SKIP LOCKED.
CREATE INDEX webhook_deliveries_due_idx ON taguato.webhook_deliveries (next_attempt_at) WHERE status = 'pending';
-- GET /api/webhooks/{id}/deliveries newest first; also the webhooks cascade.
CREATE INDEX webhook_deliveries_webhook_idx ON taguato.webhook_deliveries (webhook_id, id DESC);
CREATE INDEX webhook_deliveries_redelivery_idx ON taguato.webhook_deliveries (redelivery_of)
  WHERE redelivery_of IS NOT NULL;

CREATE TABLE taguato.webhook_delivery_attempts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id bigint NOT NULL REFERENCES taguato.webhook_deliveries (id) ON DELETE CASCADE,
  attempt integer NOT NULL CHECK (attempt >= 1),
  -- NULL when no HTTP answer came (timeout, refused, DNS).
  status_code integer,
  error text,
  duration_ms integer NOT NULL CHECK (duration_ms >= 0),
  -- When the next attempt is due; NULL when this attempt ended the delivery.
  next_attempt_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT webhook_delivery_attempts_delivery_attempt_key UNIQUE (delivery_id, attempt)
);
