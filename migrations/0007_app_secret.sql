-- 0007_app_secret: a random secret owned by the installation, the key material of lib/secret_box.ts
-- (TOTP secrets, pending 2FA setups, keyed digests of one-time codes) when APP_SECRET is not set.
--
-- why a table: it is created once, atomically, by whichever replica migrates first, survives restarts,
-- is shared by every replica and travels with database backups (a restored backup can still decrypt its
-- own rows). A file under DATA_DIR would differ per replica; the engine key (AUTHENTICATION_API_KEY) is
-- rotated for unrelated reasons and would silently make every stored secret undecryptable.
-- Setting APP_SECRET keeps the key out of the database entirely; values sealed under this row stay
-- readable afterwards because lib/secret_box.ts tries both keys when opening.
CREATE TABLE taguato.app_secrets (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9_]{1,50}$'),
  value bytea NOT NULL CHECK (octet_length(value) >= 32),
  created_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO taguato.app_secrets (name, value) VALUES ('master', gen_random_bytes(32));
