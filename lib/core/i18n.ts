import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app_env.ts";

// This module is also bundled into the browser (islands call t()), so it imports nothing at run time
// but its own message tables (lib/core/i18n/es.ts, lib/core/i18n/en.ts).
import { en } from "./i18n/en.ts";
import { es, type MessageKey } from "./i18n/es.ts";

/** Spanish is the product's language and the default; English is the second locale. */
export const LOCALES = ["es", "en"] as const;
export type Locale = typeof LOCALES[number];
export const DEFAULT_LOCALE: Locale = "es";
export const LOCALE_COOKIE = "lang";

export type { MessageKey };

/** True when `key` names a message (for keys built at run time, e.g. audit action labels). */
export const isMessageKey = (key: string): key is MessageKey => Object.hasOwn(es, key);

/** Every message table, for tests and tools that compare languages. */
export const MESSAGES: Record<Locale, Record<MessageKey, string>> = { es, en };

/** Narrows an untrusted string (cookie, URL segment, prop) to a supported locale. */
export const isLocale = (value: unknown): value is Locale => LOCALES.includes(value as Locale);

/** The message for `key` in `locale`, with `{name}` placeholders replaced from `params`. */
export function t(locale: Locale, key: MessageKey, params?: Record<string, string | number>): string {
  const text = MESSAGES[locale][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => name in params ? String(params[name]) : whole);
}

/**
 * Picks the locale: a valid `lang` cookie wins, then the best Accept-Language entry we support
 * (q-values respected, q=0 means "not this one"), then Spanish.
 */
export function negotiateLocale(cookie: string | undefined, acceptLanguage: string | undefined): Locale {
  if (isLocale(cookie)) return cookie;
  const ranked = (acceptLanguage ?? "").split(",").map((part, index) => {
    const [tag, ...params] = part.split(";").map((x) => x.trim());
    const qParam = params.find((p) => /^q=/i.test(p));
    // A malformed weight makes the entry unusable rather than silently "q=1".
    const q = qParam === undefined
      ? 1
      : /^q=(0(\.\d{0,3})?|1(\.0{0,3})?)$/i.test(qParam)
      ? Number(qParam.slice(2))
      : 0;
    return { lang: tag.toLowerCase().split("-")[0], q, index };
  }).filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((r) => r.lang).find(isLocale) ?? DEFAULT_LOCALE;
}

/** Reads one cookie from a Cookie header without pulling a cookie library into the browser bundle. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const pair of (header ?? "").split(";")) {
    const eq = pair.indexOf("=");
    if (eq > 0 && pair.slice(0, eq).trim() === name) return pair.slice(eq + 1).trim();
  }
  return undefined;
}

/** Sets `c.var.locale` for every page below it and announces it in Content-Language. */
export function locale(): MiddlewareHandler<AppEnv> {
  return async function locale(c, next) {
    const chosen = negotiateLocale(
      readCookie(c.req.header("cookie"), LOCALE_COOKIE),
      c.req.header("accept-language"),
    );
    c.set("locale", chosen);
    await next();
    c.res.headers.set("Content-Language", chosen);
    c.res.headers.append("Vary", "Accept-Language, Cookie");
  };
}
