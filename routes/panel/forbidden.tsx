import { Icon } from "../../components/Icon.tsx";
import { t } from "../../lib/core/mod.ts";
import { definePage } from "./_layout.tsx";

/** Rendered with status 403 in place of an admin page a non-admin opened. Not routed by itself. */
export const forbiddenPage = definePage({
  path: "/403",
  title: "forbidden.title",
  render(c) {
    const l = c.get("locale");
    return (
      <section class="card empty-state empty-state-page" data-forbidden>
        <span class="empty-icon">
          <Icon name="lock" />
        </span>
        <h1 class="empty-title">{t(l, "forbidden.title")}</h1>
        <p class="muted">{t(l, "forbidden.text")}</p>
        <p>
          <a class="btn btn-secondary" href="/panel/">{t(l, "forbidden.home")}</a>
        </p>
      </section>
    );
  },
});
