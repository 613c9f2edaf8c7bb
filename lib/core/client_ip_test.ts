import { assertEquals } from "./testing.ts";
import { clientIp, isPrivateAddress } from "./client_ip.ts";

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

Deno.test("clientIp trusts X-Forwarded-For only from a private peer", () => {
  assertEquals(clientIp("10.0.0.5", "203.0.113.9", "private"), "203.0.113.9");
  assertEquals(clientIp("198.51.100.1", "203.0.113.9", "private"), "198.51.100.1");
  assertEquals(clientIp("10.0.0.5", undefined, "private"), "10.0.0.5");
  assertEquals(clientIp("10.0.0.5", "203.0.113.9", "none"), "10.0.0.5");
});

Deno.test("clientIp skips trusted proxies from the right and stops at the first untrusted hop", () => {
  // A spoofed left-most entry is ignored: the nearest untrusted hop is what our proxy saw.
  assertEquals(clientIp("127.0.0.1", "1.1.1.1, 203.0.113.9, 10.0.0.2", "private"), "203.0.113.9");
  assertEquals(clientIp("127.0.0.1", "10.0.0.3, 10.0.0.2", "private"), "10.0.0.3");
  // TRUST_PROXY=all trusts every hop, so the left-most entry is the client.
  assertEquals(clientIp("198.51.100.1", "1.1.1.1, 2.2.2.2", "all"), "1.1.1.1");
});
