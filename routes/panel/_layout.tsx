import type { Context } from "hono";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { AppShell } from "../../components/AppShell.tsx";
import type { IconName } from "../../components/Icon.tsx";
import type { NavItem } from "../../components/SideNav.tsx";
import { isTheme, THEME_COOKIE } from "../../islands/ThemeToggle.tsx";
import type { AppDeps, AppEnv } from "../../lib/app_env.ts";
import { type MessageKey, readCookie, t } from "../../lib/i18n.ts";
import { VERSION } from "../../lib/version.ts";
import { assetHref } from "./static.ts";

/**
 * One panel page: its URL, title, optional sidebar entry and body. The sidebar is built from the page
 * list, so a page and its navigation entry are declared together.
 */
export interface PanelPage {
  /** Below /panel; "/" is the panel home. */
  path: string;
  title: MessageKey;
  nav?: { label: MessageKey; icon: IconName; adminOnly?: boolean };
  /** The content inside <main>; may throw HttpError like any handler. */
  render(c: Context<AppEnv>, deps: AppDeps): VNode | Promise<VNode>;
}

/** Identity helper so page modules get the PanelPage type checked at the definition. */
export const definePage = (page: PanelPage): PanelPage => page;

/** The page's public URL, e.g. "/" → "/panel/". */
export const pageUrl = (page: PanelPage) => `/panel${page.path}`;

const RESOURCES: { href: string; label: MessageKey; icon: IconName }[] = [
  { href: "/api/docs", label: "nav.apiDocs", icon: "book" },
];

/** Returns the function that renders a page inside the app shell for the current request. */
export function pageRenderer(deps: AppDeps, pages: PanelPage[]) {
  const href = assetHref();
  return async function renderPage(c: Context<AppEnv>, page: PanelPage): Promise<Response> {
    const locale = c.get("locale");
    const cookie = readCookie(c.req.header("cookie"), THEME_COOKIE);
    const isAdmin = c.get("user")?.role === "admin";
    const nav: NavItem[] = pages
      .filter((p) => p.nav && (!p.nav.adminOnly || isAdmin))
      .map((p) => ({
        href: pageUrl(p),
        label: t(locale, p.nav!.label),
        icon: p.nav!.icon,
        current: p === page,
      }));
    const url = new URL(c.req.url);
    const body = await page.render(c, deps);
    const [css, js, icon] = await Promise.all(["app.css", "js/client.js", "logo.svg"].map(href));
    const html = renderToString(
      <AppShell
        locale={locale}
        theme={isTheme(cookie) ? cookie : "system"}
        title={t(locale, page.title)}
        currentUrl={url.pathname + url.search}
        nav={nav}
        resources={RESOURCES.map((r) => ({ ...r, label: t(locale, r.label), external: true }))}
        sandbox={Boolean(deps.sandboxUrl)}
        version={VERSION}
        assets={{ css, js, icon }}
      >
        {body}
      </AppShell>,
    );
    return c.html(`<!DOCTYPE html>${html}`);
  };
}
