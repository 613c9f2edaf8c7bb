import { Island } from "../../components/Island.tsx";
import { PageHead } from "../../components/PageHead.tsx";
import { keyStatus, listApiKeys } from "../../lib/accounts/mod.ts";
import { t } from "../../lib/core/mod.ts";
import { reachableInstanceNames } from "../../lib/gateway/mod.ts";
import { definePage } from "./_layout.tsx";
import { asJson } from "./_data.ts";

/** `/panel/api-keys`: the user's API keys and the form to create one. */
export const apiKeysPage = definePage({
  path: "/api-keys",
  title: "keys.title",
  nav: { label: "nav.apiKeys", icon: "key", section: "account" },
  async render(c, deps) {
    const l = c.get("locale");
    const user = c.var.user;
    const now = deps.clock.now();
    const [rows, instances] = await Promise.all([
      listApiKeys(deps.sql, user.id),
      reachableInstanceNames(deps.sql, user, 500),
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
