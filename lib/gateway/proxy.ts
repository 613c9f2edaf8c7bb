/**
 * Forwarding to the engine on purpose (DESIGN §3.7): the caller's credential is replaced by the engine
 * key (the Evolution client's raw `request` does that), cookies/authorization/origin never leave, the
 * client address is passed as X-Forwarded-For/-Proto, every call has a timeout, and transport failures
 * become the contract's 504/502. Small answers are read whole (a connection cut mid-body is then a 502,
 * not a truncated 200); large or unsized ones stream through.
 */
import { type AppDeps, fail, type HttpError } from "../core/mod.ts";
import { isEngineFailure } from "./breaker.ts";
import { type EngineExchange, EvolutionError, exchangeText } from "./engine_client.ts";

type Deps = Pick<AppDeps, "evolution" | "config">;

const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
];
// Credentials and browser context stay at the gateway; the forwarding headers are ours to set.
const REQUEST_DROP = new Set([
  ...HOP_BY_HOP,
  "host",
  "cookie",
  "authorization",
  "origin",
  "apikey",
  "content-length",
  "accept-encoding",
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
  "x-real-ip",
]);
// The engine shares our origin: its cookies must never reach (or clobber) the panel's.
const RESPONSE_DROP = new Set([...HOP_BY_HOP, "content-length", "content-encoding", "set-cookie"]);

function listedInConnection(headers: Headers): Set<string> {
  return new Set((headers.get("connection") ?? "").split(",").map((h) => h.trim().toLowerCase()));
}

/** Who is asking: the incoming request and its client address (set by the edge middleware). */
export interface Caller {
  request: Request;
  clientIp?: string;
}

/**
 * The request headers sent upstream (the engine key is added by the client), as name/value pairs: fetch
 * takes pairs about a third faster than a Headers object (measured on the bench machine, issue #14).
 */
export function upstreamHeaders(caller: Caller, contentType?: string): [string, string][] {
  // Names arrive lowercase and once each (a Headers iteration combines repeats).
  const out = new Map<string, string>();
  const incoming = caller.request.headers;
  const extra = listedInConnection(incoming);
  for (const [k, v] of incoming) {
    if (!REQUEST_DROP.has(k) && !extra.has(k)) out.set(k, v);
  }
  if (contentType) out.set("content-type", contentType);
  // Uncompressed answers keep Content-Length meaningful and let the gateway read JSON bodies.
  out.set("accept-encoding", "identity");
  const ip = caller.clientIp;
  if (ip && ip !== "unknown") {
    out.set("x-forwarded-for", ip);
    out.set("x-real-ip", ip);
  }
  const proto = incoming.get("x-forwarded-proto") ??
    (caller.request.url.startsWith("https:") ? "https" : "http");
  out.set("x-forwarded-proto", proto);
  return [...out];
}

/** Maps a transport failure (request or body read) to the contract's error. */
export function transportError(err: unknown): HttpError {
  const timeout = err instanceof EvolutionError
    ? err.kind === "timeout"
    : err instanceof DOMException && err.name === "TimeoutError";
  return fail(timeout ? "engine_timeout" : "engine_unavailable");
}

export interface UpstreamCall {
  method: string;
  /** Path and query, already canonical. */
  path: string;
  body?: BodyInit | null;
  contentType?: string;
  /** Added to the configured timeout (a send's `delay` holds the engine's answer that long). */
  extraTimeoutMs?: number;
}

export interface Forwarded {
  response: Response;
  /** For the circuit breaker: did the engine fail (5xx, timeout, network)? */
  failed: boolean;
}

function responseHeaders(upstream: Headers): Headers {
  const out = new Headers();
  const extra = listedInConnection(upstream);
  for (const [k, v] of upstream) {
    if (!RESPONSE_DROP.has(k) && !extra.has(k)) out.append(k, v);
  }
  return out;
}

/**
 * Forwards one request and returns the response to send back. Transport failures are returned as the
 * contract's 504/502 JSON errors (with `failed: true`), never thrown.
 */
export async function forward(deps: Deps, caller: Caller, call: UpstreamCall): Promise<Forwarded> {
  let upstream: EngineExchange;
  try {
    upstream = await deps.evolution.exchange(call.method, call.path, {
      headers: upstreamHeaders(caller, call.contentType),
      body: call.body ?? null,
      redirect: "manual",
      timeoutMs: deps.config.evolutionTimeoutMs + (call.extraTimeoutMs ?? 0),
    });
  } catch (err) {
    return { response: errorResponse(transportError(err)), failed: true };
  }
  const { status, body } = upstream;
  const headers = responseHeaders(upstream.headers);
  // A streamed body (large or unsized) is passed on as it comes; only a read one shows an engine failure.
  const failed = body instanceof ReadableStream
    ? status >= 500
    : isEngineFailure(status, status >= 500 ? await exchangeText(body) : "");
  return {
    response: new Response(status === 204 || status === 304 ? null : body, { status, headers }),
    failed,
  };
}

/** A JSON error response in the contract's shape (built here because proxied responses bypass onError). */
export function errorResponse(err: HttpError): Response {
  return Response.json(
    err.body(),
    { status: err.status, headers: err.headers },
  );
}
