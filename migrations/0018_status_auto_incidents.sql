-- 0018_status_auto_incidents: incidents the uptime worker opens after consecutive failed checks of a
-- service and resolves on recovery (issue 11, item 2).

-- why a flag: the public page and the admin list say which incidents no person declared.
ALTER TABLE taguato.incidents ADD COLUMN automatic boolean NOT NULL DEFAULT false;
-- The live check's fixed service name an automatic incident is about (NULL for declared incidents).
ALTER TABLE taguato.incidents ADD COLUMN auto_service text
  CHECK (auto_service IS NULL OR char_length(auto_service) BETWEEN 1 AND 100);
ALTER TABLE taguato.incidents ADD CONSTRAINT incidents_auto_service_when_automatic
  CHECK (automatic = (auto_service IS NOT NULL));

-- why unique: two replicas (or two overlapping runs) that see the same failures must open one incident.
CREATE UNIQUE INDEX incidents_one_open_auto_idx ON taguato.incidents (auto_service)
  WHERE automatic AND status <> 'resolved';
