import type { ComponentChildren } from "preact";
import { type Locale, t } from "../lib/core/i18n.ts";
import type { Theme } from "../islands/ThemeToggle.tsx";
import { Document } from "./Document.tsx";
import { Island } from "./Island.tsx";
import { LanguageSwitcher } from "./LanguageSwitcher.tsx";
import { SandboxBanner } from "./SandboxBanner.tsx";
import { ShellFooter } from "./ShellFooter.tsx";
import { type NavItem, type NavSection, SideNav } from "./SideNav.tsx";
import { UserMenu } from "./UserMenu.tsx";

export interface ShellProps {
  locale: Locale;
  /** From the `theme` cookie; set on <html> so the first paint is already right (no flash). */
  theme: Theme;
  title: string;
  /** Path and query of this page, for the language switcher to come back to. */
  currentUrl: string;
  nav: NavSection[];
  resources: NavItem[];
  sandbox: boolean;
  version: string;
  assets: { css: string; js: string; icon: string };
  /** The signed-in user, shown in the header with the logout button. */
  user?: { username: string; role: "admin" | "user" };
  children: ComponentChildren;
}

/** The page frame every signed-in panel page shares: header, sidebar, main content and footer. */
export function AppShell(p: ShellProps) {
  const { locale } = p;
  return (
    <Document locale={locale} theme={p.theme} title={p.title} assets={p.assets}>
      <a class="skip-link" href="#main">{t(locale, "shell.skip")}</a>
      {p.sandbox && (
        <SandboxBanner
          title={t(locale, "sandbox.banner")}
          detail={t(locale, "sandbox.detail")}
        />
      )}
      <div class="shell">
        <header class="topbar">
          <a class="brand" href="/panel/">
            <img src={p.assets.icon} alt="" width={32} height={32} />
            <span class="brand-name">TAGUATO-SEND</span>
            <span class="brand-tagline">{t(locale, "app.tagline")}</span>
          </a>
          <div class="topbar-actions">
            <LanguageSwitcher locale={locale} label={t(locale, "shell.language")} next={p.currentUrl} />
            <Island name="ThemeToggle" props={{ theme: p.theme, locale }} />
            {p.user && <UserMenu locale={locale} user={p.user} />}
          </div>
        </header>
        <SideNav
          label={t(locale, "shell.nav")}
          sections={p.nav}
          resourcesLabel={t(locale, "shell.resources")}
          resources={p.resources}
        />
        <main id="main" class="content">{p.children}</main>
        <ShellFooter class="footer" locale={locale} version={p.version} text={t(locale, "shell.footer")} />
      </div>
    </Document>
  );
}
