-- 0010_hardening_accounts: instance names reserved before the engine confirms, and the login lockout
-- counted per submitted name.

-- why: instance/create reserves the name (it counts as taken and against max_instances) before it calls
-- the engine; until the engine confirms, nobody may reach the instance, so a request racing the create
-- cannot act on a name whose engine instance does not exist yet (or belongs to no one if it fails).
ALTER TABLE taguato.user_instances ADD COLUMN pending boolean NOT NULL DEFAULT false;

-- why: the login lockout must answer the same for a name that has no active account as for one that has,
-- or five wrong passwords tell whether a user exists. Accounts keep their counter on taguato.users; every
-- other submitted name counts here, with the same rule (5 failures lock it for 15 minutes, then the
-- count starts over). The name is stored as its SHA-256: people type passwords into the username field.
CREATE TABLE taguato.login_name_failures (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name_hash text NOT NULL UNIQUE,
  attempts integer NOT NULL,
  locked_until timestamptz,
  last_failed_at timestamptz NOT NULL
);
