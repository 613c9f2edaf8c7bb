import { hash, verify } from "@node-rs/argon2";

/** Upper bound on accepted passwords: long enough for any passphrase, short enough to hash cheaply. */
export const MAX_PASSWORD_LENGTH = 256;

/** Hashes a password with argon2id (library defaults: 19 MiB, t=2, p=1, the OWASP baseline). */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** True when `password` matches the argon2 PHC string; false for a wrong password or a malformed hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * The password policy of contract §2.5, checked in its order, plus a maximum length.
 * Returns the first violated rule's message, or null when the password is acceptable.
 */
export function passwordPolicyError(password: unknown): string | null {
  if (typeof password !== "string") return "Password is required";
  // Bytes, as TAGUATO-SEND measured: 8 bytes of UTF-8 minimum.
  if (new TextEncoder().encode(password).length < 8) return "Password must be at least 8 characters";
  if ([...password].length > MAX_PASSWORD_LENGTH) {
    return `Password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  }
  if (!/[A-Z]/.test(password)) return "Password must contain at least one uppercase letter";
  if (!/[a-z]/.test(password)) return "Password must contain at least one lowercase letter";
  if (!/[0-9]/.test(password)) return "Password must contain at least one number";
  return null;
}

let dummy: Promise<string> | undefined;

/**
 * A hash of a random password, made once per process: login verifies unknown usernames against it so
 * they take as long as known ones.
 */
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(crypto.randomUUID());
  return dummy;
}
