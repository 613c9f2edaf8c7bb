// The Campaigns panel page: server-renders the first page of the history and the create dialog's options.
import { Island } from "../../components/Island.tsx";
import { PageHead } from "../../components/PageHead.tsx";
import { pageInfo, t } from "../../lib/core/mod.ts";
import { listCampaignViews } from "../../lib/campaigns/mod.ts";
import { panelInstances } from "../../lib/gateway/mod.ts";
import {
  canonicalTimeZone,
  contactFieldKeys,
  listContactLists,
  listTemplates,
  userTimeZone,
} from "../../lib/messaging/mod.ts";
import { asJson } from "./_data.ts";
import { definePage } from "./_layout.tsx";

const PAGE_SIZE = 20;
const TEMPLATES_OFFERED = 100;

/**
 * `/panel/campaigns`: the user's campaigns (the same list as GET /api/campaigns) with the create dialog
 * and, with `?campaign=<id>`, that campaign's live detail open.
 */
export const campaignsPage = definePage({
  path: "/campaigns",
  title: "campaigns.title",
  nav: { label: "campaigns.nav", icon: "bolt" },
  async render(c, deps) {
    const l = c.get("locale");
    const user = c.var.user;
    const raw = c.req.query("campaign") ?? "";
    const open = /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : null;
    const [page, instances, lists, { templates }, fieldHints, zone] = await Promise.all([
      listCampaignViews(deps.sql, user.id, PAGE_SIZE, 0),
      panelInstances(deps.sql, user),
      listContactLists(deps.sql, user.id),
      listTemplates(deps.sql, user.id, TEMPLATES_OFFERED, 0),
      contactFieldKeys(deps.sql, user.id),
      userTimeZone(deps.sql, user.id),
    ]);
    return (
      <>
        <PageHead title={t(l, "campaigns.title")} lead={t(l, "campaigns.intro")} />
        <Island
          name="Campaigns"
          props={{
            locale: l,
            initial: { campaigns: page.campaigns, ...pageInfo(page.total, 1, PAGE_SIZE) },
            instances: instances.map((i) => i.name),
            lists: lists.map((x) => ({ id: x.id, name: x.name, item_count: x.item_count })),
            templates: asJson(templates.map((x) => ({ id: x.id, name: x.name }))),
            fieldHints,
            timeZone: canonicalTimeZone(zone) ?? deps.config.defaultTimeZone,
            open,
          }}
        />
      </>
    );
  },
});
