-- 0023_engines: many engines (issue #12 item 2). One Evolution engine holds a limited number of WhatsApp
-- sessions, so instances are spread over several; each instance row records the engine it lives on.
-- Row 1 is the default engine: the one configured by EVOLUTION_API_URL / AUTHENTICATION_API_KEY (or the
-- built-in sandbox). Its address and key are never stored (url NULL): they always come from the
-- configuration, so existing deployments keep working unchanged. Other engines store their key sealed
-- with the secret box (purpose "engine-api-key"), like webhook secrets.
CREATE TABLE taguato.engines (
  id bigint GENERATED ALWAYS AS IDENTITY (START WITH 2) PRIMARY KEY,
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  url text CHECK (url IS NULL OR char_length(url) BETWEEN 8 AND 500),
  api_key_enc text,
  -- Maximum instances placed on it; NULL = no limit (the default engine starts so).
  capacity integer CHECK (capacity IS NULL OR capacity >= 0),
  -- A disabled engine gets no new instances; the ones on it stay reachable.
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- Only the default engine takes its address and key from the configuration.
  CHECK ((id = 1) = (url IS NULL)),
  CHECK ((url IS NULL) = (api_key_enc IS NULL))
);
CREATE UNIQUE INDEX engines_name_idx ON taguato.engines (lower(name));
INSERT INTO taguato.engines (id, name, url, api_key_enc, capacity) OVERRIDING SYSTEM VALUE
  VALUES (1, 'default', NULL, NULL, NULL);

-- Every existing instance lives on the default engine; rows inserted without an engine too.
ALTER TABLE taguato.user_instances
  ADD COLUMN engine_id bigint NOT NULL DEFAULT 1 REFERENCES taguato.engines (id);
-- Placement counts instances per engine.
CREATE INDEX user_instances_engine_idx ON taguato.user_instances (engine_id);
