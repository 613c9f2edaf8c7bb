import type { ComponentChildren } from "preact";
import { type Locale, t } from "../lib/i18n.ts";
import type { Theme } from "../islands/ThemeToggle.tsx";
import { Island } from "./Island.tsx";
import { LanguageSwitcher } from "./LanguageSwitcher.tsx";
import { SandboxBanner } from "./SandboxBanner.tsx";
import { type NavItem, SideNav } from "./SideNav.tsx";

export interface ShellProps {
  locale: Locale;
  /** From the `theme` cookie; set on <html> so the first paint is already right (no flash). */
  theme: Theme;
  title: string;
  /** Path and query of this page, for the language switcher to come back to. */
  currentUrl: string;
  nav: NavItem[];
  resources: NavItem[];
  sandbox: boolean;
  version: string;
  assets: { css: string; js: string; icon: string };
  children: ComponentChildren;
}

/** The page frame every panel page shares: header, sidebar, main content and footer. */
export function AppShell(p: ShellProps) {
  const { locale } = p;
  return (
    <html lang={locale} data-theme={p.theme}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="theme-color" content="#8B1A1A" />
        <title>{`${p.title} · TAGUATO-SEND`}</title>
        <link rel="icon" href={p.assets.icon} type="image/svg+xml" />
        <link rel="stylesheet" href={p.assets.css} />
        <script type="module" src={p.assets.js} />
      </head>
      <body>
        <a class="skip-link" href="#main">{t(locale, "shell.skip")}</a>
        {p.sandbox && (
          <SandboxBanner title={t(locale, "sandbox.banner")} detail={t(locale, "sandbox.detail")} />
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
            </div>
          </header>
          <SideNav
            label={t(locale, "shell.nav")}
            items={p.nav}
            resourcesLabel={t(locale, "shell.resources")}
            resources={p.resources}
          />
          <main id="main" class="content">{p.children}</main>
          <footer class="footer">
            <span>TAGUATO-SEND {t(locale, "shell.version", { version: p.version })}</span>
            <span aria-hidden="true">·</span>
            <span>{t(locale, "shell.footer")}</span>
          </footer>
        </div>
      </body>
    </html>
  );
}
