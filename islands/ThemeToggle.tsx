import { useEffect, useState } from "preact/hooks";
import * as z from "zod/mini";
import { LOCALES, t } from "../lib/core/i18n.ts";

/** `system` follows the operating system; the server sends it as `data-theme` so CSS decides. */
export const THEMES = ["light", "dark", "system"] as const;
export type Theme = typeof THEMES[number];
export const THEME_COOKIE = "theme";
export const isTheme = (value: unknown): value is Theme => THEMES.includes(value as Theme);

export const ThemeToggleProps = z.object({ theme: z.enum(THEMES), locale: z.enum(LOCALES) });
type Props = z.infer<typeof ThemeToggleProps>;

const ONE_YEAR = 60 * 60 * 24 * 365;

function prefersDark(): boolean {
  return globalThis.matchMedia?.("(prefers-color-scheme: dark)").matches ?? false;
}

/**
 * Flips between light and dark. The server already painted the right theme from the cookie, so this only
 * has to update <html data-theme> and the cookie for the next page load.
 */
export function ThemeToggle({ theme, locale }: Props) {
  const [current, setCurrent] = useState<Theme>(theme);
  const [hydrated, setHydrated] = useState(false);
  // Browser tests wait for this attribute: it proves the bundle loaded and hooks run.
  useEffect(() => setHydrated(true), []);

  const flip = () => {
    const dark = current === "dark" || (current === "system" && prefersDark());
    const next: Theme = dark ? "light" : "dark";
    document.documentElement.dataset.theme = next;
    document.cookie = `${THEME_COOKIE}=${next}; Path=/; Max-Age=${ONE_YEAR}; SameSite=Lax`;
    setCurrent(next);
  };

  const label = t(locale, "theme.toggle");
  return (
    <button
      type="button"
      class="icon-button theme-toggle"
      onClick={flip}
      title={label}
      aria-label={label}
      data-theme-choice={current}
      data-hydrated={hydrated ? "true" : undefined}
    >
      {/* Both icons are rendered; CSS shows the one matching the effective theme, even for "system". */}
      <svg class="icon icon-moon" viewBox="0 0 24 24" aria-hidden="true">
        <path d="M20 14.5A8.5 8.5 0 0 1 9.5 4a8.5 8.5 0 1 0 10.5 10.5z" />
      </svg>
      <svg class="icon icon-sun" viewBox="0 0 24 24" aria-hidden="true">
        <circle cx="12" cy="12" r="4.2" />
        <path d="M12 2.5v2.2M12 19.3v2.2M2.5 12h2.2M19.3 12h2.2M5.3 5.3l1.6 1.6M17.1 17.1l1.6 1.6M5.3 18.7l1.6-1.6M17.1 6.9l1.6-1.6" />
      </svg>
    </button>
  );
}
