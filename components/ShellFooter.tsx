import { type Locale, t } from "../lib/core/i18n.ts";

/** The product name and version at the foot of every page, then a line of text. */
export function ShellFooter({ class: cls, locale, version, text }: {
  class: string;
  locale: Locale;
  version: string;
  text: string;
}) {
  return (
    <footer class={cls}>
      <span>TAGUATO-SEND {t(locale, "shell.version", { version })}</span>
      <span aria-hidden="true">·</span>
      <span>{text}</span>
    </footer>
  );
}
