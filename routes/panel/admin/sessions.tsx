import { Island } from "../../../components/Island.tsx";
import { PageHead } from "../../../components/PageHead.tsx";
import { onePage, t } from "../../../lib/core/mod.ts";
import { listSessions } from "../../../lib/accounts/mod.ts";
import { usersWithSessions } from "../../../lib/ops/mod.ts";
import { definePage } from "../_layout.tsx";
import { asJson, pageQuery } from "../_data.ts";

const LIMIT = 50;

/** `/panel/admin/sessions`: every user's live sessions (GET /admin/sessions), filterable by user. */
export const adminSessionsPage = definePage({
  path: "/admin/sessions",
  access: "admin",
  title: "adminSessions.title",
  nav: { label: "nav.adminSessions", icon: "devices", section: "admin" },
  async render(c, deps) {
    const l = c.get("locale");
    const { page } = pageQuery(c);
    const raw = c.req.query("user_id") ?? "";
    const userId = /^[0-9]{1,15}$/.test(raw) ? Number(raw) : undefined;
    const now = new Date(deps.clock.now());
    const [result, users] = await Promise.all([
      onePage({ page, limit: LIMIT }, (w) => listSessions(deps.sql, { userId, now, ...w })),
      usersWithSessions(deps.sql, now),
    ]);
    const current = c.get("sessionId");
    const initial = asJson({
      ...result,
      sessions: result.sessions.map((s) => ({ ...s, current: s.id === current })),
    });
    return (
      <>
        <PageHead title={t(l, "adminSessions.title")} lead={t(l, "adminSessions.intro")} />
        <Island
          name="SessionsAdmin"
          props={{
            locale: l,
            users,
            filters: { user_id: userId === undefined ? "" : String(userId) },
            initial,
          }}
        />
      </>
    );
  },
});
