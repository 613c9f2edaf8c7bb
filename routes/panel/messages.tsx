import { Island } from "../../components/Island.tsx";
import { PageHead } from "../../components/PageHead.tsx";
import { pageInfo, type Sql, t } from "../../lib/core/mod.ts";
import { panelInstances } from "../../lib/gateway/mod.ts";
import { listTemplates, messageLogPage } from "../../lib/messaging/mod.ts";
import { asJson } from "./_data.ts";
import { definePage } from "./_layout.tsx";

const HISTORY_LIMIT = 20;

/** The first page of the user's ledger, exactly as GET /api/messages/log answers it without filters. */
async function firstHistoryPage(sql: Sql, userId: number) {
  const { logs, total } = await messageLogPage(sql, userId, {}, HISTORY_LIMIT, 0);
  return asJson({ logs, ...pageInfo(total, 1, HISTORY_LIMIT) });
}

/** `/panel/messages`: send a text or a file from a connected instance, and the message history. */
export const messagesPage = definePage({
  path: "/messages",
  title: "msg.title",
  nav: { label: "nav.messages", icon: "chat" },
  async render(c, deps) {
    const l = c.get("locale");
    const user = c.var.user;
    const [instances, { templates }, history] = await Promise.all([
      panelInstances(deps.sql, user),
      listTemplates(deps.sql, user.id, 100, 0),
      firstHistoryPage(deps.sql, user.id),
    ]);
    const selected = (c.req.query("instance") ?? "").slice(0, 100);
    return (
      <>
        <PageHead title={t(l, "msg.title")} lead={t(l, "msg.intro")} />
        <Island
          name="MessageComposer"
          props={{
            locale: l,
            instances: instances.map((i) => ({ name: i.name, state: i.state })),
            templates: templates.map((x) => ({ id: x.id, name: x.name, content: x.content })),
            selected,
          }}
        />
        <Island
          name="MessageHistory"
          props={{ locale: l, instances: instances.map((i) => i.name), initial: history }}
        />
      </>
    );
  },
});
