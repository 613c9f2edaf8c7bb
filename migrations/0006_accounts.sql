-- Accounts and access additions (issue "Accounts and access"): API keys and 2FA recovery codes.

-- Long-lived, named credentials for integrations. Like session tokens they are 256-bit random values
-- stored only as a SHA-256 hash; `key_prefix` is the first characters, shown so a user can tell keys apart.
CREATE TABLE taguato.api_keys (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES taguato.users (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  key_hash char(64) NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  key_prefix text NOT NULL CHECK (char_length(key_prefix) BETWEEN 4 AND 16),
  -- full = everything the owner may do; read = GET-like calls only; send = message sends and reads.
  scope text NOT NULL DEFAULT 'full' CHECK (scope IN ('full', 'read', 'send')),
  -- NULL = every instance the owner can reach; otherwise only these names.
  instance_names text[] CHECK (instance_names IS NULL OR cardinality(instance_names) BETWEEN 1 AND 100),
  expires_at timestamptz,
  last_used_at timestamptz,
  last_used_ip text CHECK (last_used_ip IS NULL OR char_length(last_used_ip) <= 64),
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_keys_user_idx ON taguato.api_keys (user_id, created_at DESC);

-- One-time 2FA recovery codes (10 per enablement), hashed like every other secret.
CREATE TABLE taguato.totp_recovery_codes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES taguato.users (id) ON DELETE CASCADE,
  code_hash char(64) NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, code_hash)
);
