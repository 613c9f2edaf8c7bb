// Authenticated encryption (AES-256-GCM) and keyed digests for secrets the gateway must store: TOTP
// secrets, pending 2FA setups, one-time codes. Keys are derived with HKDF-SHA-256 from the key material:
//   1. APP_SECRET when configured (the key then never touches the database), else
//   2. the installation's random row in taguato.app_secrets (migration 0007), shared by every replica.
// Sealing always uses the first available; opening and digest lookups try every available key, so
// setting APP_SECRET later does not strand values sealed under the database row.
import type { AppDeps } from "./app_env.ts";
import { toHex } from "./tokens.ts";

type Deps = Pick<AppDeps, "config" | "sql">;

/** Raised when a sealed value is malformed or was sealed under another key or purpose. */
export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretBoxError";
  }
}

const enc = new TextEncoder();
const SALT = enc.encode("taguato-send/secret-box/v1");
const dbSecrets = new WeakMap<object, Promise<Uint8Array>>();

async function databaseSecret(sql: Deps["sql"]): Promise<Uint8Array> {
  // Idempotent: the migration normally created the row; this covers a database restored without it.
  await sql`
    INSERT INTO taguato.app_secrets (name, value) VALUES ('master', gen_random_bytes(32))
    ON CONFLICT (name) DO NOTHING`;
  const [row] = await sql<{ value: Uint8Array }[]>`
    SELECT value FROM taguato.app_secrets WHERE name = 'master'`;
  return new Uint8Array(row.value);
}

/** The key materials, preferred first. The database row is read once per connection pool. */
async function materials(deps: Deps): Promise<Uint8Array[]> {
  let fromDb = dbSecrets.get(deps.sql);
  if (!fromDb) {
    fromDb = databaseSecret(deps.sql);
    fromDb.catch(() => dbSecrets.delete(deps.sql));
    dbSecrets.set(deps.sql, fromDb);
  }
  const out: Uint8Array[] = deps.config.appSecret ? [enc.encode(deps.config.appSecret)] : [];
  out.push(await fromDb);
  return out;
}

// Derived keys per material, usage and purpose: HKDF runs once per process, not on every engine event.
const derived = new Map<string, Promise<CryptoKey>>();

function derive(ikm: Uint8Array, purpose: string, usage: "aes" | "hmac"): Promise<CryptoKey> {
  const id = `${toHex(ikm)}|${usage}:${purpose}`;
  let key = derived.get(id);
  if (!key) {
    key = deriveNow(ikm, purpose, usage);
    key.catch(() => derived.delete(id));
    derived.set(id, key);
  }
  return key;
}

async function deriveNow(ikm: Uint8Array, purpose: string, usage: "aes" | "hmac"): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey("raw", ikm as BufferSource, "HKDF", false, ["deriveKey"]);
  const params = { name: "HKDF", hash: "SHA-256", salt: SALT, info: enc.encode(`${usage}:${purpose}`) };
  return usage === "aes"
    ? await crypto.subtle.deriveKey(params, base, { name: "AES-GCM", length: 256 }, false, [
      "encrypt",
      "decrypt",
    ])
    : await crypto.subtle.deriveKey(params, base, { name: "HMAC", hash: "SHA-256", length: 256 }, false, [
      "sign",
    ]);
}

const b64url = (b: Uint8Array) =>
  btoa(String.fromCharCode(...b)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
const unb64url = (s: string) =>
  Uint8Array.from(atob(s.replaceAll("-", "+").replaceAll("_", "/")), (ch) => ch.charCodeAt(0));

/**
 * Encrypts `plaintext` for one `purpose` (e.g. "totp"): `v1.<iv>.<ciphertext+tag>`, base64url. The purpose
 * is both key-derivation info and associated data, so a value cannot be replayed under another purpose.
 */
export async function sealSecret(deps: Deps, purpose: string, plaintext: string): Promise<string> {
  const [ikm] = await materials(deps);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: enc.encode(purpose) },
    await derive(ikm, purpose, "aes"),
    enc.encode(plaintext),
  );
  return `v1.${b64url(iv)}.${b64url(new Uint8Array(ct))}`;
}

/** Decrypts a value made by sealSecret for the same purpose; throws SecretBoxError otherwise. */
export async function openSecret(deps: Deps, purpose: string, sealed: string): Promise<string> {
  const parts = sealed.split(".");
  if (parts.length !== 3 || parts[0] !== "v1") throw new SecretBoxError("not a sealed secret");
  let iv: Uint8Array, ct: Uint8Array;
  try {
    [iv, ct] = [unb64url(parts[1]), unb64url(parts[2])];
  } catch {
    throw new SecretBoxError("not a sealed secret");
  }
  for (const ikm of await materials(deps)) {
    try {
      const pt = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: iv as BufferSource, additionalData: enc.encode(purpose) },
        await derive(ikm, purpose, "aes"),
        ct as BufferSource,
      );
      return new TextDecoder().decode(pt);
    } catch {
      // Wrong key (or tampered data): GCM authentication fails; try the next key.
    }
  }
  throw new SecretBoxError("sealed secret does not open with any available key");
}

/** Hex HMAC-SHA-256 of `text` under the preferred key: the stored digest of a one-time code. */
export async function keyedDigest(deps: Deps, purpose: string, text: string): Promise<string> {
  return (await keyedDigests(deps, purpose, text))[0];
}

/** The digest of `text` under every available key, preferred first: match stored digests against all. */
export async function keyedDigests(deps: Deps, purpose: string, text: string): Promise<string[]> {
  const out: string[] = [];
  for (const ikm of await materials(deps)) {
    const mac = await crypto.subtle.sign("HMAC", await derive(ikm, purpose, "hmac"), enc.encode(text));
    out.push(toHex(new Uint8Array(mac)));
  }
  return out;
}
