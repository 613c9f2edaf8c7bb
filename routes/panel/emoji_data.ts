import { Hono } from "hono";
import { fileURLToPath } from "node:url";
import type { AppEnv } from "../../lib/core/mod.ts";

// The emoji picker's data (emoji-picker-element-data, CLDR annotations) served by the gateway itself:
// the picker would fetch it from a CDN, which the panel's CSP (connect-src 'self') and offline
// installs both rule out.
const FILES = {
  es: import.meta.resolve("emoji-picker-element-data/es/cldr/data.json"),
  en: import.meta.resolve("emoji-picker-element-data/en/cldr/data.json"),
} as const;

/** `GET /emoji/{es|en}.json` below the panel mount, with an ETag the picker uses to skip re-downloads. */
export function emojiDataRoutes() {
  const app = new Hono<AppEnv>();
  const cache = new Map<string, Promise<{ bytes: Uint8Array<ArrayBuffer>; etag: string }>>();
  const load = (locale: keyof typeof FILES) => {
    let entry = cache.get(locale);
    if (!entry) {
      entry = (async () => {
        const bytes = await Deno.readFile(fileURLToPath(FILES[locale]));
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
        const etag = `"${[...digest.slice(0, 12)].map((b) => b.toString(16).padStart(2, "0")).join("")}"`;
        return { bytes, etag };
      })();
      // A failed read is not remembered: the next request tries again.
      entry.catch(() => cache.delete(locale));
      cache.set(locale, entry);
    }
    return entry;
  };
  app.get("/emoji/:file{(?:es|en)\\.json}", async (c) => {
    const { bytes, etag } = await load(c.req.param("file").slice(0, 2) as keyof typeof FILES);
    const headers = {
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "public, max-age=86400",
      ETag: etag,
    };
    if (c.req.header("if-none-match") === etag) return c.body(null, 304, headers);
    if (c.req.method === "HEAD") return c.body(null, 200, headers);
    return c.body(bytes, 200, headers);
  });
  return app;
}
