import { createHash } from "node:crypto";

const encoder = new TextEncoder();

/** Lowercase hex of some bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** A 256-bit random credential (session token, API key, reset token): 64 lowercase hex characters. */
export function randomToken(): string {
  return toHex(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * Lowercase hex SHA-256 of a UTF-8 string: how every token is stored and looked up. Hashed in place
 * (node:crypto) rather than with crypto.subtle, whose every digest is a trip through a worker thread: this
 * runs on every authenticated request and every engine event.
 */
export function sha256Hex(text: string): Promise<string> {
  return Promise.resolve(createHash("sha256").update(text, "utf8").digest("hex"));
}

/**
 * Compares two strings in time that depends only on their lengths, so a mismatch position leaks nothing.
 * Different lengths return false (the length of a code or hash is never the secret).
 */
export function timingSafeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  if (x.length !== y.length) return false;
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}
