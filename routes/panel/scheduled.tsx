import { Island } from "../../components/Island.tsx";
import { PageHead } from "../../components/PageHead.tsx";
import { pageInfo, t } from "../../lib/core/mod.ts";
import { panelInstances } from "../../lib/gateway/mod.ts";
import {
  canonicalTimeZone,
  listContactLists,
  listScheduled,
  SCHEDULED_STATUSES,
  type ScheduledStatus,
  scheduledView,
  userTimeZone,
} from "../../lib/messaging/mod.ts";
import { asJson } from "./_data.ts";
import { definePage } from "./_layout.tsx";

const PAGE_SIZE = 20;

/** `/panel/scheduled`: the user's scheduled messages (the same list and rules as GET /api/scheduled). */
export const scheduledPage = definePage({
  path: "/scheduled",
  title: "sch.title",
  nav: { label: "nav.scheduled", icon: "list" },
  async render(c, deps) {
    const l = c.get("locale");
    const user = c.var.user;
    const q = c.req.query();
    // The address bar's filters (see syncUrl), ignored when they name nothing valid.
    const status = (SCHEDULED_STATUSES as readonly string[]).includes(q.status ?? "")
      ? q.status as ScheduledStatus
      : undefined;
    const filters = { status: status ?? "", instance_name: q.instance_name ?? "" };
    const [page, instances, zone, lists] = await Promise.all([
      listScheduled(
        deps.sql,
        user.id,
        { status, instanceName: filters.instance_name || undefined },
        PAGE_SIZE,
        0,
      ),
      panelInstances(deps.sql, user),
      userTimeZone(deps.sql, user.id),
      listContactLists(deps.sql, user.id),
    ]);
    const messages = asJson(page.messages.map(scheduledView));
    return (
      <>
        <PageHead title={t(l, "sch.title")} lead={t(l, "sch.intro")} />
        <Island
          name="ScheduledList"
          props={{
            locale: l,
            initial: { messages, ...pageInfo(page.total, 1, PAGE_SIZE) },
            filters,
            instances: instances.map((i) => i.name),
            lists: lists.map((l) => ({ id: l.id, name: l.name, item_count: l.item_count })),
            timeZone: canonicalTimeZone(zone) ?? deps.config.defaultTimeZone,
          }}
        />
      </>
    );
  },
});
