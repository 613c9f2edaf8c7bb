// TOTP (RFC 6238) over HOTP (RFC 4226) with Web Crypto, and Base32 (RFC 4648) for the shared secret.

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
export const TOTP_PERIOD_S = 30;
export const TOTP_DIGITS = 6;

/** RFC 4648 Base32 without padding (a 20-byte secret becomes 32 characters). */
export function base32Encode(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes Base32, ignoring case, padding, spaces and any other non-alphabet character. */
export function base32Decode(text: string): Uint8Array {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of text.toUpperCase()) {
    const i = ALPHABET.indexOf(ch);
    if (i < 0) continue;
    value = ((value << 5) | i) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}

/** A new random 160-bit secret, Base32-encoded (what authenticator apps expect). */
export function generateTotpSecret(): string {
  return base32Encode(crypto.getRandomValues(new Uint8Array(20)));
}

export type HashName = "SHA-1" | "SHA-256" | "SHA-512";

/** HOTP value for one counter: HMAC, dynamic truncation, `digits` decimal digits with leading zeros. */
export async function hotp(
  key: Uint8Array,
  counter: number,
  digits = TOTP_DIGITS,
  hash: HashName = "SHA-1",
): Promise<string> {
  const msg = new Uint8Array(8);
  new DataView(msg.buffer).setBigUint64(0, BigInt(counter));
  const k = await crypto.subtle.importKey("raw", key as BufferSource, { name: "HMAC", hash }, false, [
    "sign",
  ]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", k, msg));
  const off = mac[mac.length - 1] & 0x0f;
  const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
  return String(bin % 10 ** digits).padStart(digits, "0");
}

/** The 30 s time step that contains `ms` (Unix epoch milliseconds). */
export const totpStep = (ms: number) => Math.floor(ms / 1000 / TOTP_PERIOD_S);

/** The TOTP code of a Base32 secret at a given time. */
export function totpAt(secret: string, ms: number, digits = TOTP_DIGITS, hash: HashName = "SHA-1") {
  return hotp(base32Decode(secret), totpStep(ms), digits, hash);
}

/**
 * Checks a 6-digit code against the current step and ±1 step. Returns the matched step, or null.
 * Steps at or below `lastStep` are never accepted (replay protection: store the returned step).
 */
export async function verifyTotp(
  secret: string,
  code: unknown,
  ms: number,
  lastStep: number | null = null,
): Promise<number | null> {
  if (typeof code !== "string" || !/^[0-9]{6}$/.test(code)) return null;
  const key = base32Decode(secret);
  const now = totpStep(ms);
  let matched: number | null = null;
  // Every candidate is computed and compared, so timing does not tell which step matched.
  for (const step of [now - 1, now, now + 1]) {
    const expected = await hotp(key, step);
    let diff = 0;
    for (let i = 0; i < TOTP_DIGITS; i++) diff |= expected.charCodeAt(i) ^ code.charCodeAt(i);
    if (diff === 0 && (lastStep === null || step > lastStep) && matched === null) matched = step;
  }
  return matched;
}

/** The otpauth:// URI authenticator apps scan (issuer TAGUATO-SEND, label TAGUATO-SEND:<username>). */
export function otpauthUri(username: string, secret: string): string {
  const label = encodeURIComponent(`TAGUATO-SEND:${username}`);
  return `otpauth://totp/${label}?secret=${secret}&issuer=TAGUATO-SEND&algorithm=SHA1&digits=6&period=30`;
}
