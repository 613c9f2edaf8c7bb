import type { LookupFunction } from "node:net";
// SSRF guard for URLs the gateway will POST to on a tenant's behalf (webhooks). The WHATWG parser already
// normalises decimal/octal/hex IPv4 forms and strips userinfo from the host, so checks run on addresses:
// IP literals directly, host names after resolving every A/AAAA record (a name that resolves to a private
// address is as dangerous as the address).

import type { ErrorCode } from "./errors.ts";

// [network, prefix length] in IPv4 dotted form.
const V4_BLOCKED: [string, number][] = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata (169.254.169.254)
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15], // benchmarking
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved + broadcast
];
const BLOCKED_NAMES = /(^|\.)(localhost|localdomain|internal|local)$/i;

function v4ToInt(ip: string): number | null {
  const parts = ip.split(".");
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function v4Blocked(n: number): boolean {
  return V4_BLOCKED.some(([net, bits]) => {
    const size = 2 ** (32 - bits);
    return Math.floor(n / size) === Math.floor(v4ToInt(net)! / size);
  });
}

/** Expands an IPv6 literal (no brackets, no zone) to eight 16-bit groups, or null. */
function v6Groups(ip: string): number[] | null {
  let text = ip.toLowerCase();
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const n = v4ToInt(tail[1]);
    if (n === null) return null;
    text = text.slice(0, -tail[1].length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const parse = (
    s: string,
  ) => (s === "" ? [] : s.split(":").map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const head = parse(halves[0]);
  const rest = halves.length === 2 ? parse(halves[1]) : [];
  const fill = 8 - head.length - rest.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0 || [...head, ...rest].some(Number.isNaN)) return null;
  return [...head, ...Array(fill).fill(0), ...rest];
}

/** True for loopback, private, link-local, CGNAT, multicast, reserved and metadata addresses (v4 or v6). */
export function isBlockedAddress(ip: string): boolean {
  const v4 = v4ToInt(ip);
  if (v4 !== null) return v4Blocked(v4);
  const g = v6Groups(ip.replace(/^\[|\]$/g, "").replace(/%.*$/, ""));
  if (!g) return true; // unparseable: refuse rather than guess
  const embeddedV4 = (hi: number, lo: number) => v4Blocked(hi * 65536 + lo);
  if (g.every((x) => x === 0)) return true; // ::
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return true; // ::1
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) return embeddedV4(g[6], g[7]);
  if (g[0] === 0x64 && g[1] === 0xff9b) return embeddedV4(g[6], g[7]); // NAT64
  if (g[0] === 0x2002) return embeddedV4(g[1], g[2]); // 6to4
  if ((g[0] & 0xfe00) === 0xfc00) return true; // unique local (incl. fd00:ec2::254 metadata)
  if ((g[0] & 0xffc0) === 0xfe80) return true; // link-local
  if ((g[0] & 0xff00) === 0xff00) return true; // multicast
  return false;
}

const isIpLiteral = (host: string) => v4ToInt(host) !== null || host.startsWith("[");

/** Why a webhook URL was refused (catalogue codes of the webhooks section). */
export type UrlProblem = Extract<
  ErrorCode,
  "webhook_url_scheme" | "webhook_url_invalid" | "webhook_url_private"
>;

/**
 * Checks a webhook URL when it is configured: syntax, scheme, and (without `allowPrivate`) no private
 * literal address or local name. The host is not resolved: a name whose DNS is not set up yet is accepted,
 * since resolvePublicAddresses checks the addresses at every delivery (as Stripe and Svix do).
 */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): UrlProblem | null {
  if (!/^https?:\/\//i.test(raw)) return "webhook_url_scheme";
  if (raw.length > 2048 || !URL.canParse(raw)) return "webhook_url_invalid";
  const host = new URL(raw).hostname;
  if (!host) return "webhook_url_invalid";
  if (allowPrivate) return null;
  if (isIpLiteral(host)) return isBlockedAddress(host) ? "webhook_url_private" : null;
  if (BLOCKED_NAMES.test(host.replace(/\.$/, "")) || !host.includes(".")) return "webhook_url_private";
  return null;
}

/**
 * A node:net `lookup` that answers exactly `addresses` (already checked), so a node:http(s) request connects
 * to them whatever DNS would answer now, while TLS still sends the host name (SNI) and checks it.
 */
export function pinnedLookup(addresses: readonly string[]): LookupFunction {
  const list = addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  return ((_host: string, opts: { all?: boolean }, callback: (...args: unknown[]) => void) =>
    opts?.all
      ? callback(null, list)
      : callback(null, list[0].address, list[0].family)) as unknown as LookupFunction;
}

/** A DNS server to ask instead of the system's (Deno.resolveDns's `nameServer`). */
export type NameServer = { ipAddr: string; port: number };

/** Every A and AAAA address of a host name (none when it does not resolve). */
export async function resolveAll(host: string, nameServer?: NameServer): Promise<string[]> {
  const options = nameServer ? { nameServer } : undefined;
  const settled = await Promise.allSettled([
    Deno.resolveDns(host, "A", options),
    Deno.resolveDns(host, "AAAA", options),
  ]);
  return settled.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
}

/**
 * The addresses a connection to `host` may use: every A/AAAA record, all of them public; "blocked" when
 * any is not (or the name is a local one), "unresolvable" when there is none. Connect to exactly these
 * (never resolve again): a second lookup could answer a private address (DNS rebinding).
 */
export async function resolvePublicAddresses(
  host: string,
  nameServer?: NameServer,
): Promise<string[] | "blocked" | "unresolvable"> {
  if (isIpLiteral(host)) return isBlockedAddress(host) ? "blocked" : [host.replace(/^\[|\]$/g, "")];
  if (BLOCKED_NAMES.test(host.replace(/\.$/, "")) || !host.includes(".")) return "blocked";
  const addresses = await resolveAll(host, nameServer);
  if (addresses.length === 0) return "unresolvable";
  return addresses.some(isBlockedAddress) ? "blocked" : addresses;
}
