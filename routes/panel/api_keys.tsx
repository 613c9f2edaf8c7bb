import { Island } from "../../components/Island.tsx";
import { PageHead } from "../../components/PageHead.tsx";
import { keyStatus, listApiKeys } from "../../lib/accounts/mod.ts";
import { type SessionUser, type Sql, t } from "../../lib/core/mod.ts";
import { definePage } from "./_layout.tsx";
import { asJson } from "./_data.ts";

/** Instances a key may be limited to: owned or granted ones; every registered instance for admins. */
async function reachableInstances(sql: Sql, user: SessionUser): Promise<string[]> {
  const rows = await sql<{ instance_name: string }[]>`
    SELECT instance_name FROM taguato.user_instances
    WHERE user_id = ${user.id} OR ${user.role === "admin"}
    UNION
    SELECT instance_name FROM taguato.instance_permissions WHERE grantee_user_id = ${user.id}
    ORDER BY instance_name
    LIMIT 500`;
  return rows.map((r) => r.instance_name);
}

/** `/panel/api-keys`: the user's API keys and the form to create one. */
export const apiKeysPage = definePage({
  path: "/api-keys",
  title: "keys.title",
  nav: { label: "nav.apiKeys", icon: "key", section: "account" },
  async render(c, deps) {
    const l = c.get("locale");
    const user = c.get("user")!;
    const now = deps.clock.now();
    const [rows, instances] = await Promise.all([
      listApiKeys(deps.sql, user.id),
      reachableInstances(deps.sql, user),
    ]);
    const keys = asJson(rows.map((k) => ({ ...k, status: keyStatus(k, now) })));
    return (
      <>
        <PageHead title={t(l, "keys.title")} lead={t(l, "keys.intro")} />
        <Island name="ApiKeys" props={{ locale: l, keys, instances }} />
      </>
    );
  },
});
