-- 0003_messaging: templates, contact lists, scheduled messages, message logs (a delivery ledger) and
-- user webhooks (contract §4.6, §1.6, §5.3, §9).

-- ---------------------------------------------------------------------------------------------------
-- message_templates
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE taguato.message_templates (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES taguato.users (id) ON DELETE CASCADE,
  -- why: the API measures BYTES (name 1-100, content 1-5000) but skipped the check on update;
  -- the DB now holds the line for every write path.
  name text NOT NULL CHECK (octet_length(name) BETWEEN 1 AND 100),
  content text NOT NULL CHECK (octet_length(content) BETWEEN 1 AND 5000),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- GET /api/templates: the caller's templates, updated_at DESC, paginated; also the users cascade.
CREATE INDEX message_templates_user_updated_idx ON taguato.message_templates (user_id, updated_at DESC);

-- ---------------------------------------------------------------------------------------------------
-- contact_lists / contact_list_items
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE taguato.contact_lists (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES taguato.users (id) ON DELETE CASCADE,
  -- why: the contract had no API length check (a long name hit VARCHAR(100) -> 500); 1-100 chars.
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- GET /api/contacts: the caller's lists, updated_at DESC; also the users cascade.
CREATE INDEX contact_lists_user_updated_idx ON taguato.contact_lists (user_id, updated_at DESC);

CREATE TABLE taguato.contact_list_items (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  list_id bigint NOT NULL REFERENCES taguato.contact_lists (id) ON DELETE CASCADE,
  -- why: the app validates 8-20 digits after stripping whitespace; the stripped digits are stored.
  -- No UNIQUE(list_id, phone_number): the contract does not de-duplicate, the app may.
  phone_number text NOT NULL CHECK (phone_number ~ '^[0-9]{8,20}$'),
  label text NOT NULL DEFAULT '' CHECK (char_length(label) <= 100),
  created_at timestamptz NOT NULL DEFAULT now()
);
-- GET /api/contacts/{id}: items ordered by id; item_count per list; the lists cascade.
CREATE INDEX contact_list_items_list_idx ON taguato.contact_list_items (list_id, id);

-- ---------------------------------------------------------------------------------------------------
-- scheduled_messages (created before message_logs, which references it)
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE taguato.scheduled_messages (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES taguato.users (id) ON DELETE CASCADE,
  -- why a FK with CASCADE (the contract had none, §14 #32): a pending send must not outlive its
  -- instance, and above all must never go out through a *different* tenant's instance that later
  -- reuses the name. Per-recipient history survives in message_logs (scheduled_message_id SET NULL).
  -- Consequence: scheduling on a name unknown to user_instances is a 23503 the app maps to 4xx.
  instance_name text NOT NULL REFERENCES taguato.user_instances (instance_name) ON DELETE CASCADE,
  message_type text NOT NULL DEFAULT 'text'
    CHECK (message_type IN ('text', 'image', 'document', 'audio', 'video')),
  -- Plain text, or for media the JSON text {"mediatype","media","caption"?}. why the CHECK: the API
  -- limits it to 5000 bytes on create but not on update (§1.6).
  message_content text NOT NULL CHECK (octet_length(message_content) BETWEEN 1 AND 5000),
  -- why jsonb: the contract stored a JSON *string* in a TEXT column and returned it double-encoded.
  -- A real array of 1-500 digit strings (8-20 digits, whitespace already stripped by the app).
  -- CASE (not AND) so a non-array fails the CHECK instead of raising in jsonb_array_length.
  recipients jsonb NOT NULL CHECK (
    CASE WHEN jsonb_typeof(recipients) = 'array' THEN
      jsonb_array_length(recipients) BETWEEN 1 AND 500
      AND NOT jsonb_path_exists(recipients, '$[*] ? (@.type() != "string" || !(@ like_regex "^[0-9]{8,20}$"))')
    ELSE false END
  ),
  -- why timestamptz: the contract's zone-less value fired hours early/late for non-UTC users (§14 #22).
  scheduled_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'processing', 'completed', 'failed', 'cancelled')),
  -- {total, sent, failed, skipped, errors: [...]} once processed.
  results jsonb CHECK (results IS NULL OR jsonb_typeof(results) = 'object'),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
-- GET /api/scheduled: the caller's rows ordered scheduled_at DESC (optional status filter); users cascade.
CREATE INDEX scheduled_messages_user_scheduled_idx ON taguato.scheduled_messages (user_id, scheduled_at DESC);
-- Worker claim: status = 'pending' AND scheduled_at <= now() ORDER BY scheduled_at ... FOR UPDATE SKIP LOCKED.
CREATE INDEX scheduled_messages_due_idx ON taguato.scheduled_messages (scheduled_at)
  WHERE status = 'pending';
-- Cleanup: rows stuck in 'processing' (updated_at older than N minutes).
CREATE INDEX scheduled_messages_processing_idx ON taguato.scheduled_messages (updated_at)
  WHERE status = 'processing';
-- The user_instances cascade.
CREATE INDEX scheduled_messages_instance_idx ON taguato.scheduled_messages (instance_name);

-- ---------------------------------------------------------------------------------------------------
-- message_logs -- one row per message: the send log today, the delivery ledger (receipts) later.
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE taguato.message_logs (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- Deleting a user deletes their history (contract §1.4 cascade list).
  user_id bigint NOT NULL REFERENCES taguato.users (id) ON DELETE CASCADE,
  -- why NO foreign key to user_instances: a deleted instance's history must survive for the tenant
  -- (stats, export, dashboards); ON DELETE SET NULL would also lose which instance sent it.
  instance_name text NOT NULL CHECK (char_length(instance_name) BETWEEN 1 AND 255),
  -- why not the 8-20 digit rule: the ledger also records group JIDs (...@g.us), @lid ids and inbound
  -- senders; the contract silently lost rows longer than 20 chars (§14 #20).
  phone_number text NOT NULL CHECK (char_length(phone_number) BETWEEN 1 AND 128),
  -- why wider than the contract's 5 values: every Evolution send type (and inbound types) is recorded;
  -- the contract's auto-log dropped media rows whose type fell outside the enum (§14 #20).
  message_type text NOT NULL DEFAULT 'text' CHECK (message_type IN (
    'text', 'image', 'document', 'audio', 'video', 'sticker', 'location', 'contact', 'reaction', 'poll',
    'list', 'buttons', 'other'
  )),
  -- why: delivery states for receipts. 'sending' is written before the engine call (at-most-once,
  -- DESIGN §6); a row a crash leaves in 'sending' becomes 'unknown', never re-sent. The monotonic
  -- progression sending -> sent -> delivered -> read -> played is enforced by the app.
  status text NOT NULL DEFAULT 'sent' CHECK (status IN (
    'sending', 'sent', 'delivered', 'read', 'played', 'failed', 'cancelled', 'unknown'
  )),
  status_updated_at timestamptz NOT NULL DEFAULT now(),
  direction text NOT NULL DEFAULT 'outbound' CHECK (direction IN ('outbound', 'inbound')),
  -- The engine's message id (Evolution key.id), the join key for receipts and inbound events.
  engine_message_id text CHECK (engine_message_id IS NULL OR char_length(engine_message_id) BETWEEN 1 AND 255),
  error_message text,
  scheduled_message_id bigint REFERENCES taguato.scheduled_messages (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- GET /api/messages/log + export + user dashboard: the caller's rows newest first, with optional
-- status/message_type/date filters applied on this range; also the users cascade. No separate status
-- index: receipts update status, and every index on it makes those updates more expensive.
CREATE INDEX message_logs_user_created_idx ON taguato.message_logs (user_id, created_at DESC);
-- instance_name filter and instance stats (§7.3: user_id = ? AND instance_name = ?).
CREATE INDEX message_logs_user_instance_created_idx
  ON taguato.message_logs (user_id, instance_name, created_at DESC);
-- Admin dashboard (last 24 h, newest rows across users) and the 90-day retention purge.
CREATE INDEX message_logs_created_idx ON taguato.message_logs (created_at DESC);
-- Receipts: (instance, engine id) -> row. Unique so a receipt can never match two rows.
CREATE UNIQUE INDEX message_logs_instance_engine_id_key ON taguato.message_logs (instance_name, engine_message_id)
  WHERE engine_message_id IS NOT NULL;
-- why UNIQUE (the contract's index was not): the scheduled worker inserts the 'sending' row with
-- ON CONFLICT DO NOTHING before calling the engine, so a recipient of a scheduled message is attempted
-- at most once even with several replicas or a repeated number. Also serves the scheduled SET NULL.
CREATE UNIQUE INDEX message_logs_scheduled_phone_key ON taguato.message_logs (scheduled_message_id, phone_number)
  WHERE scheduled_message_id IS NOT NULL;
-- Crash recovery sweep: rows left in 'sending' -> 'unknown'.
CREATE INDEX message_logs_sending_idx ON taguato.message_logs (created_at) WHERE status = 'sending';

-- ---------------------------------------------------------------------------------------------------
-- user_webhooks (§9) -- one row per (user, instance); the URL is pushed to the engine.
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE taguato.user_webhooks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES taguato.users (id) ON DELETE CASCADE,
  -- why a FK with CASCADE (the contract had none, §14 #32): a webhook configures one instance; when the
  -- instance goes, so does its configuration, and a later instance with the same name (possibly another
  -- tenant's) must not inherit it.
  instance_name text NOT NULL REFERENCES taguato.user_instances (instance_name) ON DELETE CASCADE,
  -- SSRF rules (private hosts, metadata...) are the app's job; the DB pins scheme and size.
  webhook_url text NOT NULL CHECK (char_length(webhook_url) <= 2048 AND webhook_url ~ '^https?://[^/]'),
  -- why a format CHECK rather than the event enum: the contract stored anything on create, and the
  -- allowed list has to follow the engine's real names (GROUPS_UPDATE vs GROUP_UPDATE, §14 #18), which
  -- the app owns. No NULL elements, upper-case identifiers only.
  events text[] NOT NULL DEFAULT '{}' CHECK (
    cardinality(events) <= 64
    AND array_position(events, NULL) IS NULL
    AND array_to_string(events, ',') ~ '^([A-Z][A-Z0-9_]*(,[A-Z][A-Z0-9_]*)*)?$'
  ),
  is_active boolean NOT NULL DEFAULT true,
  retry_count integer NOT NULL DEFAULT 0 CHECK (retry_count >= 0),
  last_error text,
  needs_sync boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- Also serves the users cascade (leading user_id).
  CONSTRAINT user_webhooks_user_instance_key UNIQUE (user_id, instance_name)
);
-- GET /api/webhooks: the caller's rows, created_at DESC.
CREATE INDEX user_webhooks_user_created_idx ON taguato.user_webhooks (user_id, created_at DESC);
-- The user_instances cascade.
CREATE INDEX user_webhooks_instance_idx ON taguato.user_webhooks (instance_name);
-- Cleanup worker retry queue: needs_sync AND is_active AND retry_count < 3 ORDER BY retry_count.
CREATE INDEX user_webhooks_sync_idx ON taguato.user_webhooks (retry_count) WHERE needs_sync AND is_active;
