import { Island } from "../../components/Island.tsx";
import { PageHead } from "../../components/PageHead.tsx";
import { t } from "../../lib/core/mod.ts";
import { contactFieldKeys, listTemplates, templateVariables } from "../../lib/messaging/mod.ts";
import { asJson } from "./_data.ts";
import { definePage } from "./_layout.tsx";

/** `/panel/templates`: the user's message templates, with variable hints and a live preview. */
export const templatesPage = definePage({
  path: "/templates",
  title: "tpl.title",
  nav: { label: "nav.templates", icon: "edit" },
  async render(c, deps) {
    const l = c.get("locale");
    const user = c.var.user;
    const [{ templates }, fieldHints] = await Promise.all([
      listTemplates(deps.sql, user.id, 100, 0),
      contactFieldKeys(deps.sql, user.id),
    ]);
    return (
      <>
        <PageHead title={t(l, "tpl.title")} lead={t(l, "tpl.intro")} />
        <Island
          name="Templates"
          props={{
            locale: l,
            templates: asJson(templates.map((x) => ({ ...x, variables: templateVariables(x.content) }))),
            fieldHints,
          }}
        />
      </>
    );
  },
});
