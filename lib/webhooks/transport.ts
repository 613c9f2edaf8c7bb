// One webhook POST over node:http(s) with a `lookup` that answers the addresses the SSRF check accepted, so
// the connection goes to exactly those (no second DNS lookup to rebind) while TLS still sends SNI and checks
// the certificate for the URL's host name, and Host is the URL's. fetch cannot do that: its resolution
// cannot be replaced, and Deno.createHttpClient's "tcp" proxy does not speak TLS. Redirects are never
// followed (a 3xx is the attempt's answer). Errors are thrown as DeliveryError with a generic reason: the
// delivery log is shown to tenants and must not carry resolver or socket details of the gateway's network.
import http from "node:http";
import https from "node:https";
import { pinnedLookup } from "../core/mod.ts";

/** A failed attempt; `message` is a generic reason fit for the tenant's delivery log. */
export class DeliveryError extends Error {}

export interface PinnedPost {
  headers: Record<string, string>;
  body: string;
  /** Connect only to these (checked) addresses; null: resolve normally (WEBHOOK_ALLOW_PRIVATE). */
  addresses: string[] | null;
  timeoutMs: number;
  /** Extra trusted CA certificates (PEM), for tests with their own certificate. */
  ca?: string[];
}

/** The generic reason for a socket, TLS or HTTP parser error (never its raw text). */
export function deliveryErrorText(err: unknown): string {
  if (err instanceof DeliveryError) return err.message;
  const code = String((err as { code?: unknown })?.code ?? "");
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ECONNRESET" || code === "EPIPE") return "connection reset";
  if (code === "ETIMEDOUT") return "timeout";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "unresolvable host";
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return "host unreachable";
  if (/CERT|TLS|SSL/.test(code)) return "TLS error";
  if (code.startsWith("HPE_")) return "invalid HTTP response";
  return "connection failed";
}

/** POSTs `body` to `url` (connecting to `addresses` when given) and answers the HTTP status code. */
export function pinnedPost(url: URL, o: PinnedPost): Promise<number> {
  const bytes = new TextEncoder().encode(o.body);
  const lookup = o.addresses ? pinnedLookup(o.addresses) : undefined;
  const mod = url.protocol === "https:" ? https : http;
  return new Promise<number>((resolve, reject) => {
    let settled = false;
    const req = mod.request(url, {
      method: "POST",
      headers: { ...o.headers, "content-length": String(bytes.byteLength) },
      // A fresh connection per attempt: a pooled socket would skip the pinning decision.
      agent: false,
      lookup,
      ...(o.ca ? { ca: o.ca } : {}),
    }, (res) => {
      settled = true;
      clearTimeout(timer);
      resolve(res.statusCode ?? 0);
      res.destroy();
    });
    const timer = setTimeout(() => req.destroy(new DeliveryError("timeout")), o.timeoutMs);
    req.on("error", (err) => {
      clearTimeout(timer);
      if (!settled) reject(err instanceof DeliveryError ? err : new DeliveryError(deliveryErrorText(err)));
    });
    req.end(bytes);
  });
}
