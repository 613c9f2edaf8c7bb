-- 0019_status_subscribers: visitors who follow the public status by e-mail (issue 11, item 7), with a
-- double opt-in: nothing is sent to an address until its owner followed the confirmation link.

CREATE TABLE taguato.status_subscribers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- Stored lowercased: one subscription per mailbox whatever the casing typed.
  email text NOT NULL UNIQUE CHECK (char_length(email) BETWEEN 3 AND 255 AND email = lower(email)),
  -- The services followed; NULL = every service (and notices naming no service).
  service_ids bigint[],
  locale text NOT NULL DEFAULT 'es' CHECK (locale IN ('es', 'en')),
  -- SHA-256 of the confirmation link's token, cleared once confirmed (the link then stops working).
  confirm_token_hash text UNIQUE,
  confirm_sent_at timestamptz NOT NULL DEFAULT now(),
  confirmed_at timestamptz,
  -- why stored as is (not hashed): every notification mail must carry it in its one-click
  -- unsubscribe link, and all it can do is remove this one address.
  unsubscribe_token text NOT NULL UNIQUE CHECK (char_length(unsubscribe_token) = 64),
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT status_subscribers_pending_or_confirmed
    CHECK ((confirmed_at IS NULL) = (confirm_token_hash IS NOT NULL))
);
-- Notification fan-out reads confirmed rows only.
CREATE INDEX status_subscribers_confirmed_idx ON taguato.status_subscribers (id) WHERE confirmed_at IS NOT NULL;
