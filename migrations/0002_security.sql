-- 0002_security: password recovery codes and the audit log (contract §4.7, §4.8, §2.7).

-- ---------------------------------------------------------------------------------------------------
-- password_resets
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE taguato.password_resets (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES taguato.users (id) ON DELETE CASCADE,
  -- why: the contract stored the 6-digit code (reset_code) and the reset token in plaintext (§14 #7).
  -- Only digests are kept: code_hash is whatever keyed digest the app chooses (a bare SHA-256 of a
  -- 6-digit code would be trivially reversible), reset_token_hash is the hex SHA-256 of the 256-bit token.
  code_hash text NOT NULL CHECK (code_hash <> ''),
  reset_token_hash char(64) UNIQUE CHECK (reset_token_hash IS NULL OR reset_token_hash ~ '^[0-9a-f]{64}$'),
  method text NOT NULL DEFAULT 'email' CHECK (method IN ('email', 'whatsapp', 'admin_email')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  expires_at timestamptz NOT NULL DEFAULT now() + interval '15 minutes',
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- "Newest unused, unexpired code of this user" (verify step), "mark all unused codes used" and the users
-- cascade. The reset-token lookup uses the UNIQUE index on reset_token_hash.
CREATE INDEX password_resets_user_created_idx ON taguato.password_resets (user_id, created_at DESC);

-- ---------------------------------------------------------------------------------------------------
-- audit_log -- never stores secrets (DESIGN §5); rows outlive the acting user.
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE taguato.audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- SET NULL on user deletion; username is copied at write time so the row stays readable.
  user_id bigint REFERENCES taguato.users (id) ON DELETE SET NULL,
  username text CHECK (username IS NULL OR char_length(username) <= 100),
  -- why a format rather than an enum: the action vocabulary grows with every feature (API keys,
  -- campaigns...); a format CHECK still rejects garbage without a schema change per new action.
  action text NOT NULL CHECK (action ~ '^[a-z0-9_]{1,50}$'),
  resource_type text CHECK (resource_type IS NULL OR resource_type ~ '^[a-z0-9_]{1,50}$'),
  -- 255 (contract: 100) because backup_created records a full file path.
  resource_id text CHECK (resource_id IS NULL OR char_length(resource_id) <= 255),
  -- why: always a JSON object (e.g. {"username": ..., "role": ...}), never a scalar or a string of JSON.
  details jsonb CHECK (details IS NULL OR jsonb_typeof(details) = 'object'),
  ip_address text CHECK (ip_address IS NULL OR char_length(ip_address) <= 64),
  created_at timestamptz NOT NULL DEFAULT now()
);
-- GET /admin/audit: newest first, optionally filtered by action, username, resource type or user;
-- also the 180-day retention purge (created_at range).
CREATE INDEX audit_log_created_idx ON taguato.audit_log (created_at DESC);
CREATE INDEX audit_log_action_created_idx ON taguato.audit_log (action, created_at DESC);
CREATE INDEX audit_log_username_created_idx ON taguato.audit_log (username, created_at DESC);
CREATE INDEX audit_log_resource_created_idx ON taguato.audit_log (resource_type, resource_id, created_at DESC);
-- Also keeps ON DELETE SET NULL from scanning the whole log when a user is deleted.
CREATE INDEX audit_log_user_created_idx ON taguato.audit_log (user_id, created_at DESC);
