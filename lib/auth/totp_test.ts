import { assertEquals } from "../core/testing.ts";
import {
  base32Decode,
  base32Encode,
  generateTotpSecret,
  hotp,
  otpauthUri,
  totpAt,
  totpStep,
  verifyTotp,
} from "./totp.ts";

const enc = new TextEncoder();

Deno.test("base32 encodes and decodes the RFC 4648 test vectors (no padding)", () => {
  const vectors: [string, string][] = [
    ["", ""],
    ["f", "MY"],
    ["fo", "MZXQ"],
    ["foo", "MZXW6"],
    ["foob", "MZXW6YQ"],
    ["fooba", "MZXW6YTB"],
    ["foobar", "MZXW6YTBOI"],
  ];
  for (const [plain, b32] of vectors) {
    assertEquals(base32Encode(enc.encode(plain)), b32);
    assertEquals(new TextDecoder().decode(base32Decode(b32)), plain);
  }
});

Deno.test("base32 decoding ignores case, padding and separators", () => {
  assertEquals(new TextDecoder().decode(base32Decode("mzxw 6ytb-oi======")), "foobar");
});

Deno.test("a generated secret is 20 random bytes as 32 Base32 characters", () => {
  const s = generateTotpSecret();
  assertEquals(/^[A-Z2-7]{32}$/.test(s), true);
  assertEquals(base32Decode(s).length, 20);
  assertEquals(s === generateTotpSecret(), false);
});

Deno.test("HOTP matches the RFC 4226 appendix D values", async () => {
  const key = enc.encode("12345678901234567890");
  const expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583"];
  for (let i = 0; i < expected.length; i++) assertEquals(await hotp(key, i), expected[i]);
});

Deno.test("TOTP matches the RFC 6238 appendix B test vectors (8 digits, SHA-1/256/512)", async () => {
  const seeds = {
    "SHA-1": "12345678901234567890",
    "SHA-256": "12345678901234567890123456789012",
    "SHA-512": "1234567890123456789012345678901234567890123456789012345678901234",
  } as const;
  const table: [number, string, string, string][] = [
    [59, "94287082", "46119246", "90693936"],
    [1111111109, "07081804", "68084774", "25091201"],
    [1111111111, "14050471", "67062674", "99943326"],
    [1234567890, "89005924", "91819424", "93441116"],
    [2000000000, "69279037", "90698825", "38618901"],
    [20000000000, "65353130", "77737706", "47863826"],
  ];
  for (const [t, sha1, sha256, sha512] of table) {
    const ms = t * 1000;
    assertEquals(await totpAt(base32Encode(enc.encode(seeds["SHA-1"])), ms, 8, "SHA-1"), sha1);
    assertEquals(await totpAt(base32Encode(enc.encode(seeds["SHA-256"])), ms, 8, "SHA-256"), sha256);
    assertEquals(await totpAt(base32Encode(enc.encode(seeds["SHA-512"])), ms, 8, "SHA-512"), sha512);
  }
});

Deno.test("verifyTotp accepts the current step and ±1 step, nothing further", async () => {
  const secret = generateTotpSecret();
  const now = 1_800_000_000_000;
  const step = totpStep(now);
  for (const delta of [-1, 0, 1]) {
    const code = await totpAt(secret, now + delta * 30_000);
    assertEquals(await verifyTotp(secret, code, now), step + delta);
  }
  for (const delta of [-2, 2]) {
    const code = await totpAt(secret, now + delta * 30_000);
    assertEquals(await verifyTotp(secret, code, now), null);
  }
});

Deno.test("verifyTotp refuses steps already used, numbers and malformed codes", async () => {
  const secret = generateTotpSecret();
  const now = 1_800_000_000_000;
  const code = await totpAt(secret, now);
  assertEquals(await verifyTotp(secret, code, now, totpStep(now)), null);
  assertEquals(await verifyTotp(secret, code, now, totpStep(now) - 1), totpStep(now));
  assertEquals(await verifyTotp(secret, Number(code), now), null);
  assertEquals(await verifyTotp(secret, ` ${code}`, now), null);
  assertEquals(await verifyTotp(secret, "", now), null);
});

Deno.test("the otpauth URI has the contract's issuer, escaped label and parameters", () => {
  assertEquals(
    otpauthUri("ana_1", "JBSWY3DPEHPK3PXP"),
    "otpauth://totp/TAGUATO-SEND%3Aana_1?secret=JBSWY3DPEHPK3PXP&issuer=TAGUATO-SEND&algorithm=SHA1&digits=6&period=30",
  );
});
