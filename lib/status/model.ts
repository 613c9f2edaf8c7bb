/** The status domain's fixed vocabularies (contract §4.5, §6); browser-safe (islands may import it). */

/** The live-checked services, always in this order in `GET /api/status`. */
export const SERVICE_NAMES = ["Gateway", "Evolution API", "PostgreSQL", "Redis"] as const;
export type ServiceName = typeof SERVICE_NAMES[number];

export const SEVERITIES = ["minor", "major", "critical"] as const;
export type Severity = typeof SEVERITIES[number];

export const INCIDENT_STATUSES = ["investigating", "identified", "monitoring", "resolved"] as const;
export type IncidentStatus = typeof INCIDENT_STATUSES[number];

export const MAINTENANCE_STATUSES = ["scheduled", "in_progress", "completed"] as const;
export type MaintenanceStatus = typeof MAINTENANCE_STATUSES[number];

export const OVERALL_STATUSES = ["operational", "degraded", "partial_outage", "major_outage"] as const;
export type OverallStatus = typeof OVERALL_STATUSES[number];

/** What one check of a service produces (checks never say "degraded", contract §5.1). */
export type CheckStatus = "operational" | "major_outage";

/** `floor(ok / total × 10000) / 100`: truncated, not rounded, to two decimals (contract §6.4). */
export const uptimePct = (ok: number, total: number): number =>
  total === 0 ? 100 : Math.floor((ok / total) * 10000) / 100;
