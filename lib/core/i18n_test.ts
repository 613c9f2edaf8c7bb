import { assert, assertEquals } from "./testing.ts";
import { LOCALES, MESSAGES, negotiateLocale, readCookie, t } from "./i18n.ts";

Deno.test("every language has exactly the same message keys", () => {
  const [first, ...others] = LOCALES;
  const expected = Object.keys(MESSAGES[first]).sort();
  for (const locale of others) {
    assertEquals(Object.keys(MESSAGES[locale]).sort(), expected, `keys of ${locale}`);
  }
});

Deno.test("translations are non-empty and keep the same {placeholders}", () => {
  const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const key of Object.keys(MESSAGES.es) as (keyof typeof MESSAGES.es)[]) {
    for (const locale of LOCALES) assert(MESSAGES[locale][key].trim() !== "", `${locale} ${key} is empty`);
    assertEquals(placeholders(MESSAGES.en[key]), placeholders(MESSAGES.es[key]), `placeholders of ${key}`);
  }
});

Deno.test("t() looks up the locale and fills {params}, leaving unknown ones visible", () => {
  assertEquals(t("es", "sandbox.banner"), "Modo sandbox: no hay WhatsApp real");
  assertEquals(t("en", "sandbox.banner"), "Sandbox mode: no real WhatsApp");
  assertEquals(t("es", "shell.version", { version: "1.2.3" }), "versión 1.2.3");
  assertEquals(t("en", "shell.version", { version: 7 }), "version 7");
  assertEquals(t("en", "shell.version", {}), "version {version}");
  assertEquals(t("en", "shell.version"), "version {version}");
});

Deno.test("negotiateLocale: a valid lang cookie wins over Accept-Language", () => {
  assertEquals(negotiateLocale("en", "es-PY,es;q=0.9"), "en");
  assertEquals(negotiateLocale("es", "en-US"), "es");
});

Deno.test("negotiateLocale ignores an unsupported cookie and falls back to Accept-Language", () => {
  assertEquals(negotiateLocale("fr", "en-GB"), "en");
  assertEquals(negotiateLocale("", "en"), "en");
});

Deno.test("negotiateLocale respects q-values, not just header order", () => {
  assertEquals(negotiateLocale(undefined, "es;q=0.4, en;q=0.8"), "en");
  assertEquals(negotiateLocale(undefined, "en;q=0.5, es-PY"), "es");
  assertEquals(negotiateLocale(undefined, "fr-FR, de;q=0.9, en;q=0.1"), "en");
});

Deno.test("negotiateLocale treats q=0 as a refusal and ties keep header order", () => {
  assertEquals(negotiateLocale(undefined, "en;q=0, es;q=0.1"), "es");
  assertEquals(negotiateLocale(undefined, "en;q=0"), "es");
  assertEquals(negotiateLocale(undefined, "en-US;q=0.7, es;q=0.7"), "en");
});

Deno.test("negotiateLocale defaults to Spanish for missing, empty, wildcard or garbage headers", () => {
  for (const header of [undefined, "", "*", "fr, de", ";;;,,,", "en;q=abc"]) {
    assertEquals(negotiateLocale(undefined, header), "es", `header ${header}`);
  }
});

Deno.test("readCookie finds one cookie among many and tolerates spacing", () => {
  assertEquals(readCookie("a=1; lang=en;theme=dark", "lang"), "en");
  assertEquals(readCookie("xlang=en; lang = es", "lang"), "es");
  assertEquals(readCookie("theme=dark", "lang"), undefined);
  assertEquals(readCookie(undefined, "lang"), undefined);
});
