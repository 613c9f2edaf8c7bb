import { Island } from "../../components/Island.tsx";
import { PageHead } from "../../components/PageHead.tsx";
import { t } from "../../lib/core/mod.ts";
import { instanceAllowance, panelInstances } from "../../lib/gateway/mod.ts";
import { definePage } from "./_layout.tsx";

/** `/panel/instances`: the user's WhatsApp instances: state, connect (QR or code), stats, delete. */
export const instancesPage = definePage({
  path: "/instances",
  title: "inst.title",
  nav: { label: "nav.instances", icon: "server" },
  async render(c, deps) {
    const l = c.get("locale");
    const user = c.var.user;
    const [instances, allowance] = await Promise.all([
      panelInstances(deps.sql, user),
      instanceAllowance(deps.sql, user.id),
    ]);
    return (
      <>
        <PageHead title={t(l, "inst.title")} lead={t(l, "inst.intro")} />
        <Island
          name="Instances"
          props={{
            locale: l,
            instances,
            owned: allowance?.owned ?? 0,
            max: user.role === "admin" ? null : allowance?.max ?? 0,
            sandbox: Boolean(deps.sandboxUrl),
            username: user.username,
          }}
        />
      </>
    );
  },
});
