import { type Context, Hono } from "hono";
import { fileURLToPath } from "node:url";
import type { AppEnv } from "../../lib/core/mod.ts";

/** The public asset folder, served at /panel/static/. */
export const STATIC_ROOT = fileURLToPath(new URL("../../static/", import.meta.url));

const TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  map: "application/json; charset=utf-8",
  json: "application/json; charset=utf-8",
  webmanifest: "application/manifest+json; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  webp: "image/webp",
  woff2: "font/woff2",
  txt: "text/plain; charset=utf-8",
};

interface Asset {
  path: string;
  size: number;
  /** Size and mtime: changes whenever the file does, without reading it. */
  tag: string;
}

/**
 * Maps a URL path below /panel/static/ to a file, refusing anything that could leave the folder or reveal
 * hidden files: encoded separators, dot segments, dot files, backslashes, NUL, and symlinks pointing out.
 */
async function locate(root: string, urlPath: string): Promise<Asset | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const segments = decoded.split("/");
  if (segments.some((s) => s === "" || s.startsWith(".") || /[\\\0]/.test(s))) return null;
  try {
    const path = await Deno.realPath(root + segments.join("/"));
    if (!path.startsWith(await Deno.realPath(root) + "/")) return null;
    const info = await Deno.stat(path);
    if (!info.isFile) return null;
    return {
      path,
      size: info.size,
      tag: `${info.size.toString(36)}-${(info.mtime?.getTime() ?? 0).toString(36)}`,
    };
  } catch {
    return null;
  }
}

/**
 * Versioned links to static files: `/panel/static/app.css?v=<tag>`. A request carrying the current tag
 * may be cached for a year; any other is revalidated with its ETag, so a rebuilt bundle shows up at once.
 */
export function assetHref(root = STATIC_ROOT) {
  return async function assetHref(file: string): Promise<string> {
    const asset = await locate(root, file);
    return `/panel/static/${file}${asset ? `?v=${asset.tag}` : ""}`;
  };
}

/**
 * Answers one asset with its content type, ETag and cache policy: a year when the URL carried the
 * current `v` tag, otherwise revalidated on every use.
 */
async function send(c: Context<AppEnv>, asset: Asset, maxAge: string): Promise<Response> {
  const etag = `W/"${asset.tag}"`;
  const headers: Record<string, string> = {
    "Content-Type": TYPES[asset.path.split(".").pop()!.toLowerCase()] ?? "application/octet-stream",
    "Cache-Control": c.req.query("v") === asset.tag ? "public, max-age=31536000, immutable" : maxAge,
    ETag: etag,
  };
  if (c.req.header("if-none-match")?.split(",").some((t) => t.trim() === etag)) {
    return c.body(null, 304, headers);
  }
  headers["Content-Length"] = String(asset.size);
  // Hono answers HEAD by running this handler and dropping the body: do not open a file nobody reads.
  if (c.req.method === "HEAD") return c.body(null, 200, headers);
  const file = await Deno.open(asset.path, { read: true });
  return c.body(file.readable, 200, headers);
}

/** `GET /static/*` below the panel mount: files from static/ with content type, ETag and cache policy. */
export function staticRoutes(root = STATIC_ROOT) {
  const app = new Hono<AppEnv>();
  app.get("/static/*", async (c) => {
    // The raw path, decoded exactly once in locate(): c.req.path is already partly decoded.
    const raw = new URL(c.req.url).pathname;
    const rest = raw.slice(raw.indexOf("/static/") + "/static/".length);
    const asset = await locate(root, rest);
    if (!asset) return c.notFound();
    return await send(c, asset, "public, max-age=0, must-revalidate");
  });
  return app;
}

/**
 * `GET /favicon.ico` at the site root: browsers ask for it on pages that link no icon (the API docs, JSON
 * answers opened in a tab). static/favicon.ico holds static/logo.svg drawn at 16, 32 and 48 px.
 */
export function faviconRoutes(root = STATIC_ROOT) {
  const app = new Hono<AppEnv>();
  app.get("/favicon.ico", async (c) => {
    const asset = await locate(root, "favicon.ico");
    if (!asset) return c.notFound();
    // Its URL cannot carry a version: a day in caches, then the ETag.
    return await send(c, asset, "public, max-age=86400");
  });
  return app;
}
