/** The services incidents and maintenance name (admin-managed list; the four live checks are fixed). */
import type { Sql } from "../core/mod.ts";
import { SERVICE_NAMES } from "./model.ts";

export interface AdminService {
  id: number;
  name: string;
  description: string | null;
  display_order: number;
  is_active: boolean;
}

const cols = (sql: Sql) => sql`id, name, description, display_order, is_active`;

/** Every service, active or not, by display order. */
export function listServices(sql: Sql): Promise<AdminService[]> {
  return sql<AdminService[]>`SELECT ${cols(sql)} FROM taguato.services ORDER BY display_order, id`;
}

/** Creates a service; null when the name is taken. */
export async function createService(
  sql: Sql,
  s: { name: string; description: string | null; displayOrder: number },
): Promise<AdminService | null> {
  const [row] = await sql<AdminService[]>`
    INSERT INTO taguato.services (name, description, display_order)
    VALUES (${s.name}, ${s.description}, ${s.displayOrder})
    ON CONFLICT (name) DO NOTHING RETURNING ${cols(sql)}`;
  return row ?? null;
}

export interface ServiceEdit {
  name?: string;
  description?: string | null;
  displayOrder?: number;
  isActive?: boolean;
}

/**
 * Edits a service. The four live-checked services keep their names (samples and automatic incidents
 * are keyed by them). Returns the row, "builtin" for a rename of one of them, "taken" for a duplicate
 * name, or null when it does not exist.
 */
export function updateService(
  sql: Sql,
  id: number,
  e: ServiceEdit,
): Promise<AdminService | "builtin" | "taken" | null> {
  return sql.begin(async (tx) => {
    const [found] = await tx<
      { name: string }[]
    >`SELECT name FROM taguato.services WHERE id = ${id} FOR UPDATE`;
    if (!found) return null;
    if (e.name !== undefined && e.name !== found.name && isBuiltin(found.name)) return "builtin";
    if (e.name !== undefined && e.name !== found.name) {
      const [clash] = await tx`SELECT 1 FROM taguato.services WHERE name = ${e.name}`;
      if (clash) return "taken";
    }
    const [row] = await tx<AdminService[]>`
      UPDATE taguato.services SET name = coalesce(${e.name ?? null}, name),
        description = ${e.description === undefined ? tx`description` : e.description},
        display_order = coalesce(${e.displayOrder ?? null}, display_order),
        is_active = coalesce(${e.isActive ?? null}, is_active)
      WHERE id = ${id} RETURNING ${cols(tx as unknown as Sql)}`;
    return row;
  }) as Promise<AdminService | "builtin" | "taken" | null>;
}

/** Deletes a service (its incident/maintenance links go with it); "builtin" for a live-checked one. */
export async function deleteService(
  sql: Sql,
  id: number,
): Promise<{ id: number; name: string } | "builtin" | null> {
  const [found] = await sql<{ name: string }[]>`SELECT name FROM taguato.services WHERE id = ${id}`;
  if (!found) return null;
  if (isBuiltin(found.name)) return "builtin";
  const [row] = await sql<{ id: number; name: string }[]>`
    DELETE FROM taguato.services WHERE id = ${id} RETURNING id, name`;
  return row ?? null;
}

const isBuiltin = (name: string) => (SERVICE_NAMES as readonly string[]).includes(name);
