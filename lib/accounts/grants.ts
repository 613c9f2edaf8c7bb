/** Instance grants: an owner's instance shared with another user, managed by admins. */
import type { Sql } from "../core/mod.ts";
import { auditAs } from "./audit.ts";

export interface AdminInstanceRow {
  instance_name: string;
  channel_type: "whatsapp" | "telegram";
  created_at: string;
  owner_id: number;
  owner_username: string;
  grants: { user_id: number; username: string; granted_at: string }[];
}

/** Every registered instance, newest first, with its owner and grants (GET /admin/instances). */
export function listInstancesWithGrants(sql: Sql): Promise<AdminInstanceRow[]> {
  return sql<AdminInstanceRow[]>`
    SELECT ui.instance_name, ui.channel_type, ui.created_at, ui.user_id AS owner_id,
           u.username AS owner_username,
           COALESCE((
             SELECT json_agg(json_build_object('user_id', p.grantee_user_id, 'username', g.username,
                                               'granted_at', p.granted_at) ORDER BY p.granted_at, p.id)
             FROM taguato.instance_permissions p JOIN taguato.users g ON g.id = p.grantee_user_id
             WHERE p.instance_name = ui.instance_name), '[]'::json) AS grants
    FROM taguato.user_instances ui JOIN taguato.users u ON u.id = ui.user_id
    ORDER BY ui.created_at DESC, ui.id DESC`;
}

/** The owner's id of a registered instance, or null. */
export async function instanceOwnerId(sql: Sql, name: string): Promise<number | null> {
  const [row] = await sql<{ user_id: number }[]>`
    SELECT user_id FROM taguato.user_instances WHERE instance_name = ${name}`;
  return row?.user_id ?? null;
}

type Actor = { id: number; username: string };

/** Grants `granteeId` access to `name` and audits it; false when the grant already existed. */
export function grantInstance(sql: Sql, name: string, granteeId: number, actor: Actor, ip: string) {
  return sql.begin(async (tx) => {
    const rows = await tx`
      INSERT INTO taguato.instance_permissions (instance_name, grantee_user_id, granted_by)
      VALUES (${name}, ${granteeId}, ${actor.id})
      ON CONFLICT (instance_name, grantee_user_id) DO NOTHING RETURNING id`;
    if (rows.length === 0) return false;
    await auditAs(tx, actor, ip, {
      action: "instance_grant_created",
      resourceType: "instance",
      resourceId: name,
      details: { grantee_user_id: granteeId },
    });
    return true;
  });
}

/** Withdraws a grant and audits it; false when there was none. */
export function revokeInstanceGrant(sql: Sql, name: string, granteeId: number, actor: Actor, ip: string) {
  return sql.begin(async (tx) => {
    const rows = await tx`
      DELETE FROM taguato.instance_permissions
      WHERE instance_name = ${name} AND grantee_user_id = ${granteeId} RETURNING id`;
    if (rows.length === 0) return false;
    await auditAs(tx, actor, ip, {
      action: "instance_grant_revoked",
      resourceType: "instance",
      resourceId: name,
      details: { grantee_user_id: granteeId },
    });
    return true;
  });
}
