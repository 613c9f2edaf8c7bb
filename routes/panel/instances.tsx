import { Island } from "../../components/Island.tsx";
import { PageHead } from "../../components/PageHead.tsx";
import type { InstanceItem } from "../../islands/Instances.tsx";
import { type SessionUser, type Sql, t } from "../../lib/core/mod.ts";
import { definePage } from "./_layout.tsx";

/**
 * The instances the user can reach (owned or granted; admins: all), with the last state the engine
 * reported. The island refreshes the states from GET /instance/fetchInstances once it runs.
 */
export async function panelInstances(sql: Sql, user: SessionUser): Promise<InstanceItem[]> {
  const admin = user.role === "admin";
  const rows = await sql<
    {
      instance_name: string;
      connection_state: string | null;
      owner_jid: string | null;
      profile_name: string | null;
      created_at: Date;
      owner: string;
      mine: boolean;
    }[]
  >`
    SELECT i.instance_name, i.connection_state, i.owner_jid, i.profile_name, i.created_at,
      u.username AS owner, i.user_id = ${user.id} AS mine
    FROM taguato.user_instances i JOIN taguato.users u ON u.id = i.user_id
    WHERE i.channel_type = 'whatsapp' AND (${admin} OR i.user_id = ${user.id} OR EXISTS (
      SELECT 1 FROM taguato.instance_permissions p
      WHERE p.instance_name = i.instance_name AND p.grantee_user_id = ${user.id}))
    ORDER BY i.created_at DESC, i.id DESC
    LIMIT 500`;
  return rows.map((r) => ({
    name: r.instance_name,
    state: r.connection_state === "open" || r.connection_state === "connecting"
      ? r.connection_state
      : "close",
    ownerJid: r.owner_jid,
    profileName: r.profile_name,
    createdAt: r.created_at.toISOString(),
    owner: r.owner,
    // Owners and admins may delete; a grantee may use the instance but not destroy it.
    canDelete: r.mine || admin,
    granted: !r.mine,
  }));
}

/** `/panel/instances`: the user's WhatsApp instances: state, connect (QR or code), stats, delete. */
export const instancesPage = definePage({
  path: "/instances",
  title: "inst.title",
  nav: { label: "nav.instances", icon: "server" },
  async render(c, deps) {
    const l = c.get("locale");
    const user = c.get("user")!;
    const [instances, [limits]] = await Promise.all([
      panelInstances(deps.sql, user),
      deps.sql<{ max_instances: number; owned: number }[]>`
        SELECT max_instances, (SELECT count(*)::int FROM taguato.user_instances WHERE user_id = ${user.id}) AS owned
        FROM taguato.users WHERE id = ${user.id}`,
    ]);
    return (
      <>
        <PageHead title={t(l, "inst.title")} lead={t(l, "inst.intro")} />
        <Island
          name="Instances"
          props={{
            locale: l,
            instances,
            owned: limits?.owned ?? 0,
            max: user.role === "admin" ? null : limits?.max_instances ?? 0,
            sandbox: Boolean(deps.sandboxUrl),
            username: user.username,
          }}
        />
      </>
    );
  },
});
