import type { ComponentChildren } from "preact";
import type { Theme } from "../islands/ThemeToggle.tsx";
import type { Locale } from "../lib/core/i18n.ts";

export interface DocumentProps {
  locale: Locale;
  /** From the `theme` cookie; set on <html> so the first paint is already right (no flash). */
  theme: Theme;
  title: string;
  assets: { css: string; js: string; icon: string };
  bodyClass?: string;
  children: ComponentChildren;
}

/** <html>, <head> and <body> of every panel page: one stylesheet, one module script, no inline code. */
export function Document(p: DocumentProps) {
  return (
    <html lang={p.locale} data-theme={p.theme}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="theme-color" content="#8B1A1A" />
        <title>{`${p.title} · TAGUATO-SEND`}</title>
        <link rel="icon" href="/favicon.ico" sizes="any" />
        <link rel="icon" href={p.assets.icon} type="image/svg+xml" />
        <link rel="stylesheet" href={p.assets.css} />
        <script type="module" src={p.assets.js} />
      </head>
      <body class={p.bodyClass}>{p.children}</body>
    </html>
  );
}
