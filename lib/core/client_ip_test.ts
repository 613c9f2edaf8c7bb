import { assertEquals, assertThrows } from "./testing.ts";
import {
  ALL_CIDRS,
  clientIp,
  isPrivateAddress,
  parseCidr,
  PRIVATE_CIDRS,
  proxyMatcher,
} from "./client_ip.ts";
import { ConfigError, loadConfig } from "./config.ts";

Deno.test("isPrivateAddress recognises loopback, RFC 1918, link-local and ULA addresses", () => {
  for (
    const ip of ["127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "::1", "fd00::1"]
  ) {
    assertEquals(isPrivateAddress(ip), true, ip);
  }
  for (const ip of ["8.8.8.8", "172.32.0.1", "172.15.0.1", "2001:db8::1", "::ffff:8.8.4.4"]) {
    assertEquals(isPrivateAddress(ip), false, ip);
  }
  assertEquals(isPrivateAddress("::ffff:10.0.0.1"), true);
});

Deno.test("proxyMatcher matches IPv4, IPv6 and IPv4-mapped peers against CIDRs and bare addresses", () => {
  const m = proxyMatcher(["10.0.0.0/8", "172.16.0.0/12", "192.0.2.7", "2001:db8:1::/48"]);
  for (const ip of ["10.255.0.1", "172.31.9.9", "192.0.2.7", "::ffff:10.0.0.1", "2001:db8:1:ffff::1"]) {
    assertEquals(m(ip), true, ip);
  }
  for (
    const ip of ["11.0.0.1", "172.32.0.1", "192.0.2.8", "2001:db8:2::1", "127.0.0.1", "unknown", "", "::1"]
  ) {
    assertEquals(m(ip), false, ip);
  }
  assertEquals(proxyMatcher(["::1/128"])("::1"), true);
  assertEquals(proxyMatcher(["0.0.0.0/0"])("203.0.113.1"), true);
  assertEquals(proxyMatcher(["0.0.0.0/0"])("2001:db8::1"), false);
  assertEquals(proxyMatcher(ALL_CIDRS)("2001:db8::1"), true);
  assertEquals(proxyMatcher(["10.1.2.3/31"])("10.1.2.2"), true);
  assertEquals(proxyMatcher(["10.1.2.3/31"])("10.1.2.4"), false);
  for (
    const bad of ["10.0.0.0/33", "10.0.0/8", "::1/129", "example.com", "1.2.3.4/8/9", "1:2:3:4:5:6:7:8:9"]
  ) {
    assertEquals(parseCidr(bad), null, bad);
  }
  assertThrows(() => proxyMatcher(["nope"]), Error);
});

Deno.test("clientIp trusts X-Forwarded-For only from a listed proxy; nobody is trusted by default", () => {
  const none = proxyMatcher(loadConfig({}).trustedProxies);
  // A client on the LAN (a private address) can no longer choose the address limits key on.
  assertEquals(clientIp("10.0.0.5", "203.0.113.9", none), "10.0.0.5");
  assertEquals(clientIp("127.0.0.1", "203.0.113.9", none), "127.0.0.1");
  const lb = proxyMatcher(["10.0.0.2/32"]);
  assertEquals(clientIp("10.0.0.2", "203.0.113.9", lb), "203.0.113.9");
  assertEquals(clientIp("10.0.0.5", "203.0.113.9", lb), "10.0.0.5");
  assertEquals(clientIp("10.0.0.2", undefined, lb), "10.0.0.2");
});

Deno.test("clientIp skips trusted proxies from the right and stops at the first untrusted hop", () => {
  const m = proxyMatcher(["127.0.0.1", "10.0.0.0/8"]);
  // A spoofed left-most entry is ignored: the nearest untrusted hop is what our proxy saw.
  assertEquals(clientIp("127.0.0.1", "1.1.1.1, 203.0.113.9, 10.0.0.2", m), "203.0.113.9");
  assertEquals(clientIp("127.0.0.1", "10.0.0.3, 10.0.0.2", m), "10.0.0.3");
  // Every peer trusted (TRUST_PROXY=all): the left-most entry is the client.
  assertEquals(clientIp("198.51.100.1", "1.1.1.1, 2.2.2.2", proxyMatcher(ALL_CIDRS)), "1.1.1.1");
});

Deno.test("TRUSTED_PROXIES is validated; TRUST_PROXY stays an alias and TRUSTED_PROXIES wins over it", () => {
  assertEquals(loadConfig({}).trustedProxies, []);
  assertEquals(loadConfig({ TRUSTED_PROXIES: "10.0.0.0/8, 172.16.0.0/12" }).trustedProxies, [
    "10.0.0.0/8",
    "172.16.0.0/12",
  ]);
  assertEquals(loadConfig({ TRUST_PROXY: "private" }).trustedProxies, PRIVATE_CIDRS);
  assertEquals(loadConfig({ TRUST_PROXY: "all" }).trustedProxies, ALL_CIDRS);
  assertEquals(loadConfig({ TRUST_PROXY: "none" }).trustedProxies, []);
  assertEquals(loadConfig({ TRUST_PROXY: "private", TRUSTED_PROXIES: "192.0.2.1" }).trustedProxies, [
    "192.0.2.1",
  ]);
  assertThrows(() => loadConfig({ TRUSTED_PROXIES: "10.0.0.0/8,lan" }), ConfigError);
});
