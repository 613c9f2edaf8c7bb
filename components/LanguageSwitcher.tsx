import { type Locale, LOCALES } from "../lib/core/i18n.ts";

interface Props {
  locale: Locale;
  label: string;
  /** Where /panel/lang/:code sends the browser back to (the current page). */
  next: string;
}

/** Plain links, no JavaScript: the server sets the `lang` cookie and redirects back. */
export function LanguageSwitcher({ locale, label, next }: Props) {
  return (
    <nav class="segmented" aria-label={label}>
      {LOCALES.map((code) => (
        <a
          key={code}
          href={`/panel/lang/${code}?next=${encodeURIComponent(next)}`}
          hreflang={code}
          lang={code}
          aria-current={code === locale ? "true" : undefined}
        >
          {code.toUpperCase()}
        </a>
      ))}
    </nav>
  );
}
