import { type Locale, t } from "../lib/core/i18n.ts";
import { Island } from "./Island.tsx";

/** Who is signed in (initial, name, role) and the logout button, at the right of the header. */
export function UserMenu(
  { locale, user }: { locale: Locale; user: { username: string; role: "admin" | "user" } },
) {
  return (
    <div class="user-menu" data-user={user.username}>
      <span class="avatar" aria-hidden="true">{user.username.slice(0, 1).toUpperCase()}</span>
      <span class="user-meta">
        <span class="user-name">{user.username}</span>
        <span class="user-role">{t(locale, user.role === "admin" ? "role.admin" : "role.user")}</span>
      </span>
      <Island name="LogoutButton" props={{ locale }} />
    </div>
  );
}
