/**
 * API keys: long-lived named credentials (`tg_` + 64 hex) stored only as SHA-256 hashes. Resolving a key
 * on a request is the credential layer's job (lib/auth/credentials.ts); this module creates and lists them.
 */
import { randomToken, sha256Hex, type Sql } from "../core/mod.ts";
import type { Db } from "./users.ts";
import type { ApiKeyScope } from "../auth/mod.ts";

export const MAX_ACTIVE_KEYS = 25;
export const KEY_PREFIX_LENGTH = 10;

export interface ApiKeyRow {
  id: number;
  name: string;
  key_prefix: string;
  scope: ApiKeyScope;
  instance_names: string[] | null;
  expires_at: Date | null;
  last_used_at: Date | null;
  last_used_ip: string | null;
  revoked_at: Date | null;
  created_at: Date;
}

/** A fresh key: `tg_` + 256 random bits in hex; the first 10 characters are its visible prefix. */
export function generateApiKey(): { key: string; prefix: string } {
  const key = `tg_${randomToken()}`;
  return { key, prefix: key.slice(0, KEY_PREFIX_LENGTH) };
}

/** "active", "expired" or "revoked", as of `now`. */
export function keyStatus(k: Pick<ApiKeyRow, "revoked_at" | "expires_at">, now: number) {
  if (k.revoked_at) return "revoked" as const;
  if (k.expires_at && k.expires_at.getTime() <= now) return "expired" as const;
  return "active" as const;
}

const columns = (sql: Db) =>
  sql`id, name, key_prefix, scope, instance_names, expires_at, last_used_at, last_used_ip, revoked_at,
      created_at`;

/** Every key of a user (revoked and expired ones included), newest first. Never the key itself. */
export function listApiKeys(sql: Sql, userId: number) {
  return sql<ApiKeyRow[]>`
    SELECT ${columns(sql)} FROM taguato.api_keys WHERE user_id = ${userId} ORDER BY created_at DESC, id DESC`;
}

export async function findApiKey(sql: Sql, userId: number, id: number): Promise<ApiKeyRow | null> {
  const [row] = await sql<ApiKeyRow[]>`
    SELECT ${columns(sql)} FROM taguato.api_keys WHERE id = ${id} AND user_id = ${userId}`;
  return row ?? null;
}

/**
 * Stores a new key unless the user already has MAX_ACTIVE_KEYS active ones (checked under a lock on the
 * user's row, so concurrent requests cannot overshoot). Returns null when the limit is reached.
 */
export async function createApiKey(
  sql: Sql,
  input: {
    userId: number;
    name: string;
    scope: ApiKeyScope;
    instanceNames: string[] | null;
    expiresAt: Date | null;
    now: Date;
  },
): Promise<{ row: ApiKeyRow; key: string } | null> {
  const { key, prefix } = generateApiKey();
  const keyHash = await sha256Hex(key);
  return await sql.begin(async (tx) => {
    await tx`SELECT 1 FROM taguato.users WHERE id = ${input.userId} FOR UPDATE`;
    const [{ active }] = await tx<{ active: number }[]>`
      SELECT count(*)::int AS active FROM taguato.api_keys
      WHERE user_id = ${input.userId} AND revoked_at IS NULL
        AND (expires_at IS NULL OR expires_at > ${input.now})`;
    if (active >= MAX_ACTIVE_KEYS) return null;
    const [row] = await tx<ApiKeyRow[]>`
      INSERT INTO taguato.api_keys (user_id, name, key_hash, key_prefix, scope, instance_names, expires_at,
                                    created_at)
      VALUES (${input.userId}, ${input.name}, ${keyHash}, ${prefix}, ${input.scope},
              ${input.instanceNames === null ? null : tx.array(input.instanceNames)}, ${input.expiresAt},
              ${input.now})
      RETURNING ${columns(tx)}`;
    return { row, key };
  });
}
