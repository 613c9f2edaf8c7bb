import type { ComponentChildren } from "preact";
import type { Theme } from "../islands/ThemeToggle.tsx";
import { type Locale, t } from "../lib/core/i18n.ts";
import { Document } from "./Document.tsx";
import { Island } from "./Island.tsx";
import { LanguageSwitcher } from "./LanguageSwitcher.tsx";
import { SandboxBanner } from "./SandboxBanner.tsx";
import { ShellFooter } from "./ShellFooter.tsx";

export interface AuthShellProps {
  locale: Locale;
  theme: Theme;
  title: string;
  subtitle?: string;
  currentUrl: string;
  sandbox: boolean;
  version: string;
  assets: { css: string; js: string; icon: string };
  children: ComponentChildren;
}

/** The frame of the signed-out screens (login, recovery) and the forced password change: one card. */
export function AuthShell(p: AuthShellProps) {
  const { locale } = p;
  return (
    <Document locale={locale} theme={p.theme} title={p.title} assets={p.assets} bodyClass="auth-body">
      {p.sandbox && (
        <SandboxBanner
          title={t(locale, "sandbox.banner")}
          detail={t(locale, "sandbox.detail")}
        />
      )}
      <div class="auth-tools">
        <LanguageSwitcher locale={locale} label={t(locale, "shell.language")} next={p.currentUrl} />
        <Island name="ThemeToggle" props={{ theme: p.theme, locale }} />
      </div>
      <main id="main" class="auth-main">
        <section class="auth-card" aria-labelledby="auth-title">
          <header class="auth-head">
            <img src={p.assets.icon} alt="" width={48} height={48} />
            <p class="auth-brand">TAGUATO-SEND</p>
            <h1 id="auth-title">{p.title}</h1>
            {p.subtitle && <p class="auth-subtitle">{p.subtitle}</p>}
          </header>
          {p.children}
        </section>
      </main>
      <ShellFooter class="auth-footer" locale={locale} version={p.version} text={t(locale, "app.tagline")} />
    </Document>
  );
}
