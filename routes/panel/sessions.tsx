import { Island } from "../../components/Island.tsx";
import { PageHead } from "../../components/PageHead.tsx";
import type { SessionItem } from "../../islands/SessionList.tsx";
import { type Sql, t } from "../../lib/core/mod.ts";
import { definePage } from "./_layout.tsx";

/** The user's live sessions, most recently used first: what GET /api/sessions answers. */
async function ownSessions(sql: Sql, userId: number, currentId: number | undefined): Promise<SessionItem[]> {
  const rows = await sql<
    {
      id: number;
      ip_address: string | null;
      user_agent: string | null;
      last_active: Date;
      created_at: Date;
    }[]
  >`
    SELECT id, ip_address, user_agent, last_active, created_at FROM taguato.sessions
    WHERE user_id = ${userId} AND is_active AND expires_at > now()
    ORDER BY last_active DESC, id DESC`;
  return rows.map((r) => ({
    ...r,
    last_active: r.last_active.toISOString(),
    created_at: r.created_at.toISOString(),
    current: r.id === currentId,
  }));
}

/** `/panel/sessions`: where the account is signed in, with revoke and "log out everywhere". */
export const sessionsPage = definePage({
  path: "/sessions",
  title: "sessions.title",
  nav: { label: "nav.sessions", icon: "devices", section: "account" },
  async render(c, deps) {
    const l = c.get("locale");
    const sessions = await ownSessions(deps.sql, c.get("user")!.id, c.get("sessionId"));
    return (
      <>
        <PageHead title={t(l, "sessions.title")} lead={t(l, "sessions.intro")} />
        <Island name="SessionList" props={{ locale: l, sessions }} />
      </>
    );
  },
});
