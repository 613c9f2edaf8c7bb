-- 0014_contact_fields: custom fields and the WhatsApp check of contact list items.
-- why `fields`: a CSV import maps extra columns (city, due date, …) to per-contact values that templates
-- use as {{city}}; one jsonb object per item, keys normalised by the app, values strings.
ALTER TABLE taguato.contact_list_items
  ADD COLUMN fields jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(fields) = 'object');
-- why: the engine's chat/whatsappNumbers says whether a number has WhatsApp; NULL = never checked.
-- checked_at lets a re-check skip recent answers and the panel show how old the answer is.
ALTER TABLE taguato.contact_list_items
  ADD COLUMN whatsapp text CHECK (whatsapp IS NULL OR whatsapp IN ('valid', 'invalid')),
  ADD COLUMN whatsapp_checked_at timestamptz,
  ADD CONSTRAINT contact_list_items_checked_together
    CHECK ((whatsapp IS NULL) = (whatsapp_checked_at IS NULL));
-- The import's duplicate test and the check's per-number update look items up by (list, number).
CREATE INDEX contact_list_items_list_phone_idx ON taguato.contact_list_items (list_id, phone_number);
