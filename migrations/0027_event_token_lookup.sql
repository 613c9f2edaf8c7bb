-- 0027_event_token_lookup: the engine-events path-token lookup (lib/gateway/engine_callback.ts), planned once.
--
-- As a prepared statement it was planned anew at every execution: PostgreSQL kept choosing a custom plan for
-- it (the EXISTS over user_webhooks makes the generic plan look dearer), and planning took 0.44 ms of server
-- CPU per lookup against 0.04 ms of execution; a send's four receipts made that a fifth of the database's
-- CPU per send (#14). In this function the query keeps its one generic plan: the same index scans.
CREATE FUNCTION taguato.engine_event_token_rows(hashes text[])
RETURNS TABLE (hash text, name text, nonce text, owner bigint, hooks boolean)
LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  SELECT t.token_sha256, i.instance_name, i.callback_nonce, i.user_id,
         EXISTS (SELECT 1 FROM taguato.user_webhooks w WHERE w.instance_name = i.instance_name AND w.is_active)
    FROM taguato.engine_event_tokens t JOIN taguato.user_instances i ON i.id = t.instance_id
   WHERE t.token_sha256 = ANY(hashes);
END $$;
