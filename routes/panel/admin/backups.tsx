import { Island } from "../../../components/Island.tsx";
import { PageHead } from "../../../components/PageHead.tsx";
import { t } from "../../../lib/core/mod.ts";
import { backupsUnavailable, listBackups } from "../../../lib/ops/mod.ts";
import { definePage } from "../_layout.tsx";

/** `/panel/admin/backups`: create, download, delete and restore database backups. */
export const backupsPage = definePage({
  path: "/admin/backups",
  access: "admin",
  title: "backups.title",
  nav: { label: "nav.backups", icon: "database", section: "admin" },
  async render(c, deps) {
    const l = c.get("locale");
    const backups = await listBackups(deps);
    return (
      <>
        <PageHead title={t(l, "backups.title")} lead={t(l, "backups.intro")} />
        <Island
          name="BackupsAdmin"
          props={{ locale: l, backups, available: backupsUnavailable(deps) === null }}
        />
      </>
    );
  },
});
