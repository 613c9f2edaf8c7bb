-- 0004_status_page: services, incidents and their timeline, scheduled maintenances, uptime samples
-- (contract §4.5, §6).

-- ---------------------------------------------------------------------------------------------------
-- services -- used to link incidents/maintenances; the live checks use the same four names.
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE taguato.services (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 100),
  description text,
  display_order integer NOT NULL DEFAULT 0,
  is_active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- GET /admin/incidents/services: active services by display_order (a handful of rows; no index).

INSERT INTO taguato.services (name, description, display_order) VALUES
  ('Gateway', 'API Gateway y enrutamiento', 1),
  ('Evolution API', 'Motor de WhatsApp', 2),
  ('PostgreSQL', 'Base de datos', 3),
  ('Redis', 'Cache y colas', 4)
ON CONFLICT (name) DO NOTHING;

-- ---------------------------------------------------------------------------------------------------
-- incidents / incident_updates / incident_services
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE taguato.incidents (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 255),
  severity text NOT NULL CHECK (severity IN ('minor', 'major', 'critical')),
  status text NOT NULL DEFAULT 'investigating'
    CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved')),
  created_by bigint REFERENCES taguato.users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz,
  -- why: the contract left resolved_at NULL for incidents created as resolved and never cleared it on
  -- reopening (§14 #28). resolved_at is set exactly while the incident is resolved.
  CONSTRAINT incidents_resolved_at_matches_status CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))
);
-- GET /admin/incidents (optional status filter, created_at DESC) and the public active list
-- (status <> 'resolved', newest first).
CREATE INDEX incidents_created_idx ON taguato.incidents (created_at DESC);
CREATE INDEX incidents_status_created_idx ON taguato.incidents (status, created_at DESC);
-- Public "recent_incidents": resolved, by resolved_at DESC, max 20.
CREATE INDEX incidents_resolved_idx ON taguato.incidents (resolved_at DESC) WHERE status = 'resolved';

CREATE TABLE taguato.incident_updates (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES taguato.incidents (id) ON DELETE CASCADE,
  status text NOT NULL CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved')),
  message text NOT NULL CHECK (message <> ''),
  created_by bigint REFERENCES taguato.users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- An incident's timeline, newest first; also the incidents cascade.
CREATE INDEX incident_updates_incident_created_idx ON taguato.incident_updates (incident_id, created_at DESC);

CREATE TABLE taguato.incident_services (
  incident_id bigint NOT NULL REFERENCES taguato.incidents (id) ON DELETE CASCADE,
  service_id bigint NOT NULL REFERENCES taguato.services (id) ON DELETE CASCADE,
  PRIMARY KEY (incident_id, service_id)
);
CREATE INDEX incident_services_service_idx ON taguato.incident_services (service_id);

-- ---------------------------------------------------------------------------------------------------
-- scheduled_maintenances / maintenance_services -- status only changes by hand (§6.6).
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE taguato.scheduled_maintenances (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 255),
  -- why NOT NULL DEFAULT '': the API defaults it to "" (a JSON null used to be stringified, §1.0).
  description text NOT NULL DEFAULT '',
  scheduled_start timestamptz NOT NULL,
  scheduled_end timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'in_progress', 'completed')),
  created_by bigint REFERENCES taguato.users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- why: the contract accepted a window that ends before it starts (§6.6).
  CONSTRAINT scheduled_maintenances_window_order CHECK (scheduled_end >= scheduled_start)
);
-- GET /admin/maintenance (optional status filter) and the public list (scheduled|in_progress by start).
CREATE INDEX scheduled_maintenances_status_start_idx ON taguato.scheduled_maintenances (status, scheduled_start);

CREATE TABLE taguato.maintenance_services (
  maintenance_id bigint NOT NULL REFERENCES taguato.scheduled_maintenances (id) ON DELETE CASCADE,
  service_id bigint NOT NULL REFERENCES taguato.services (id) ON DELETE CASCADE,
  PRIMARY KEY (maintenance_id, service_id)
);
CREATE INDEX maintenance_services_service_idx ON taguato.maintenance_services (service_id);

-- ---------------------------------------------------------------------------------------------------
-- uptime_checks -- one sample per service per uptime-worker run.
-- ---------------------------------------------------------------------------------------------------
CREATE TABLE taguato.uptime_checks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- No FK to services: samples are keyed by the live check's fixed name and must not depend on (or be
  -- deleted with) the editable services rows.
  service_name text NOT NULL CHECK (char_length(service_name) BETWEEN 1 AND 100),
  -- Checks produce operational | major_outage today; the other public statuses are allowed for later.
  status text NOT NULL CHECK (status IN ('operational', 'degraded', 'partial_outage', 'major_outage')),
  response_time integer NOT NULL DEFAULT 0 CHECK (response_time >= 0),
  checked_at timestamptz NOT NULL DEFAULT now()
);
-- Per-service uptime over 30 days, daily bars and the 24 h response-time history.
CREATE INDEX uptime_checks_service_checked_idx ON taguato.uptime_checks (service_name, checked_at DESC);
-- Admin dashboard uptime_30d across services, and the retention purge.
CREATE INDEX uptime_checks_checked_idx ON taguato.uptime_checks (checked_at);
