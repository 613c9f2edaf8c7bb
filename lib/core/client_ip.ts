/** True for loopback, RFC 1918, link-local and unique-local addresses (IPv4, IPv6, IPv4-mapped IPv6). */
export function isPrivateAddress(ip: string): boolean {
  const v4 = ip.startsWith("::ffff:") ? ip.slice(7) : ip;
  const parts = v4.split(".").map(Number);
  if (parts.length === 4 && parts.every((n) => Number.isInteger(n) && n >= 0 && n <= 255)) {
    const [a, b] = parts;
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) ||
      (a === 169 && b === 254) || a === 0;
  }
  const low = ip.toLowerCase();
  return low === "::1" || low === "::" || low.startsWith("fc") || low.startsWith("fd") ||
    low.startsWith("fe80:");
}

/** What the old TRUST_PROXY=private meant, spelled as CIDRs (kept as an explicit opt-in alias). */
export const PRIVATE_CIDRS = [
  "127.0.0.0/8",
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "169.254.0.0/16",
  "::1/128",
  "fc00::/7",
  "fe80::/10",
];

/** TRUST_PROXY=all: every peer is a proxy (only behind a proxy that overwrites X-Forwarded-For). */
export const ALL_CIDRS = ["0.0.0.0/0", "::/0"];

function v4Bytes(ip: string): number[] | null {
  const parts = ip.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null;
  return parts.map(Number);
}

/** The 16 bytes of an IPv6 address (IPv4 addresses as IPv4-mapped ones, so one matcher covers both). */
function ipBytes(raw: string): number[] | null {
  const ip = raw.trim().replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const v4 = v4Bytes(ip);
  if (v4) return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4];
  if (!ip.includes(":") || !/^[0-9a-fA-F:.]+$/.test(ip)) return null;
  const halves = ip.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string) => {
    if (s === "") return [] as number[];
    const out: number[] = [];
    const items = s.split(":");
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (i === items.length - 1 && item.includes(".")) {
        const tail = v4Bytes(item);
        if (!tail) return null;
        out.push((tail[0] << 8) | tail[1], (tail[2] << 8) | tail[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) out.push(parseInt(item, 16));
      else return null;
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...Array(missing).fill(0), ...tail];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

interface Cidr {
  bytes: number[];
  bits: number;
}

/** Parses `a.b.c.d/n`, `x::y/n` or a bare address (a single host); null when it is not one. */
export function parseCidr(text: string): Cidr | null {
  const [addr, len, ...rest] = text.trim().split("/");
  if (rest.length) return null;
  const bytes = ipBytes(addr);
  if (!bytes) return null;
  const v4 = v4Bytes(addr.trim()) !== null;
  const max = v4 ? 32 : 128;
  if (len !== undefined && !/^\d{1,3}$/.test(len)) return null;
  const n = len === undefined ? max : Number(len);
  if (n > max) return null;
  return { bytes, bits: v4 ? n + 96 : n };
}

function inCidr(ip: number[], cidr: Cidr): boolean {
  for (let bit = 0; bit < cidr.bits; bit += 8) {
    const left = Math.min(8, cidr.bits - bit);
    const mask = (0xff << (8 - left)) & 0xff;
    if ((ip[bit / 8] & mask) !== (cidr.bytes[bit / 8] & mask)) return false;
  }
  return true;
}

/** A predicate for "this peer is one of our proxies"; entries that are not CIDRs throw. */
export function proxyMatcher(cidrs: readonly string[]): (ip: string) => boolean {
  const parsed = cidrs.map((c) => {
    const p = parseCidr(c);
    if (!p) throw new Error(`not a CIDR: ${c}`);
    return p;
  });
  if (parsed.length === 0) return () => false;
  return (ip) => {
    const bytes = ipBytes(ip);
    return bytes !== null && parsed.some((c) => inCidr(bytes, c));
  };
}

/**
 * The client's address: the TCP peer, or, when the peer is one of the trusted proxies, the nearest
 * X-Forwarded-For hop that is not one of them. With no trusted proxies (the default) the peer is the client.
 */
export function clientIp(
  peer: string,
  forwardedFor: string | undefined,
  trusted: (ip: string) => boolean,
): string {
  if (!forwardedFor || !trusted(peer)) return peer;
  const hops = forwardedFor.split(",").map((h) => h.trim()).filter(Boolean);
  // Walk from the nearest hop outward, skipping our own proxies (nginx's real_ip_recursive).
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!trusted(hops[i]) || i === 0) return hops[i];
  }
  return peer;
}
