import type { Context, ErrorHandler, MiddlewareHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { getConnInfo } from "hono/deno";
import type { AppEnv } from "./app_env.ts";
import { clientIp, proxyMatcher } from "./client_ip.ts";
import { isDatabaseDown } from "./db.ts";
import { fail, HttpError } from "./errors.ts";
import type { Logger } from "./log.ts";
import { renderErrorPage } from "../../components/ErrorPage.tsx";

/** 50 MB, TAGUATO-SEND's client_max_body_size; bodies up to it are always read completely. */
export const MAX_BODY_BYTES = 50 * 1024 * 1024;

/** Paths answered with HTML pages rather than JSON errors. */
export const isPagePath = (path: string) =>
  path === "/panel" || path.startsWith("/panel/") || path === "/status" || path.startsWith("/status/");

/** The path as logs show it: the engine-events ingest token is a credential and never written out. */
export const loggedPath = (path: string) =>
  path.startsWith(ENGINE_EVENTS_PREFIX) ? path.replace(ENGINE_EVENTS_TOKEN, "$1***") : path;
const ENGINE_EVENTS_PREFIX = "/internal/engine-events/";
const ENGINE_EVENTS_TOKEN = /^(\/internal\/engine-events\/)[^/]+/;

// The security headers of the contract (§3.4), on every response including errors and preflights.
const SECURITY_HEADERS: [string, string][] = [
  ["X-Content-Type-Options", "nosniff"],
  ["X-Frame-Options", "DENY"],
  ["X-XSS-Protection", "1; mode=block"],
  ["Referrer-Policy", "strict-origin-when-cross-origin"],
  ["Strict-Transport-Security", "max-age=31536000; includeSubDomains"],
];
const PAGE_CSP = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; " +
  "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

// A client's X-Request-Id is kept when it is a plain token (as Hono's requestId middleware accepts).
const REQUEST_ID = /^[\w\-=]{1,255}$/;

/**
 * CORS from GATEWAY_CORS_ORIGIN (one literal origin or `*`; unset = no CORS headers): the headers every
 * answer carries.
 */
function corsHeaders(origin: string | undefined): [string, string][] {
  return origin
    ? [
      ["Access-Control-Allow-Origin", origin],
      ["Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS"],
      // The two request headers the send routes read: a browser client on another origin may set them too.
      [
        "Access-Control-Allow-Headers",
        "apikey, Content-Type, Authorization, Idempotency-Key, X-Ignore-Opt-Out",
      ],
      ["Access-Control-Max-Age", "86400"],
    ]
    : [];
}

export interface EdgeOptions {
  /** Proxies whose X-Forwarded-For names the client (TRUSTED_PROXIES). */
  trustedProxies: readonly string[];
  /** Where the access log goes: one JSON line per request, written after the response is produced. */
  accessLog: Logger;
  corsOrigin?: string;
  /** Called once the response is produced, with its latency (the request metrics). */
  measured?: (c: Context<AppEnv>, ms: number) => void;
}

/**
 * What every request gets before and after its route, in one middleware (one async frame on the hot path
 * instead of six): the request id (`X-Request-Id`, a client's own kept when it is a plain token), the
 * client address (`clientIp` from the TCP peer and, behind a trusted proxy, X-Forwarded-For), the
 * contract's blanket CORS rule (any OPTIONS request is answered 204 with no body and no authentication),
 * then on the response: the security headers, the CORS headers, the metrics and the access-log line.
 */
export function edge(options: EdgeOptions): MiddlewareHandler<AppEnv> {
  const trusted = proxyMatcher(options.trustedProxies);
  const cors = corsHeaders(options.corsOrigin);
  const varyOrigin = !!options.corsOrigin && options.corsOrigin !== "*";
  const { accessLog, measured } = options;
  return async function edge(c, next) {
    const started = performance.now();
    const given = c.req.header("x-request-id");
    const requestId = given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    c.set("requestId", requestId);
    let peer = "unknown";
    try {
      peer = getConnInfo(c).remote.address ?? "unknown";
    } catch {
      // app.request() in unit tests has no socket.
    }
    c.set("clientIp", clientIp(peer, c.req.header("x-forwarded-for"), trusted));
    c.set("fromTrustedProxy", trusted(peer));
    if (c.req.method === "OPTIONS") c.res = new Response(null, { status: 204 });
    else await next();

    const h = c.res.headers;
    h.set("X-Request-Id", requestId);
    for (const [k, v] of SECURITY_HEADERS) h.set(k, v);
    if (isPagePath(c.req.path) && !h.has("Content-Security-Policy")) {
      h.set("Content-Security-Policy", PAGE_CSP);
    }
    for (const [k, v] of cors) h.set(k, v);
    if (varyOrigin) h.append("Vary", "Origin");
    const ms = performance.now() - started;
    measured?.(c, ms);
    accessLog.info("request", {
      request_id: requestId,
      ip: c.get("clientIp"),
      method: c.req.method,
      uri: loggedPath(c.req.path),
      status: c.res.status,
      ms: Math.round(ms * 10) / 10,
      ua: c.req.header("user-agent") ?? "",
    });
  };
}

// Login, recovery and 2FA bodies are a few hundred bytes; a small cap keeps password hashing and JSON
// parsing of unauthenticated requests cheap.
const AUTH_MAX_BODY_BYTES = 64 * 1024;
// The engine-events ingest reads its body only once the path token is known good; message and chat events
// carry no media (the engine's webhook base64 is off) but history-sync batches (MESSAGES_SET, CHATS_SET)
// exceed 64 KB.
const ENGINE_EVENTS_MAX_BODY_BYTES = 1024 * 1024;

/** The body cap of a path: small on unauthenticated auth and the engine-events ingest, else 50 MB. */
export function bodyLimit(path: string): number {
  if (path.startsWith("/api/auth/")) return AUTH_MAX_BODY_BYTES;
  if (path.startsWith("/internal/engine-events/")) return ENGINE_EVENTS_MAX_BODY_BYTES;
  return MAX_BODY_BYTES;
}

/** Reads a stream to its end, failing with 413 as soon as it passes `limit` bytes (chunked bodies too). */
async function readCapped(body: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array<ArrayBuffer>> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      reader.cancel().catch(() => {});
      throw fail("body_too_large");
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Whether a JSON value holds a NUL character in any string or key, at any depth. */
export function jsonHasNul(value: unknown): boolean {
  if (typeof value === "string") return value.includes("\0");
  if (Array.isArray(value)) return value.some(jsonHasNul);
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) if (k.includes("\0") || jsonHasNul(v)) return true;
  }
  return false;
}

// A NUL reaches PostgreSQL as text it refuses (22021); in a URL it is %00, in valid JSON the \u0000 escape.
const URL_NUL = /%00/;
const JSON_NUL = /\\u0000/i;

function bodyHasNul(text: string, json: boolean, form: boolean): boolean {
  if (text.includes("\0")) return true;
  if (form) return URL_NUL.test(text);
  if (!json || !JSON_NUL.test(text)) return false;
  try {
    return jsonHasNul(JSON.parse(text));
  } catch {
    return false; // the route answers its own "Invalid JSON body"
  }
}

// Routes under these prefixes authenticate from the URL alone and read their body afterwards with
// readBody, so an unknown caller's body is never read (the engine-events ingest and its path token).
const DEFERRED_BODY_PREFIXES = ["/internal/engine-events/"];

/**
 * The edge checks of every request, before any route: NUL characters in the path or query are a 400, and
 * the body is read with readBody, except under DEFERRED_BODY_PREFIXES, whose routes call it themselves.
 */
export function bodyReader(): MiddlewareHandler<AppEnv> {
  return async function bodyReader(c, next) {
    // Path and query are the URL after its host, where %00 can only be a NUL.
    if (URL_NUL.test(c.req.raw.url)) throw fail("nul_character");
    const path = c.req.path;
    if (!DEFERRED_BODY_PREFIXES.some((prefix) => path.startsWith(prefix))) await readBody(c);
    await next();
  };
}

/**
 * Reads the request body completely, its bytes counted while streaming (413 as soon as it passes the
 * path's cap, whatever the Content-Type or transfer encoding); JSON and form bodies with a NUL are a 400;
 * and a body that looks like JSON is treated as JSON whatever its Content-Type, as TAGUATO-SEND did, so
 * `curl -d '{…}'` clients keep working. What was read is left in Hono's body cache (its bytes, and its text
 * for JSON and forms), which `c.req.json()`, `c.req.arrayBuffer()` and the validators read; the request is
 * replaced by one holding the bytes only when its headers change.
 */
export async function readBody(c: Context): Promise<void> {
  const raw = c.req.raw;
  if (!raw.body || c.req.method === "GET" || c.req.method === "HEAD") return;
  const limit = bodyLimit(c.req.path);
  const declared = Number(raw.headers.get("content-length") ?? "0");
  if (declared > limit) throw fail("body_too_large");
  const chunked = raw.headers.has("transfer-encoding");
  // With a Content-Length the server reads no more than it declares: one read instead of a counted stream.
  const bytes = declared > 0 && !chunked ? await raw.bytes() : await readCapped(raw.body, limit);
  if (bytes.byteLength > limit) throw fail("body_too_large");
  const type = raw.headers.get("content-type") ?? "";
  let contentType = type;
  let json = /json/i.test(type);
  if (!json && !/^multipart\//i.test(type)) {
    const head = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart();
    if (head.startsWith("{") || head.startsWith("[")) {
      contentType = "application/json";
      json = true;
    }
  }
  const form = !json && /^application\/x-www-form-urlencoded/i.test(type);
  const text = json || form ? new TextDecoder().decode(bytes) : undefined;
  if (text !== undefined && bodyHasNul(text, json, form)) throw fail("nul_character");
  if (chunked || contentType !== type) {
    // Name/value pairs: a Request takes them faster than a copied Headers object (5-7 % of a send's CPU, #14).
    const headers: [string, string][] = [];
    for (const [k, v] of raw.headers) {
      if (k !== "transfer-encoding" && k !== "content-type") headers.push([k, v]);
    }
    if (contentType) headers.push(["content-type", contentType]);
    // No `signal: raw.signal`: nothing downstream listens, and following it costs Deno a listener per request.
    c.req.raw = new Request(raw.url, { method: raw.method, headers, body: bytes });
  }
  // A Request built per body and a counted stream read were a sixth of an engine event's CPU (#14).
  const cache = c.req.bodyCache as Record<string, Promise<unknown>>;
  cache.arrayBuffer = Promise.resolve(
    bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer : bytes.slice().buffer,
  );
  if (text !== undefined) cache.text = Promise.resolve(text);
}

function wantsHtml(c: Context) {
  return isPagePath(c.req.path);
}

function respond(c: Context<AppEnv>, err: HttpError) {
  if (wantsHtml(c)) {
    return c.html(
      renderErrorPage({ status: err.status, message: err.message, requestId: c.get("requestId") }),
      err.status as 400,
    );
  }
  return c.json(
    err.body(),
    err.status as 400,
  );
}

/**
 * The single error mapper: HttpError → its status and message, PostgreSQL unreachable → 503, anything
 * unexpected → a generic 500.
 */
export function errorMapper(log: Logger): ErrorHandler<AppEnv> {
  return function errorMapper(err, c) {
    if (err instanceof HttpError) {
      for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      return respond(c, err);
    }
    if (err instanceof HTTPException) {
      if (err.status === 400 && /json/i.test(err.message)) return respond(c, fail("invalid_json"));
      if (err.status === 413) return respond(c, fail("body_too_large"));
      if (err.status < 500) return respond(c, fail("invalid_request", {}, { status: err.status }));
    }
    if (err instanceof SyntaxError && /JSON/.test(err.message)) return respond(c, fail("invalid_json"));
    if (isDatabaseDown(err)) {
      // postgres.js reconnects on the next query, so the outage ends by itself when the server is back.
      log.warn("database unavailable", {
        request_id: c.get("requestId"),
        uri: loggedPath(c.req.path),
        error: err instanceof Error ? err.message : String(err),
      });
      c.header("Retry-After", "5");
      return respond(c, fail("database_unavailable"));
    }
    log.error("unhandled error", {
      request_id: c.get("requestId"),
      method: c.req.method,
      uri: loggedPath(c.req.path),
      error: err instanceof Error ? err.stack ?? err.message : String(err),
    });
    return respond(c, fail("internal", {}, { extra: { request_id: c.get("requestId") } }));
  };
}

/** Unmatched paths: the contract's `404 "Not found"` (an HTML page under /panel and /status). */
export const notFoundHandler: NotFoundHandler<AppEnv> = (c) => respond(c, fail("not_found"));
