import type { Context, ErrorHandler, MiddlewareHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { getConnInfo } from "hono/deno";
import type { AppEnv } from "./app_env.ts";
import { clientIp, isPrivateAddress } from "./client_ip.ts";
import { fail, HttpError } from "./errors.ts";
import type { Logger } from "./log.ts";
import { renderErrorPage } from "../../components/ErrorPage.tsx";

/** 50 MB, TAGUATO-SEND's client_max_body_size; bodies up to it are always read completely. */
export const MAX_BODY_BYTES = 50 * 1024 * 1024;

/** Paths answered with HTML pages rather than JSON errors. */
export const isPagePath = (path: string) =>
  path === "/panel" || path.startsWith("/panel/") || path === "/status" || path.startsWith("/status/");

/** Sets `clientIp` from the TCP peer and, behind a trusted proxy, X-Forwarded-For. */
export function clientAddress(trust: "private" | "all" | "none"): MiddlewareHandler<AppEnv> {
  return async function clientAddress(c, next) {
    let peer = "unknown";
    try {
      peer = getConnInfo(c).remote.address ?? "unknown";
    } catch {
      // app.request() in unit tests has no socket.
    }
    c.set("clientIp", clientIp(peer, c.req.header("x-forwarded-for"), trust));
    c.set("fromTrustedProxy", trust === "all" || (trust === "private" && isPrivateAddress(peer)));
    await next();
  };
}

/** The path as logs show it: the engine-events ingest token is a credential and never written out. */
export const loggedPath = (path: string) => path.replace(/^(\/internal\/engine-events\/)[^/]+/, "$1***");

/** One JSON line per request, written after the response is produced. */
export function accessLog(log: Logger): MiddlewareHandler<AppEnv> {
  return async function accessLog(c, next) {
    const started = performance.now();
    await next();
    log.info("request", {
      request_id: c.get("requestId"),
      ip: c.get("clientIp"),
      method: c.req.method,
      uri: loggedPath(c.req.path),
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      ua: c.req.header("user-agent") ?? "",
    });
  };
}

/** The security headers of the contract (§3.4), on every response including errors and preflights. */
export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async function securityHeaders(c, next) {
    await next();
    const h = c.res.headers;
    h.set("X-Content-Type-Options", "nosniff");
    h.set("X-Frame-Options", "DENY");
    h.set("X-XSS-Protection", "1; mode=block");
    h.set("Referrer-Policy", "strict-origin-when-cross-origin");
    h.set("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    if (isPagePath(c.req.path) && !h.has("Content-Security-Policy")) {
      h.set(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; " +
          "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
      );
    }
  };
}

/**
 * CORS from GATEWAY_CORS_ORIGIN (one literal origin or `*`; unset = no CORS headers), and the contract's
 * blanket rule: any OPTIONS request is answered 204 with no body and no authentication.
 */
export function cors(origin: string | undefined): MiddlewareHandler<AppEnv> {
  const headers: [string, string][] = origin
    ? [
      ["Access-Control-Allow-Origin", origin],
      ["Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS"],
      ["Access-Control-Allow-Headers", "apikey, Content-Type, Authorization"],
      ["Access-Control-Max-Age", "86400"],
    ]
    : [];
  return async function cors(c, next) {
    if (c.req.method === "OPTIONS") {
      for (const [k, v] of headers) c.header(k, v);
      if (origin && origin !== "*") c.header("Vary", "Origin", { append: true });
      return c.body(null, 204);
    }
    await next();
    for (const [k, v] of headers) c.res.headers.set(k, v);
    if (origin && origin !== "*") c.res.headers.append("Vary", "Origin");
  };
}

/**
 * Reads the body completely (up to MAX_BODY_BYTES, else 413) and treats a body that looks like JSON as
 * JSON whatever its Content-Type, as TAGUATO-SEND did, so `curl -d '{…}'` clients keep working.
 */
export function bodyReader(): MiddlewareHandler<AppEnv> {
  return async function bodyReader(c, next) {
    const raw = c.req.raw;
    if (!raw.body || c.req.method === "GET" || c.req.method === "HEAD") return await next();
    const declared = Number(raw.headers.get("content-length") ?? "0");
    if (declared > MAX_BODY_BYTES) throw fail("body_too_large");
    const type = raw.headers.get("content-type") ?? "";
    if (/^multipart\//i.test(type) || /json/i.test(type)) return await next();
    const bytes = new Uint8Array(await raw.arrayBuffer());
    if (bytes.byteLength > MAX_BODY_BYTES) throw fail("body_too_large");
    const text = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart();
    const headers = new Headers(raw.headers);
    if (text.startsWith("{") || text.startsWith("[")) headers.set("content-type", "application/json");
    c.req.raw = new Request(raw.url, { method: raw.method, headers, body: bytes, signal: raw.signal });
    await next();
  };
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

/** The single error mapper: HttpError → its status and message, anything unexpected → a generic 500. */
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
