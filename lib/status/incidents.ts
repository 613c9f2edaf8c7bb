/** Incidents, their update timeline and their affected services (contract §6.5), as SQL. */
import type postgres from "postgres";
import type { Sql } from "../core/mod.ts";
import type { IncidentStatus, Severity } from "./model.ts";

type Tx = Sql | postgres.TransactionSql;

export interface ServiceRow {
  id: number;
  name: string;
  description: string | null;
  display_order: number;
}

/** The active services by display_order (`GET /admin/incidents/services`, the panel's pickers). */
export function listActiveServices(sql: Tx): Promise<ServiceRow[]> {
  return sql<ServiceRow[]>`
    SELECT id, name, description, display_order FROM taguato.services
    WHERE is_active ORDER BY display_order, id`;
}

/** Replaces the links of `table`'s row `id` with the existing services among `ids` (unknown ids are ignored). */
export async function linkServices(
  sql: Tx,
  table: "incident_services" | "maintenance_services",
  id: number,
  ids: readonly number[],
): Promise<void> {
  const owner = table === "incident_services" ? sql`incident_id` : sql`maintenance_id`;
  await sql`DELETE FROM ${sql("taguato." + table)} WHERE ${owner} = ${id}`;
  if (!ids.length) return;
  // One statement for every link (the contract inserted one row per id, §14 #35).
  await sql`
    INSERT INTO ${sql("taguato." + table)} (${owner}, service_id)
    SELECT ${id}, s.id FROM taguato.services s WHERE s.id = ANY(${ids as number[]}::bigint[])
    ON CONFLICT DO NOTHING`;
}

// An incident's updates (newest first), as JSON: the admin shape names who wrote them.
const updatesJson = (sql: Tx, admin: boolean) =>
  sql`coalesce((
    SELECT json_agg(json_build_object(${
    admin ? sql`'id', u.id, 'created_by_name', uu.username,` : sql``
  } 'status', u.status, 'message', u.message, 'created_at', u.created_at) ORDER BY u.created_at DESC, u.id DESC)
    FROM taguato.incident_updates u LEFT JOIN taguato.users uu ON uu.id = u.created_by
    WHERE u.incident_id = i.id), '[]'::json)`;

// Affected services by display order: [{id, name}] for admins, names for the public.
const servicesJson = (sql: Tx, admin: boolean) =>
  sql`coalesce((
    SELECT json_agg(${
    admin ? sql`json_build_object('id', s.id, 'name', s.name)` : sql`s.name`
  } ORDER BY s.display_order, s.id)
    FROM taguato.incident_services x JOIN taguato.services s ON s.id = x.service_id
    WHERE x.incident_id = i.id), '[]'::json)`;

/** What the admin list and the public lists both show of an incident. */
interface IncidentBase {
  id: number;
  title: string;
  severity: Severity;
  status: IncidentStatus;
  automatic: boolean;
  created_at: Date;
  updated_at: Date;
  resolved_at: Date | null;
}

export interface AdminIncident extends IncidentBase {
  created_by_name: string | null;
  affected_services: { id: number; name: string }[];
  updates: {
    id: number;
    status: string;
    message: string;
    created_at: string;
    created_by_name: string | null;
  }[];
}

/** One page of incidents: unresolved first, then newest (`GET /admin/incidents`). */
export async function listIncidents(
  sql: Sql,
  filter: { status?: IncidentStatus },
  page: { limit: number; offset: number },
): Promise<{ incidents: AdminIncident[]; total: number }> {
  const where = filter.status ? sql`WHERE i.status = ${filter.status}` : sql``;
  const [{ total }] = await sql<{ total: number }[]>`
    SELECT count(*)::int AS total FROM taguato.incidents i ${where}`;
  const incidents = await sql<AdminIncident[]>`
    SELECT i.id, i.title, i.severity, i.status, i.automatic, i.created_at, i.updated_at, i.resolved_at,
           cu.username AS created_by_name,
           ${servicesJson(sql, true)} AS affected_services, ${updatesJson(sql, true)} AS updates
    FROM taguato.incidents i LEFT JOIN taguato.users cu ON cu.id = i.created_by
    ${where}
    ORDER BY (i.status = 'resolved'), i.created_at DESC, i.id DESC
    LIMIT ${page.limit} OFFSET ${page.offset}`;
  return { incidents, total };
}

export interface NewIncident {
  title: string;
  severity: Severity;
  status: IncidentStatus;
  message: string;
  serviceIds: number[];
  createdBy: number | null;
  /** Set for the uptime worker's incidents: the service they are about. */
  autoService?: string;
}

export interface IncidentHead {
  id: number;
  title: string;
  severity: Severity;
  status: IncidentStatus;
  created_at: Date;
}

/**
 * Creates an incident with its first timeline update and its service links, in one transaction.
 * Created as `resolved`, it is resolved now (the contract left resolved_at empty, §14 #28).
 * Returns null when an automatic incident for the same service is already open.
 */
export function createIncident(sql: Sql, input: NewIncident): Promise<IncidentHead | null> {
  return sql.begin(async (tx) => {
    const auto = input.autoService ?? null;
    const [row] = await tx<IncidentHead[]>`
      INSERT INTO taguato.incidents (title, severity, status, created_by, resolved_at, automatic, auto_service)
      VALUES (${input.title}, ${input.severity}, ${input.status}, ${input.createdBy},
              ${input.status === "resolved" ? tx`now()` : null}, ${auto !== null}, ${auto})
      ON CONFLICT (auto_service) WHERE automatic AND status <> 'resolved' DO NOTHING
      RETURNING id, title, severity, status, created_at`;
    if (!row) return null;
    await tx`
      INSERT INTO taguato.incident_updates (incident_id, status, message, created_by)
      VALUES (${row.id}, ${input.status}, ${input.message}, ${input.createdBy})`;
    await linkServices(tx, "incident_services", row.id, input.serviceIds);
    return row;
  }) as Promise<IncidentHead | null>;
}

export interface UpdateRow {
  id: number;
  status: IncidentStatus;
  message: string;
  created_at: Date;
}

/**
 * Adds a timeline update and moves the incident to its status; resolved_at is set while resolved and
 * cleared on reopening. Returns the update and the incident's title, or null when it does not exist.
 */
export function addIncidentUpdate(
  sql: Sql,
  id: number,
  update: { status: IncidentStatus; message: string; createdBy: number | null },
): Promise<{ update: UpdateRow; title: string } | null> {
  return sql.begin(async (tx) => {
    const [incident] = await tx<{ title: string }[]>`
      UPDATE taguato.incidents SET status = ${update.status}, updated_at = now(),
        resolved_at = CASE WHEN ${update.status} = 'resolved' THEN coalesce(resolved_at, now()) END
      WHERE id = ${id} RETURNING title`;
    if (!incident) return null;
    const [row] = await tx<UpdateRow[]>`
      INSERT INTO taguato.incident_updates (incident_id, status, message, created_by)
      VALUES (${id}, ${update.status}, ${update.message}, ${update.createdBy})
      RETURNING id, status, message, created_at`;
    return { update: row, title: incident.title };
  }) as Promise<{ update: UpdateRow; title: string } | null>;
}

export interface IncidentEdit {
  title?: string;
  severity?: Severity;
  serviceIds?: number[];
}

/**
 * Edits title/severity and replaces the service links. Returns the edited head, `"services"` when only
 * links were given (the contract's "Services updated"), or null when the incident does not exist.
 */
export function updateIncident(
  sql: Sql,
  id: number,
  edit: IncidentEdit,
): Promise<Record<string, unknown> | "services" | null> {
  return sql.begin(async (tx) => {
    // Unlike the contract (links first, §6.5), nothing changes for an incident that does not exist.
    const [found] = await tx`SELECT id FROM taguato.incidents WHERE id = ${id} FOR UPDATE`;
    if (!found) return null;
    if (edit.serviceIds) await linkServices(tx, "incident_services", id, edit.serviceIds);
    if (edit.title === undefined && edit.severity === undefined) return "services";
    const [row] = await tx`
      UPDATE taguato.incidents SET title = coalesce(${edit.title ?? null}, title),
        severity = coalesce(${edit.severity ?? null}, severity), updated_at = now()
      WHERE id = ${id} RETURNING id, title, severity, status, updated_at`;
    return row;
  }) as Promise<Record<string, unknown> | "services" | null>;
}

/** Deletes an incident (its updates and links cascade); returns what was deleted, or null. */
export async function deleteIncident(sql: Sql, id: number): Promise<{ id: number; title: string } | null> {
  const [row] = await sql<{ id: number; title: string }[]>`
    DELETE FROM taguato.incidents WHERE id = ${id} RETURNING id, title`;
  return row ?? null;
}

export interface PublicIncident extends IncidentBase {
  affected_services: string[];
  updates: { status: string; message: string; created_at: string }[];
}

/** The public lists: unresolved incidents (newest first) and the `recentLimit` last resolved ones. */
export async function publicIncidents(
  sql: Sql,
  recentLimit = 20,
): Promise<{ active: PublicIncident[]; recent: PublicIncident[] }> {
  const cols =
    sql`i.id, i.title, i.severity, i.status, i.automatic, i.created_at, i.updated_at, i.resolved_at,
    ${servicesJson(sql, false)} AS affected_services, ${updatesJson(sql, false)} AS updates`;
  const [active, recent] = await Promise.all([
    sql<PublicIncident[]>`
      SELECT ${cols} FROM taguato.incidents i WHERE i.status <> 'resolved' ORDER BY i.created_at DESC, i.id DESC`,
    sql<PublicIncident[]>`
      SELECT ${cols} FROM taguato.incidents i WHERE i.status = 'resolved'
      ORDER BY i.resolved_at DESC, i.id DESC LIMIT ${recentLimit}`,
  ]);
  return { active, recent };
}

/** The open automatic incident of `service`, if any (id only). */
export async function openAutoIncident(sql: Sql, service: string): Promise<number | null> {
  const [row] = await sql<{ id: number }[]>`
    SELECT id FROM taguato.incidents WHERE automatic AND auto_service = ${service} AND status <> 'resolved'`;
  return row?.id ?? null;
}

/** The services row id of a live-check name (auto incidents link it), or null if an admin removed it. */
export async function serviceIdByName(sql: Sql, name: string): Promise<number | null> {
  const [row] = await sql<{ id: number }[]>`SELECT id FROM taguato.services WHERE name = ${name}`;
  return row?.id ?? null;
}
