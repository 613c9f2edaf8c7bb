/** Scheduled maintenance windows and their affected services (contract §6.6), as SQL. */
import type { Sql } from "../core/mod.ts";
import { linkServices } from "./incidents.ts";
import type { MaintenanceStatus } from "./model.ts";

export interface AdminMaintenance {
  id: number;
  title: string;
  description: string;
  scheduled_start: Date;
  scheduled_end: Date;
  status: MaintenanceStatus;
  created_at: Date;
  updated_at: Date;
  created_by_name: string | null;
  affected_services: { id: number; name: string }[];
}

const affected = (sql: Sql, admin: boolean) =>
  sql`coalesce((
    SELECT json_agg(${
    admin ? sql`json_build_object('id', s.id, 'name', s.name)` : sql`s.name`
  } ORDER BY s.display_order, s.id)
    FROM taguato.maintenance_services x JOIN taguato.services s ON s.id = x.service_id
    WHERE x.maintenance_id = m.id), '[]'::json)`;

/** One page of windows: in progress, scheduled, completed, then latest start (`GET /admin/maintenance`). */
export async function listMaintenances(
  sql: Sql,
  filter: { status?: MaintenanceStatus },
  page: { limit: number; offset: number },
): Promise<{ maintenances: AdminMaintenance[]; total: number }> {
  const where = filter.status ? sql`WHERE m.status = ${filter.status}` : sql``;
  const [{ total }] = await sql<{ total: number }[]>`
    SELECT count(*)::int AS total FROM taguato.scheduled_maintenances m ${where}`;
  const maintenances = await sql<AdminMaintenance[]>`
    SELECT m.id, m.title, m.description, m.scheduled_start, m.scheduled_end, m.status, m.created_at,
           m.updated_at, u.username AS created_by_name, ${affected(sql, true)} AS affected_services
    FROM taguato.scheduled_maintenances m LEFT JOIN taguato.users u ON u.id = m.created_by
    ${where}
    ORDER BY CASE m.status WHEN 'in_progress' THEN 0 WHEN 'scheduled' THEN 1 ELSE 2 END,
             m.scheduled_start DESC, m.id DESC
    LIMIT ${page.limit} OFFSET ${page.offset}`;
  return { maintenances, total };
}

export interface NewMaintenance {
  title: string;
  description: string;
  start: Date;
  end: Date;
  serviceIds: number[];
  createdBy: number | null;
}

/** Creates a scheduled window with its service links. */
export function createMaintenance(sql: Sql, input: NewMaintenance): Promise<Record<string, unknown>> {
  return sql.begin(async (tx) => {
    const [row] = await tx<{ id: number }[]>`
      INSERT INTO taguato.scheduled_maintenances (title, description, scheduled_start, scheduled_end, created_by)
      VALUES (${input.title}, ${input.description}, ${input.start}, ${input.end}, ${input.createdBy})
      RETURNING id, title, description, scheduled_start, scheduled_end, status, created_at`;
    await linkServices(tx, "maintenance_services", row.id, input.serviceIds);
    return row;
  }) as Promise<Record<string, unknown>>;
}

export interface MaintenanceEdit {
  title?: string;
  description?: string;
  start?: Date;
  end?: Date;
  status?: MaintenanceStatus;
  serviceIds?: number[];
}

/** Why an edit was refused: the window would end before it starts. */
export const WINDOW_ORDER = "window_order" as const;

/**
 * Edits a window and replaces its links. Returns the edited row, `"services"` when only links were
 * given, WINDOW_ORDER when the result would end before it starts, or null when it does not exist.
 */
export function updateMaintenance(
  sql: Sql,
  id: number,
  edit: MaintenanceEdit,
): Promise<Record<string, unknown> | "services" | typeof WINDOW_ORDER | null> {
  return sql.begin(async (tx) => {
    const [found] = await tx<{ scheduled_start: Date; scheduled_end: Date }[]>`
      SELECT scheduled_start, scheduled_end FROM taguato.scheduled_maintenances WHERE id = ${id} FOR UPDATE`;
    if (!found) return null;
    const start = edit.start ?? found.scheduled_start;
    const end = edit.end ?? found.scheduled_end;
    if (end < start) return WINDOW_ORDER;
    if (edit.serviceIds) await linkServices(tx, "maintenance_services", id, edit.serviceIds);
    const fields = [edit.title, edit.description, edit.start, edit.end, edit.status];
    if (fields.every((f) => f === undefined)) return "services";
    const [row] = await tx`
      UPDATE taguato.scheduled_maintenances SET
        title = coalesce(${edit.title ?? null}, title),
        description = coalesce(${edit.description ?? null}, description),
        scheduled_start = ${start}, scheduled_end = ${end},
        status = coalesce(${edit.status ?? null}, status), updated_at = now()
      WHERE id = ${id}
      RETURNING id, title, description, scheduled_start, scheduled_end, status, updated_at`;
    return row;
  }) as Promise<Record<string, unknown> | "services" | typeof WINDOW_ORDER | null>;
}

/** Deletes a window; returns what was deleted, or null. */
export async function deleteMaintenance(sql: Sql, id: number): Promise<{ id: number; title: string } | null> {
  const [row] = await sql<{ id: number; title: string }[]>`
    DELETE FROM taguato.scheduled_maintenances WHERE id = ${id} RETURNING id, title`;
  return row ?? null;
}

export interface PublicMaintenance {
  id: number;
  title: string;
  description: string;
  scheduled_start: Date;
  scheduled_end: Date;
  status: MaintenanceStatus;
  affected_services: string[];
}

/** Scheduled and running windows by start (the public list, and the status page's banner). */
export function publicMaintenances(sql: Sql): Promise<PublicMaintenance[]> {
  return sql<PublicMaintenance[]>`
    SELECT m.id, m.title, m.description, m.scheduled_start, m.scheduled_end, m.status,
           ${affected(sql, false)} AS affected_services
    FROM taguato.scheduled_maintenances m WHERE m.status IN ('scheduled', 'in_progress')
    ORDER BY m.scheduled_start, m.id`;
}
