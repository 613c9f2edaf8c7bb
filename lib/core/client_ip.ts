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

/**
 * The client's address: the TCP peer, or the left-most untrusted X-Forwarded-For hop when the peer is a
 * trusted proxy (by default any private address, as TAGUATO-SEND's nginx did).
 */
export function clientIp(
  peer: string,
  forwardedFor: string | undefined,
  trust: "private" | "all" | "none",
): string {
  if (trust === "none" || !forwardedFor) return peer;
  const trusted = (ip: string) => trust === "all" || isPrivateAddress(ip);
  if (!trusted(peer)) return peer;
  const hops = forwardedFor.split(",").map((h) => h.trim()).filter(Boolean);
  // Walk from the nearest hop outward, skipping our own proxies (nginx's real_ip_recursive).
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!trusted(hops[i]) || i === 0) return hops[i];
  }
  return peer;
}
