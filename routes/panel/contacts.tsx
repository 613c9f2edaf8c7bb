import { Island } from "../../components/Island.tsx";
import { PageHead } from "../../components/PageHead.tsx";
import { pageInfo, t } from "../../lib/core/mod.ts";
import { panelInstances } from "../../lib/gateway/mod.ts";
import { keywordsOf, listContactLists, listOptOuts } from "../../lib/messaging/mod.ts";
import { asJson } from "./_data.ts";
import { definePage } from "./_layout.tsx";

const OPT_OUT_LIMIT = 50;

/** `/panel/contacts`: contact lists, their items, CSV import and the WhatsApp check. */
export const contactsPage = definePage({
  path: "/contacts",
  title: "ct.title",
  nav: { label: "nav.contacts", icon: "users" },
  async render(c, deps) {
    const l = c.get("locale");
    const user = c.var.user;
    const [lists, instances] = await Promise.all([
      listContactLists(deps.sql, user.id),
      panelInstances(deps.sql, user),
    ]);
    return (
      <>
        <PageHead title={t(l, "ct.title")} lead={t(l, "ct.intro")} />
        <Island
          name="Contacts"
          props={{ locale: l, lists: asJson(lists), instances: instances.map((i) => i.name) }}
        />
      </>
    );
  },
});

/** `/panel/opt-outs`: the numbers that asked not to be messaged, and the stop/start words. */
export const optOutsPage = definePage({
  path: "/opt-outs",
  title: "oo.title",
  nav: { label: "nav.optOuts", icon: "shield" },
  async render(c, deps) {
    const l = c.get("locale");
    const user = c.var.user;
    const [{ opt_outs, total }, words] = await Promise.all([
      listOptOuts(deps.sql, user.id, undefined, OPT_OUT_LIMIT, 0),
      keywordsOf(deps.sql, user.id),
    ]);
    return (
      <>
        <PageHead title={t(l, "oo.title")} lead={t(l, "oo.intro")} />
        <Island
          name="OptOuts"
          props={{
            locale: l,
            initial: asJson({ opt_outs, ...pageInfo(total, 1, OPT_OUT_LIMIT) }),
            words: { opt_out_words: words.optOut, opt_in_words: words.optIn },
          }}
        />
      </>
    );
  },
});
