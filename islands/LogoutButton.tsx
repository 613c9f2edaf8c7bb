import { useState } from "preact/hooks";
import * as z from "zod/mini";
import { Icon } from "../components/Icon.tsx";
import { LOCALES, t } from "../lib/core/i18n.ts";
import { api } from "./use_api.ts";

export const LogoutButtonProps = z.object({
  locale: z.enum(LOCALES),
  /** "link": a plain text link, for the signed-out-looking screens (the forced password change). */
  variant: z.optional(z.enum(["header", "link"])),
});
type Props = z.infer<typeof LogoutButtonProps>;

/** Ends this session on the server (which clears the cookie), then shows the login page. */
export function LogoutButton({ locale, variant = "header" }: Props) {
  const [busy, setBusy] = useState(false);
  const label = t(locale, "shell.logout");
  const logout = async () => {
    setBusy(true);
    // Even if the call fails (session already gone), the login page is the right place to be.
    await api("/api/auth/logout", { method: "POST", redirectOn401: false }).catch(() => {});
    location.assign("/panel/login?notice=loggedOut");
  };
  return (
    <button
      type="button"
      class={variant === "link" ? "link-button" : "topbar-button"}
      onClick={logout}
      disabled={busy}
      aria-busy={busy ? "true" : undefined}
      data-logout
    >
      {variant === "header" && <Icon name="logout" />}
      <span>{label}</span>
    </button>
  );
}
