import { Island } from "../../../components/Island.tsx";
import { PageHead } from "../../../components/PageHead.tsx";
import { t } from "../../../lib/core/mod.ts";
import { engineStatuses } from "../../../lib/gateway/mod.ts";
import { definePage } from "../_layout.tsx";

/** `/panel/admin/engines`: the engines instances are placed on, their usage and health; add or disable one. */
export const enginesPage = definePage({
  path: "/admin/engines",
  access: "admin",
  title: "engines.title",
  nav: { label: "nav.engines", icon: "server", section: "admin" },
  async render(c, deps) {
    const l = c.get("locale");
    const engines = await engineStatuses(deps);
    return (
      <>
        <PageHead title={t(l, "engines.title")} lead={t(l, "engines.intro")} />
        <Island name="EnginesAdmin" props={{ locale: l, engines }} />
      </>
    );
  },
});
