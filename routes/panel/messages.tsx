import { Island } from "../../components/Island.tsx";
import { PageHead } from "../../components/PageHead.tsx";
import { type Sql, t } from "../../lib/core/mod.ts";
import { listTemplates, logWhere } from "../../lib/messaging/mod.ts";
import { asJson } from "./_data.ts";
import { definePage } from "./_layout.tsx";
import { panelInstances } from "./instances.tsx";

const HISTORY_LIMIT = 20;

/** The first page of the user's ledger, as GET /api/messages/log answers it without filters. */
async function firstHistoryPage(sql: Sql, userId: number) {
  const where = logWhere(sql, userId, {});
  const [{ total }] = await sql<{ total: number }[]>`
    SELECT count(*)::int AS total FROM taguato.message_logs ${where}`;
  const logs = await sql<
    {
      id: number;
      instance_name: string;
      phone_number: string;
      message_type: string;
      status: string;
      error_message: string | null;
      direction: string;
      source: string;
      created_at: Date;
      status_updated_at: Date;
    }[]
  >`
    SELECT id, instance_name, phone_number, message_type, status, error_message, direction, source,
      created_at, status_updated_at
    FROM taguato.message_logs ${where}
    ORDER BY created_at DESC, id DESC LIMIT ${HISTORY_LIMIT}`;
  return asJson({ logs, total, page: 1, limit: HISTORY_LIMIT, pages: Math.ceil(total / HISTORY_LIMIT) });
}

/** `/panel/messages`: send a text or a file from a connected instance, and the message history. */
export const messagesPage = definePage({
  path: "/messages",
  title: "msg.title",
  nav: { label: "nav.messages", icon: "chat" },
  async render(c, deps) {
    const l = c.get("locale");
    const user = c.get("user")!;
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
