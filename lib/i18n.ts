import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app_env.ts";

// This module is also bundled into the browser (islands call t()), so it imports nothing at run time.

/** Spanish is the product's language and the default; English is the second locale. */
export const LOCALES = ["es", "en"] as const;
export type Locale = typeof LOCALES[number];
export const DEFAULT_LOCALE: Locale = "es";
export const LOCALE_COOKIE = "lang";

const es = {
  "app.tagline": "Pasarela de WhatsApp multiempresa",
  "shell.skip": "Saltar al contenido",
  "shell.nav": "Navegación principal",
  "shell.resources": "Recursos",
  "shell.language": "Idioma",
  "shell.footer": "Pasarela WhatsApp sobre Evolution API",
  "shell.version": "versión {version}",
  "sandbox.banner": "Modo sandbox: no hay WhatsApp real",
  "sandbox.detail": "El motor integrado simula WhatsApp. Configure EVOLUTION_API_URL para conectar uno real.",
  "theme.toggle": "Cambiar entre tema claro y oscuro",
  "nav.overview": "Resumen",
  "nav.apiDocs": "API Docs",
  "overview.title": "Resumen del sistema",
  "overview.intro": "Cómo está configurada esta pasarela y con qué servicios trabaja.",
  "overview.gateway": "Pasarela",
  "overview.gatewayHint": "Versión del servidor TAGUATO-SEND",
  "overview.database": "Base de datos",
  "overview.dbPostgres": "PostgreSQL",
  "overview.dbPostgresHint": "Servidor externo (DATABASE_URL)",
  "overview.dbEmbedded": "PostgreSQL embebido",
  "overview.dbEmbeddedHint": "PGlite en ./data; use DATABASE_URL en producción",
  "overview.cache": "Caché",
  "overview.cacheRedis": "Redis",
  "overview.cacheRedisHint": "Compartida entre réplicas",
  "overview.cacheMemory": "En memoria",
  "overview.cacheMemoryHint": "Un solo proceso; use REDIS_URL para varias réplicas",
  "overview.engine": "Motor WhatsApp",
  "overview.engineSandbox": "Sandbox",
  "overview.engineSandboxHint": "Motor integrado de pruebas, sin WhatsApp real",
  "overview.engineReal": "Evolution API",
  "overview.engineRealHint": "Conectado a un motor real (EVOLUTION_API_URL)",
  "overview.badgeTest": "Pruebas",
  "overview.badgeProduction": "Producción",
  "overview.badgeLocal": "Local",
  "overview.links": "Enlaces útiles",
  "overview.linkDocs": "Referencia interactiva de la API",
  "overview.linkOpenapi": "Especificación OpenAPI 3.1 (JSON)",
  "overview.linkHealth": "Chequeo de salud de la pasarela",
} as const;

export type MessageKey = keyof typeof es;

// Typed against the Spanish keys: a missing or extra English key is a compile error.
const en: Record<MessageKey, string> = {
  "app.tagline": "Multi-tenant WhatsApp gateway",
  "shell.skip": "Skip to content",
  "shell.nav": "Main navigation",
  "shell.resources": "Resources",
  "shell.language": "Language",
  "shell.footer": "WhatsApp gateway on Evolution API",
  "shell.version": "version {version}",
  "sandbox.banner": "Sandbox mode: no real WhatsApp",
  "sandbox.detail": "The built-in engine simulates WhatsApp. Set EVOLUTION_API_URL to connect a real one.",
  "theme.toggle": "Switch between light and dark theme",
  "nav.overview": "Overview",
  "nav.apiDocs": "API docs",
  "overview.title": "System overview",
  "overview.intro": "How this gateway is configured and which services it works with.",
  "overview.gateway": "Gateway",
  "overview.gatewayHint": "TAGUATO-SEND server version",
  "overview.database": "Database",
  "overview.dbPostgres": "PostgreSQL",
  "overview.dbPostgresHint": "External server (DATABASE_URL)",
  "overview.dbEmbedded": "Embedded PostgreSQL",
  "overview.dbEmbeddedHint": "PGlite in ./data; use DATABASE_URL in production",
  "overview.cache": "Cache",
  "overview.cacheRedis": "Redis",
  "overview.cacheRedisHint": "Shared between replicas",
  "overview.cacheMemory": "In memory",
  "overview.cacheMemoryHint": "Single process; use REDIS_URL for several replicas",
  "overview.engine": "WhatsApp engine",
  "overview.engineSandbox": "Sandbox",
  "overview.engineSandboxHint": "Built-in test engine, no real WhatsApp",
  "overview.engineReal": "Evolution API",
  "overview.engineRealHint": "Connected to a real engine (EVOLUTION_API_URL)",
  "overview.badgeTest": "Testing",
  "overview.badgeProduction": "Production",
  "overview.badgeLocal": "Local",
  "overview.links": "Useful links",
  "overview.linkDocs": "Interactive API reference",
  "overview.linkOpenapi": "OpenAPI 3.1 specification (JSON)",
  "overview.linkHealth": "Gateway health check",
};

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
