-- 0012_opt_outs: each tenant's registry of numbers that asked not to be messaged, and the words that
-- put a number in it or take it out when they arrive as an inbound message.
-- why per tenant: a number that told one business STOP may still want another's messages.
CREATE TABLE taguato.opt_outs (
  user_id bigint NOT NULL REFERENCES taguato.users (id) ON DELETE CASCADE,
  -- Digits only, as the send rules normalise recipients (8-20 digits).
  phone_number text NOT NULL CHECK (phone_number ~ '^[0-9]{8,20}$'),
  -- manual: the panel; api: an API client; inbound: the contact sent a stop word.
  source text NOT NULL CHECK (source IN ('manual', 'api', 'inbound')),
  reason text CHECK (reason IS NULL OR char_length(reason) <= 500),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, phone_number)
);

-- NULL means the defaults (STOP, BAJA, SALIR, CANCELAR, UNSUBSCRIBE; START, ALTA), so changing the
-- defaults in a release reaches every tenant that never chose its own.
ALTER TABLE taguato.users
  ADD COLUMN opt_out_words text[] CHECK (opt_out_words IS NULL OR cardinality(opt_out_words) <= 50),
  ADD COLUMN opt_in_words text[] CHECK (opt_in_words IS NULL OR cardinality(opt_in_words) <= 50);
