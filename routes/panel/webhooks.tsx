import { Island } from "../../components/Island.tsx";
import { PageHead } from "../../components/PageHead.tsx";
import { t } from "../../lib/core/mod.ts";
import { WEBHOOK_EVENTS, type WebhookRow } from "../../lib/webhooks/mod.ts";
import { asJson } from "./_data.ts";
import { definePage } from "./_layout.tsx";
import { panelInstances } from "./instances.tsx";

/** `/panel/webhooks`: the user's webhooks (signed deliveries of engine events), with their delivery log. */
export const webhooksPage = definePage({
  path: "/webhooks",
  title: "wh.title",
  nav: { label: "nav.webhooks", icon: "bolt" },
  async render(c, deps) {
    const l = c.get("locale");
    const user = c.get("user")!;
    const [rows, instances] = await Promise.all([
      deps.sql<WebhookRow[]>`
        SELECT id, user_id, instance_name, webhook_url, events, is_active, retry_count, created_at, updated_at
        FROM taguato.user_webhooks WHERE user_id = ${user.id} ORDER BY created_at DESC, id DESC`,
      panelInstances(deps.sql, user),
    ]);
    const webhooks = asJson(rows.map((w) => ({
      id: w.id,
      instance_name: w.instance_name,
      webhook_url: w.webhook_url,
      events: w.events,
      is_active: w.is_active,
      created_at: w.created_at,
      updated_at: w.updated_at,
    })));
    return (
      <>
        <PageHead title={t(l, "wh.title")} lead={t(l, "wh.intro")} />
        <Island
          name="Webhooks"
          props={{
            locale: l,
            webhooks,
            // POST /api/webhooks takes the owner's instances (admins: any); grantees cannot attach one.
            instances: instances.filter((i) => i.canDelete).map((i) => i.name),
            events: [...WEBHOOK_EVENTS],
          }}
        />
      </>
    );
  },
});
