import { Island } from "../../components/Island.tsx";
import { PageHead } from "../../components/PageHead.tsx";
import { listOwnSessions } from "../../lib/accounts/mod.ts";
import { t } from "../../lib/core/mod.ts";
import { definePage } from "./_layout.tsx";

/** `/panel/sessions`: where the account is signed in, with revoke and "log out everywhere". */
export const sessionsPage = definePage({
  path: "/sessions",
  title: "sessions.title",
  nav: { label: "nav.sessions", icon: "devices", section: "account" },
  async render(c, deps) {
    const l = c.get("locale");
    const currentId = c.get("sessionId");
    // The same rows GET /api/sessions answers.
    const rows = await listOwnSessions(deps.sql, c.var.user.id, new Date(deps.clock.now()));
    const sessions = rows.map((r) => ({
      id: r.id,
      ip_address: r.ip_address,
      user_agent: r.user_agent,
      last_active: r.last_active.toISOString(),
      created_at: r.created_at.toISOString(),
      current: r.id === currentId,
    }));
    return (
      <>
        <PageHead title={t(l, "sessions.title")} lead={t(l, "sessions.intro")} />
        <Island name="SessionList" props={{ locale: l, sessions }} />
      </>
    );
  },
});
