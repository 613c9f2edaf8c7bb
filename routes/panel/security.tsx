import { Island } from "../../components/Island.tsx";
import { PageHead } from "../../components/PageHead.tsx";
import { twoFactorEnabled } from "../../lib/auth/mod.ts";
import { t } from "../../lib/core/mod.ts";
import { definePage } from "./_layout.tsx";

/** `/panel/security`: the account's password and two-step verification. */
export const securityPage = definePage({
  path: "/security",
  title: "security.title",
  nav: { label: "nav.security", icon: "shield", section: "account" },
  async render(c, deps) {
    const l = c.get("locale");
    const user = c.var.user;
    // The same state the 2FA routes check.
    const enabled = await twoFactorEnabled(deps.sql, user.id);
    return (
      <>
        <PageHead title={t(l, "security.title")} lead={t(l, "security.intro")} />
        <Island
          name="TwoFactor"
          props={{ locale: l, username: user.username, enabled }}
        />
        <section class="card" aria-labelledby="pw-title">
          <header class="card-head">
            <div>
              <h2 class="card-title" id="pw-title">{t(l, "security.passwordTitle")}</h2>
              <p class="card-lead">{t(l, "security.passwordIntro")}</p>
            </div>
          </header>
          <div class="narrow">
            <Island name="ChangePasswordForm" props={{ locale: l, username: user.username, forced: false }} />
          </div>
        </section>
      </>
    );
  },
});
