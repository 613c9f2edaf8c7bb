import { checkWebhookUrl, isBlockedAddress, resolvePublicAddresses } from "./url_guard.ts";
import { assertEquals } from "./testing.ts";

Deno.test("isBlockedAddress refuses private, loopback, link-local, CGNAT, multicast and mapped forms", () => {
  for (
    const ip of [
      "127.0.0.1",
      "127.9.9.9",
      "0.0.0.0",
      "10.0.0.1",
      "172.16.0.1",
      "172.31.255.255",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "224.0.0.1",
      "255.255.255.255",
      "::",
      "::1",
      "[::1]",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "64:ff9b::a00:1",
      "2002:c0a8:0101::1",
      "fc00::1",
      "fd00:ec2::254",
      "fe80::1%eth0",
      "ff02::1",
      "not-an-ip",
    ]
  ) assertEquals(isBlockedAddress(ip), true, ip);
  for (const ip of ["8.8.8.8", "172.32.0.1", "100.128.0.1", "2001:4860:4860::8888", "::ffff:8.8.8.8"]) {
    assertEquals(isBlockedAddress(ip), false, ip);
  }
});

Deno.test("checkWebhookUrl: scheme, syntax, blocked literals and names, and the opt-out", () => {
  assertEquals(checkWebhookUrl("ftp://example.com", false), "webhook_url_scheme");
  assertEquals(checkWebhookUrl("http://", false), "webhook_url_invalid");
  for (
    const url of [
      "http://0x7f000001/",
      "http://017700000001/",
      "http://127.1/",
      "http://a@10.0.0.1:8080/x",
      "http://LOCALHOST./",
      "http://api.localhost/",
      "http://metadata.google.internal/computeMetadata/v1/",
      "http://taguato-postgres:5432/",
      "https://[::ffff:a9fe:a9fe]/",
    ]
  ) assertEquals(checkWebhookUrl(url, false), "webhook_url_private", url);
  assertEquals(checkWebhookUrl("http://8.8.8.8/hook", false), null);
  assertEquals(checkWebhookUrl("http://127.0.0.1:9000/hook", true), null);
});

Deno.test("checkWebhookUrl does not resolve: a name without DNS yet is accepted", () => {
  assertEquals(checkWebhookUrl("https://not-yet.invalid/hook", false), null);
});

Deno.test("resolvePublicAddresses: literals as they are, local names and private literals blocked", async () => {
  assertEquals(await resolvePublicAddresses("8.8.8.8"), ["8.8.8.8"]);
  assertEquals(await resolvePublicAddresses("[2001:4860::8888]"), ["2001:4860::8888"]);
  for (const host of ["127.0.0.1", "[::1]", "localhost", "db", "metadata.google.internal"]) {
    assertEquals(await resolvePublicAddresses(host), "blocked", host);
  }
});
