import { Island } from "../../components/Island.tsx";
import { definePage } from "./_layout.tsx";
import { safeNext } from "./_middleware.ts";

/**
 * `/panel/change-password`: the first-login screen. The guard sends every user with
 * must_change_password here, and everyone else away from it (they change it under Security).
 */
export const changePasswordPage = definePage({
  path: "/change-password",
  layout: "auth",
  title: "pw.forcedTitle",
  subtitle: "pw.forcedSubtitle",
  render: (c) => (
    <>
      <Island
        name="ChangePasswordForm"
        props={{
          locale: c.get("locale"),
          username: c.var.user.username,
          forced: true,
          next: safeNext(c.req.query("next"), new URL(c.req.url).origin) ?? undefined,
        }}
      />
      <p class="auth-links auth-links-below">
        <Island name="LogoutButton" props={{ locale: c.get("locale"), variant: "link" }} />
      </p>
    </>
  ),
});
