// Idempotent sends (issue 9 item 7): a request with an `Idempotency-Key` header is answered once. The same
// key from the same user within 24 h gets the first answer (status and body) and sends nothing; the key
// with another request (method, path or body) is a 409; a duplicate that arrives while the first is still
// running waits for its answer (409 if it takes too long), never a second send. The row in
// taguato.idempotency_keys is the lock (INSERT … ON CONFLICT), so it holds across replicas.
import type { MiddlewareHandler } from "hono";
import type { AppDeps, AuthEnv } from "../core/mod.ts";
import { fail } from "../core/mod.ts";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const KEY_RE = /^[\x21-\x7e]{1,255}$/;
const WAIT_MS = 10_000;
const POLL_MS = 50;
// Answers that say nothing happened and invite a retry: the key is released instead of remembered.
const RETRYABLE = new Set([429, 503]);

interface KeyRow {
  id: number;
  request_hash: string;
  state: "in_progress" | "done";
  response_status: number | null;
  response_type: string | null;
  response_body: string | null;
  created_at: Date;
}

type Claim = { kind: "claimed"; id: number } | { kind: "replay"; row: KeyRow };

async function requestHash(method: string, url: URL, body: Uint8Array): Promise<string> {
  const head = new TextEncoder().encode(`${method}\n${url.pathname}${url.search}\n`);
  const all = new Uint8Array(head.length + body.length);
  all.set(head);
  all.set(body, head.length);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Takes the key, or finds the answer to replay; waits while another request holds it. */
async function claimKey(deps: AppDeps, userId: number, key: string, hash: string): Promise<Claim> {
  const giveUp = Date.now() + WAIT_MS;
  for (;;) {
    const now = deps.clock.now();
    const [inserted] = await deps.sql<{ id: number }[]>`
      INSERT INTO taguato.idempotency_keys (user_id, idempotency_key, request_hash, created_at)
      VALUES (${userId}, ${key}, ${hash}, ${new Date(now)})
      ON CONFLICT (user_id, idempotency_key) DO NOTHING
      RETURNING id`;
    if (inserted) return { kind: "claimed", id: inserted.id };
    const [row] = await deps.sql<KeyRow[]>`
      SELECT id, request_hash, state, response_status, response_type, response_body, created_at
      FROM taguato.idempotency_keys WHERE user_id = ${userId} AND idempotency_key = ${key}`;
    if (!row) continue; // released or purged meanwhile: try to take it again
    if (row.created_at.getTime() <= now - IDEMPOTENCY_TTL_MS) {
      // Older than 24 h: the key is free again (the DELETE is conditional, so only one taker wins).
      await deps.sql`
        DELETE FROM taguato.idempotency_keys WHERE id = ${row.id} AND created_at = ${row.created_at}`;
      continue;
    }
    if (row.request_hash !== hash) throw fail("idempotency_key_reused");
    if (row.state === "done") return { kind: "replay", row };
    if (Date.now() >= giveUp) throw fail("idempotency_in_progress");
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/**
 * Middleware (after authentication) that makes the route idempotent for requests carrying the header;
 * `applies` narrows it to some paths of a router (e.g. the engine's send routes).
 */
export function idempotent(
  deps: AppDeps,
  applies: (path: string) => boolean = () => true,
): MiddlewareHandler<AuthEnv> {
  return async function idempotent(c, next) {
    const key = c.req.header("idempotency-key");
    if (key === undefined || !applies(c.req.path)) return await next();
    if (!KEY_RE.test(key)) throw fail("idempotency_key_invalid");
    const body = c.req.raw.body ? new Uint8Array(await c.req.arrayBuffer()) : new Uint8Array();
    const hash = await requestHash(c.req.method, new URL(c.req.url), body);
    const claim = await claimKey(deps, c.var.user.id, key, hash);
    if (claim.kind === "replay") {
      const { response_status, response_type, response_body } = claim.row;
      return new Response(response_body, {
        status: response_status!,
        headers: { "content-type": response_type ?? "application/json", "idempotent-replayed": "true" },
      });
    }
    try {
      await next();
    } catch (err) {
      await releaseKey(deps, claim.id);
      throw err;
    }
    if (RETRYABLE.has(c.res.status)) return await releaseKey(deps, claim.id);
    const text = await c.res.clone().text();
    await deps.sql`
      UPDATE taguato.idempotency_keys
      SET state = 'done', response_status = ${c.res.status},
        response_type = ${c.res.headers.get("content-type")?.slice(0, 255) ?? null}, response_body = ${text}
      WHERE id = ${claim.id}`;
  };
}

async function releaseKey(deps: AppDeps, id: number): Promise<void> {
  await deps.sql`DELETE FROM taguato.idempotency_keys WHERE id = ${id} AND state = 'in_progress'`;
}

/** `message/send*` under any case, the engine routes the gateway sends through. */
export const isSendPath = (path: string) => /^\/message\/send[^/]*\//i.test(path);

/** Deletes keys older than 24 h; returns how many. The cleanup worker calls it. */
export async function purgeIdempotencyKeys(deps: Pick<AppDeps, "sql" | "clock">): Promise<number> {
  const rows = await deps.sql`
    DELETE FROM taguato.idempotency_keys
    WHERE created_at <= ${new Date(deps.clock.now() - IDEMPOTENCY_TTL_MS)} RETURNING 1`;
  return rows.length;
}
