import { Island } from "../../components/Island.tsx";
import { PageHead } from "../../components/PageHead.tsx";
import { t } from "../../lib/core/mod.ts";
import { panelInstances } from "../../lib/gateway/mod.ts";
import { listWebhooks, WEBHOOK_EVENTS, webhookView } from "../../lib/webhooks/mod.ts";
import { asJson } from "./_data.ts";
import { definePage } from "./_layout.tsx";

/** `/panel/webhooks`: the user's webhooks (signed deliveries of engine events), with their delivery log. */
export const webhooksPage = definePage({
  path: "/webhooks",
  title: "wh.title",
  nav: { label: "nav.webhooks", icon: "bolt" },
  async render(c, deps) {
    const l = c.get("locale");
    const user = c.var.user;
    const [rows, instances] = await Promise.all([
      listWebhooks(deps.sql, user.id),
      panelInstances(deps.sql, user),
    ]);
    const webhooks = asJson(rows.map(webhookView));
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
