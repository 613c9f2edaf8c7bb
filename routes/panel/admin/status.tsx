import { Island } from "../../../components/Island.tsx";
import { PageHead } from "../../../components/PageHead.tsx";
import { t } from "../../../lib/core/mod.ts";
import { listActiveServices, listIncidents, listMaintenances } from "../../../lib/status/mod.ts";
import { definePage } from "../_layout.tsx";
import { asJson } from "../_data.ts";
import { assetHref } from "../static.ts";

const href = assetHref();

/** `/panel/admin/status`: incidents with their updates and maintenance windows, first 100 of each. */
export const statusAdminPage = definePage({
  path: "/admin/status",
  access: "admin",
  title: "nav.statusAdmin",
  nav: { label: "nav.statusAdmin", icon: "pulse", section: "admin" },
  async render(c, deps) {
    const l = c.get("locale");
    const window = { limit: 100, offset: 0 };
    const [css, services, incidents, maintenances] = await Promise.all([
      href("status.css"),
      listActiveServices(deps.sql),
      listIncidents(deps.sql, {}, window),
      listMaintenances(deps.sql, {}, window),
    ]);
    return (
      <>
        <link rel="stylesheet" href={css} />
        <PageHead title={t(l, "nav.statusAdmin")} lead={t(l, "sadm.lead")}>
          <a class="btn btn-secondary" href="/status/">{t(l, "sadm.publicPage")}</a>
        </PageHead>
        <Island
          name="StatusAdmin"
          props={{
            locale: l,
            services: services.map((s) => ({ id: s.id, name: s.name })),
            incidents: asJson(incidents.incidents),
            maintenances: asJson(maintenances.maintenances),
          }}
        />
      </>
    );
  },
});
