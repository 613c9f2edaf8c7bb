-- 0017_ledger_message_text: the text a scheduled recipient was sent (issue 9 item 4).

-- why: a scheduled message is rendered per recipient ({{name}} ...), so the scheduled message's own
-- content does not say what each number received; the ledger keeps the rendered text (or media caption)
-- beside the recipient's status. NULL for rows written by other send paths. Bounded like a send's text.
ALTER TABLE taguato.message_logs
  ADD COLUMN message_text text CHECK (message_text IS NULL OR char_length(message_text) <= 5000);
