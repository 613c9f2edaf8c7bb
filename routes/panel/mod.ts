import { Hono, type MiddlewareHandler } from "hono";
import { type AppDeps, type AppEnv, locale } from "../../lib/core/mod.ts";
import { auditLogPage } from "./admin/audit.tsx";
import { adminDashboardPage } from "./admin/dashboard.tsx";
import { statusAdminPage } from "./admin/status.tsx";
import { usersPage } from "./admin/users.tsx";
import { backupsPage } from "./admin/backups.tsx";
import { workersPage } from "./admin/workers.tsx";
import { enginesPage } from "./admin/engines.tsx";
import { adminSessionsPage } from "./admin/sessions.tsx";
import { apiKeysPage } from "./api_keys.tsx";
import { changePasswordPage } from "./change_password.tsx";
import { dashboardPage } from "./dashboard.tsx";
import { emojiDataRoutes } from "./emoji_data.ts";
import { forbiddenPage } from "./forbidden.tsx";
import { overviewPage } from "./index.tsx";
import { instancesPage } from "./instances.tsx";
import { loginPage } from "./login.tsx";
import { messagesPage } from "./messages.tsx";
import { pageRenderer, type PanelPage } from "./_layout.tsx";
import { panelSession, requireAccess } from "./_middleware.ts";
import { preferenceRoutes } from "./preferences.ts";
import { recoverPage } from "./recover.tsx";
import { scheduledPage } from "./scheduled.tsx";
import { securityPage } from "./security.tsx";
import { sessionsPage } from "./sessions.tsx";
import { staticRoutes } from "./static.ts";
import { webhooksPage } from "./webhooks.tsx";
import { templatesPage } from "./templates.tsx";
import { contactsPage, optOutsPage } from "./contacts.tsx";
import { campaignsPage } from "./campaigns.tsx";

/**
 * The panel's pages, in sidebar order. Adding a page: write routes/panel/<area>.tsx exporting
 * `definePage({ path, access, title, nav, render })` and list it here; its nav entry comes with it.
 */
export const PAGES: PanelPage[] = [
  overviewPage,
  dashboardPage,
  instancesPage,
  messagesPage,
  scheduledPage,
  campaignsPage,
  templatesPage,
  contactsPage,
  optOutsPage,
  webhooksPage,
  securityPage,
  sessionsPage,
  apiKeysPage,
  // Admin section.
  adminDashboardPage,
  usersPage,
  auditLogPage,
  adminSessionsPage,
  statusAdminPage,
  workersPage,
  enginesPage,
  backupsPage,
  loginPage,
  recoverPage,
  changePasswordPage,
];

// Hono joins the mount point "/panel" and "/" into "/panel", so the home page (canonical URL /panel/,
// with the slash) is matched by an always-empty parameter instead.
const HOME_ROUTE = "/:home{.{0}}";

/** Pages carry per-user content: never store them in shared caches. */
function noStore(): MiddlewareHandler<AppEnv> {
  return async function noStore(c, next) {
    await next();
    if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
  };
}

/** Everything under /panel: static assets, preference switches and the server-rendered pages. */
export function panelRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  // Registered before the middleware on purpose: assets answer without locale, session or no-store work.
  app.route("/", staticRoutes());
  app.route("/", emojiDataRoutes());
  app.use(locale(), noStore());
  app.route("/", preferenceRoutes());
  app.get("", (c) => c.redirect("/panel/", 301));

  const render = pageRenderer(deps, PAGES);
  const session = panelSession(deps);
  for (const page of PAGES) {
    app.get(
      page.path === "/" ? HOME_ROUTE : page.path,
      session,
      requireAccess(page.access ?? "user", page.path, (c) => render(c, forbiddenPage, 403)),
      (c) => render(c, page),
    );
  }
  return app;
}
