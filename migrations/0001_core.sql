-- 0001_core: extension, schema, users, sessions, instance ownership, Telegram tokens, instance grants.
--
-- Conventions for every migration (corrections relative to contract §4, which used TIMESTAMP without
-- time zone, SERIAL ids, VARCHAR(n) and few constraints):
--   * timestamps are timestamptz DEFAULT now() -- why: the contract's zone-less columns made scheduled
--     sends fire hours early/late (§14 #22); instants must be unambiguous across replicas and clients.
--   * ids are bigint GENERATED ALWAYS AS IDENTITY -- why: message_logs can outgrow int4; lib/db.ts parses
--     int8 as a JS number so the API still emits JSON numbers; ALWAYS stops code from inventing ids.
--   * text + CHECK instead of VARCHAR(n) -- why: the limits the API enforces live in one visible place,
--     and a violation is SQLSTATE 23514 (check_violation), which the app maps to a 400.
--   * single-column CHECKs keep PostgreSQL's default name <table>_<column>_check, multi-column ones are
--     named, so later migrations can DROP/replace them by a predictable name.
--   * updated_at is set by the application (no triggers), as in the contract.
-- The runner (lib/migrate.ts) owns taguato.schema_migrations and wraps each file in one transaction.

CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE SCHEMA IF NOT EXISTS taguato;

-- ---------------------------------------------------------------------------------------------------
-- users (contract §4.1)
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE taguato.users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- why: the API accepts 3-50 of [A-Za-z0-9_]; the contract's VARCHAR(100) allowed anything.
  -- Uniqueness stays case-sensitive: login matches the exact username (§1.3).
  username text NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9_]{3,50}$'),
  -- why: argon2id PHC strings ($argon2id$v=19$...) replace bcrypt; the format is not pinned here so a
  -- later import of legacy hashes stays possible, but an empty hash can never be stored.
  password_hash text NOT NULL CHECK (password_hash <> ''),
  role text NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user')),
  -- why: no -1 "unlimited" sentinel any more; admins are unlimited by role, users have a real count.
  max_instances integer NOT NULL DEFAULT 1 CHECK (max_instances >= 0),
  is_active boolean NOT NULL DEFAULT true,
  must_change_password boolean NOT NULL DEFAULT true,
  -- requests per 60 s; NULL = unlimited. why: the contract did not validate it (bad values -> 500).
  rate_limit integer CHECK (rate_limit IS NULL OR rate_limit >= 0),
  failed_login_attempts integer NOT NULL DEFAULT 0 CHECK (failed_login_attempts >= 0),
  locked_until timestamptz,
  -- why: same rule as the API (<= 255, local@domain.tld); '' is stored as NULL by the app.
  email text CHECK (
    email IS NULL
    OR (char_length(email) <= 255 AND email ~ '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]+$')
  ),
  -- why: the contract validated a whitespace-stripped copy but stored the raw input; we store the
  -- normalised digits (8-20) so lookups and WhatsApp recovery sends get a clean number.
  phone_number text CHECK (phone_number IS NULL OR phone_number ~ '^[0-9]{8,20}$'),
  -- why: the contract stored the Base32 TOTP secret in plaintext (§14 #7); the app encrypts it.
  totp_secret_enc text,
  totp_enabled boolean NOT NULL DEFAULT false,
  -- why: replay protection the contract lacked (§2.6): the last accepted 30 s step; a code for a step
  -- <= this value is rejected (step = unix seconds / 30).
  totp_last_step bigint CHECK (totp_last_step IS NULL OR totp_last_step >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_totp_enabled_needs_secret CHECK (NOT totp_enabled OR totp_secret_enc IS NOT NULL)
  -- why: no api_token column: the contract's legacy token is never accepted for auth (§2.1).
);

-- why: the contract's UNIQUE(email) let "A@x.io" and "a@x.io" coexist, while recovery matches
-- identifiers loosely; uniqueness is now case-insensitive (lookups should use lower(email)).
CREATE UNIQUE INDEX users_email_lower_key ON taguato.users (lower(email));

-- ---------------------------------------------------------------------------------------------------
-- sessions (contract §4.7) -- token_hash = lowercase hex SHA-256 of the 256-bit token.
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE taguato.sessions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES taguato.users (id) ON DELETE CASCADE,
  -- why: UNIQUE (the contract's index was not): one hash resolves to exactly one session, and the
  -- unique index is the auth lookup path.
  token_hash char(64) NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  -- 'unknown' is allowed as in the contract; 64 leaves room for IPv6 with a zone id.
  ip_address text CHECK (ip_address IS NULL OR char_length(ip_address) <= 64),
  user_agent text,
  last_active timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL DEFAULT now() + interval '24 hours',
  is_active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
) WITH (fillfactor = 80);
-- why fillfactor and so few indexes: the sliding 24 h TTL rewrites last_active/expires_at on every
-- authenticated request (DESIGN §5). Leaving those columns unindexed and some free space per page keeps
-- these updates HOT (no index writes). The expiry sweep and the admin "all active sessions" page scan the
-- table instead, which is cheap at session-table sizes.

-- A user's sessions: GET /api/sessions (user_id = ? AND is_active, sorted in memory), logout-all, and the
-- ON DELETE CASCADE from users.
CREATE INDEX sessions_user_active_idx ON taguato.sessions (user_id, is_active);

-- ---------------------------------------------------------------------------------------------------
-- user_instances (contract §4.2) -- instance ownership
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE taguato.user_instances (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- why NOT NULL: the contract allowed ownerless rows; every instance has an owner (admins own theirs).
  user_id bigint NOT NULL REFERENCES taguato.users (id) ON DELETE CASCADE,
  -- why: the API's rule (1-100 chars, starts alphanumeric, then [A-Za-z0-9_-]). One UNIQUE only: the
  -- contract also had UNIQUE(user_id, instance_name) and a duplicate uq_instance_name (§14 #29).
  instance_name text NOT NULL UNIQUE CHECK (
    char_length(instance_name) <= 100 AND instance_name ~ '^[A-Za-z0-9][A-Za-z0-9_-]*$'
  ),
  channel_type text NOT NULL DEFAULT 'whatsapp' CHECK (channel_type IN ('whatsapp', 'telegram')),
  created_at timestamptz NOT NULL DEFAULT now()
);
-- Owned instances of a user in creation order (/api/auth/me, limit count) + the users cascade.
CREATE INDEX user_instances_user_created_idx ON taguato.user_instances (user_id, created_at);
-- GET /admin/instances lists every row newest first.
CREATE INDEX user_instances_created_idx ON taguato.user_instances (created_at DESC);

-- ---------------------------------------------------------------------------------------------------
-- telegram_instances (contract §4.3) -- encrypted bot token per Telegram instance
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE taguato.telegram_instances (
  instance_name text PRIMARY KEY REFERENCES taguato.user_instances (instance_name) ON DELETE CASCADE,
  bot_token_enc text NOT NULL CHECK (bot_token_enc <> ''),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------------------------------------------
-- instance_permissions (contract §4.4) -- admin grants of an instance to another user
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE taguato.instance_permissions (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  instance_name text NOT NULL REFERENCES taguato.user_instances (instance_name) ON DELETE CASCADE,
  grantee_user_id bigint NOT NULL REFERENCES taguato.users (id) ON DELETE CASCADE,
  granted_by bigint REFERENCES taguato.users (id) ON DELETE SET NULL,
  granted_at timestamptz NOT NULL DEFAULT now(),
  -- Also serves "grants of an instance" (ownership check, GET /admin/instances) and the instance cascade.
  CONSTRAINT instance_permissions_instance_grantee_key UNIQUE (instance_name, grantee_user_id)
);
-- Instances granted to a user (ownership checks, fetchInstances filter) + the users cascade.
CREATE INDEX instance_permissions_grantee_idx ON taguato.instance_permissions (grantee_user_id);
-- why: granted_by has ON DELETE SET NULL; without an index deleting a user scans the table.
CREATE INDEX instance_permissions_granted_by_idx ON taguato.instance_permissions (granted_by)
  WHERE granted_by IS NOT NULL;
