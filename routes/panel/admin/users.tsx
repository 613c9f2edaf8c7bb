import { Island } from "../../../components/Island.tsx";
import { PageHead } from "../../../components/PageHead.tsx";
import { onePage, t } from "../../../lib/core/mod.ts";
import { listUsers } from "../../../lib/accounts/mod.ts";
import { definePage } from "../_layout.tsx";
import { asJson, pageQuery } from "../_data.ts";

const LIMIT = 50;

/** `/panel/admin/users`: the first page (or the one in ?page/&search) rendered, the rest via the API. */
export const usersPage = definePage({
  path: "/admin/users",
  access: "admin",
  title: "users.title",
  nav: { label: "nav.users", icon: "users", section: "admin" },
  async render(c, deps) {
    const l = c.get("locale");
    const { page, search } = pageQuery(c);
    const initial = asJson(
      await onePage(
        { page, limit: LIMIT },
        (window) => listUsers(deps.sql, { search: search || undefined, ...window }),
      ),
    );
    return (
      <>
        <PageHead title={t(l, "users.title")} lead={t(l, "users.intro")} />
        <Island
          name="UsersAdmin"
          props={{ locale: l, currentUserId: c.var.user.id, search, initial }}
        />
      </>
    );
  },
});
