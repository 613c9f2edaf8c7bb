import type { Context } from "hono";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import { AppShell } from "../../components/AppShell.tsx";
import { AuthShell } from "../../components/AuthShell.tsx";
import type { IconName } from "../../components/Icon.tsx";
import type { NavSection } from "../../components/SideNav.tsx";
import { isTheme, THEME_COOKIE } from "../../islands/ThemeToggle.tsx";
import {
  type AppDeps,
  type AppEnv,
  type AuthEnv,
  fail,
  type MessageKey,
  readCookie,
  t,
  VERSION,
} from "../../lib/core/mod.ts";
import { assetHref } from "./static.ts";

/** Sidebar groups, in order; a page names the one it belongs to. */
const SECTIONS = [
  { id: "main", heading: undefined },
  { id: "account", heading: "nav.sectionAccount" },
  { id: "admin", heading: "nav.sectionAdmin" },
] as const satisfies readonly { id: string; heading?: MessageKey }[];
export type NavSectionId = typeof SECTIONS[number]["id"];

/**
 * One panel page: its URL, who may see it, title, optional sidebar entry and body. The sidebar is built
 * from the page list, so a page and its navigation entry are declared together.
 */
interface PageBase {
  /** Below /panel; "/" is the panel home. */
  path: string;
  /** "auth" = the centred card of the login screens, without sidebar; default "app". */
  layout?: "app" | "auth";
  title: MessageKey;
  /** Shown under the title on "auth" pages. */
  subtitle?: MessageKey;
  nav?: { label: MessageKey; icon: IconName; section?: NavSectionId };
}

/**
 * `render` is the content inside <main> and may throw HttpError like any handler. Signed-in pages
 * (access "user", the default, or "admin", also hidden from other users' sidebars) render behind the
 * page guard, so their context has the user; public pages may have none.
 */
export type PanelPage =
  & PageBase
  & (
    | { access: "public"; render(c: Context<AppEnv>, deps: AppDeps): VNode | Promise<VNode> }
    | { access?: "user" | "admin"; render(c: Context<AuthEnv>, deps: AppDeps): VNode | Promise<VNode> }
  );

/** Identity helper so page modules get the PanelPage type checked at the definition. */
export const definePage = (page: PanelPage): PanelPage => page;

/** The page's public URL, e.g. "/" → "/panel/". */
export const pageUrl = (page: PanelPage) => `/panel${page.path}`;

const RESOURCES: { href: string; label: MessageKey; icon: IconName }[] = [
  { href: "/api/docs", label: "nav.apiDocs", icon: "book" },
];

/** A page's content; a signed-in page gets the typed context its guard (requireAccess) guarantees. */
function renderBody(c: Context<AppEnv>, page: PanelPage, deps: AppDeps) {
  if (page.access === "public") return page.render(c, deps);
  if (!c.get("user")) throw fail("invalid_session");
  return page.render(c as unknown as Context<AuthEnv>, deps);
}

/** Returns the function that renders a page inside its shell for the current request. */
export function pageRenderer(deps: AppDeps, pages: PanelPage[]) {
  const href = assetHref();
  return async function renderPage(c: Context<AppEnv>, page: PanelPage, status = 200): Promise<Response> {
    const locale = c.get("locale");
    const cookie = readCookie(c.req.header("cookie"), THEME_COOKIE);
    const theme = isTheme(cookie) ? cookie : "system";
    const user = c.get("user");
    const url = new URL(c.req.url);
    const body = await renderBody(c, page, deps);
    const [css, js, icon] = await Promise.all(["app.css", "js/client.js", "logo.svg"].map(href));
    const common = {
      locale,
      theme,
      title: t(locale, page.title),
      currentUrl: url.pathname + url.search,
      sandbox: Boolean(deps.sandboxUrl),
      version: VERSION,
      assets: { css, js, icon },
    };
    let html: string;
    if (page.layout === "auth") {
      html = renderToString(
        <AuthShell {...common} subtitle={page.subtitle && t(locale, page.subtitle)}>{body}</AuthShell>,
      );
    } else {
      const visible = pages.filter((p) => p.nav && (p.access !== "admin" || user?.role === "admin"));
      const nav: NavSection[] = SECTIONS.map((s) => ({
        heading: s.heading && t(locale, s.heading),
        items: visible.filter((p) => (p.nav!.section ?? "main") === s.id).map((p) => ({
          href: pageUrl(p),
          label: t(locale, p.nav!.label),
          icon: p.nav!.icon,
          current: p === page,
        })),
      }));
      html = renderToString(
        <AppShell
          {...common}
          nav={nav}
          resources={RESOURCES.map((r) => ({ ...r, label: t(locale, r.label), external: true }))}
          user={user && { username: user.username, role: user.role }}
        >
          {body}
        </AppShell>,
      );
    }
    return c.html(`<!DOCTYPE html>${html}`, status as 200);
  };
}
