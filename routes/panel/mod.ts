import { Hono } from "hono";
import type { AppDeps, AppEnv } from "../../lib/app_env.ts";
import type { MiddlewareHandler } from "hono";
import { locale } from "../../lib/i18n.ts";
import { pageRenderer, type PanelPage } from "./_layout.tsx";
import { overviewPage } from "./index.tsx";
import { preferenceRoutes } from "./preferences.ts";
import { staticRoutes } from "./static.ts";

/**
 * The panel's pages, in sidebar order. Adding a page: write routes/panel/<area>.tsx exporting
 * `definePage({ path, title, nav, render })` and list it here; its nav entry comes with it.
 */
export const PAGES: PanelPage[] = [overviewPage];

// Hono joins the mount point "/panel" and "/" into "/panel", so the home page (canonical URL /panel/,
// with the slash) is matched by an always-empty parameter instead.
const HOME_ROUTE = "/:home{.{0}}";

/** Pages carry per-user content once login exists: never store them in shared caches. */
function noStore(): MiddlewareHandler<AppEnv> {
  return async function noStore(c, next) {
    await next();
    if (!c.res.headers.has("Cache-Control")) c.res.headers.set("Cache-Control", "no-store");
  };
}

/** Everything under /panel: static assets, preference switches and the server-rendered pages. */
export function panelRoutes(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  // Registered before the middleware on purpose: assets answer without locale work or no-store.
  app.route("/", staticRoutes());
  app.use(locale(), noStore());
  app.route("/", preferenceRoutes());
  app.get("", (c) => c.redirect("/panel/", 301));

  const render = pageRenderer(deps, PAGES);
  for (const page of PAGES) {
    app.get(page.path === "/" ? HOME_ROUTE : page.path, (c) => render(c, page));
  }
  return app;
}
