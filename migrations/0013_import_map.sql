-- 0013_import_map: what `deno task import:taguato` already brought over from a TAGUATO-SEND database.
--
-- why: most source tables (templates, contact lists, logs, incidents, audit...) have no natural key, so
-- a second run could only tell an imported row from a new one by remembering it. One row per source row
-- makes the import idempotent: a mapped row is skipped, and later tables find their parents' new ids
-- (a template's user, a log's scheduled message) here.
CREATE TABLE taguato.import_map (
  -- Which source database, as the operator named it (default: host, port and database of --from).
  source text NOT NULL CHECK (char_length(source) BETWEEN 1 AND 255),
  -- The source table (users, message_templates, contact_list_items, ...).
  source_table text NOT NULL CHECK (source_table ~ '^[a-z_]{1,63}$'),
  -- The source row's key as text: the SERIAL id, or a composite key for link tables.
  old_id text NOT NULL CHECK (char_length(old_id) BETWEEN 1 AND 255),
  -- The row it became here (or the existing row it was matched to by its natural key).
  new_id bigint NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (source, source_table, old_id)
);
