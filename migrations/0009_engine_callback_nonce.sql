-- 0009_engine_callback_nonce: a random value per instance row, mixed into the engine-events path token.
-- why: the token was HMAC(instance name), so an instance re-created under the same name (by another tenant,
-- after a delete) got the old token, and an engine still holding the old URL could post into it. A new row
-- gets a new value, so a new instance of the same name gets a new token and the old URL stops working.
-- Rows that exist before this migration keep '' (the token stays HMAC(name)), so the webhooks already
-- registered on the engine keep working; they get a random value when re-created.
ALTER TABLE taguato.user_instances ADD COLUMN callback_nonce text NOT NULL DEFAULT '';
ALTER TABLE taguato.user_instances
  ALTER COLUMN callback_nonce SET DEFAULT encode(gen_random_bytes(16), 'hex');
