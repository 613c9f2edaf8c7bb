// Delivery of tenant webhooks: claim due rows with FOR UPDATE SKIP LOCKED (any number of replicas), POST
// the stored body signed `X-Taguato-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, keep
// every attempt, retry non-2xx answers and timeouts on the configured schedule.
import {
  type AppDeps,
  checkWebhookUrl,
  openSecret,
  resolvePublicAddresses,
  toHex,
  VERSION,
} from "../core/mod.ts";
import { deliveryErrorText, pinnedPost } from "./transport.ts";
import { inKeyInstances, type KeyInstances, SECRET_PURPOSE } from "./webhooks.ts";

interface Claimed {
  id: number;
  event: string;
  body: string;
  attempt_count: number;
  webhook_url: string;
  secret_enc: string | null;
  is_active: boolean;
}

interface Outcome {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

const enc = new TextEncoder();

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the webhook secret>`. */
export async function signatureHeader(secret: string, body: string, unixSeconds: number): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "sign",
    ],
  );
  const mac = await crypto.subtle.sign("HMAC", key, enc.encode(`${unixSeconds}.${body}`));
  return `t=${unixSeconds},v1=${toHex(new Uint8Array(mac))}`;
}

/**
 * Attempts every due delivery once (up to `limit`); returns how many were attempted. Safe to run on every
 * replica at once: a claimed row's due time moves past the attempt's timeout (a lease), so a replica that
 * dies mid-attempt only delays it.
 */
export async function dispatchDueDeliveries(deps: AppDeps, limit = 20): Promise<number> {
  const leaseSeconds = deps.config.webhookTimeoutMs / 1000 + 30;
  const claimed = await deps.sql<Claimed[]>`
    WITH due AS (
      SELECT id FROM taguato.webhook_deliveries
      WHERE status = 'pending' AND next_attempt_at <= now()
      ORDER BY next_attempt_at, id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE taguato.webhook_deliveries AS d
    SET attempt_count = d.attempt_count + 1, updated_at = now(),
      next_attempt_at = now() + make_interval(secs => ${leaseSeconds})
    FROM due, taguato.user_webhooks AS w
    WHERE d.id = due.id AND w.id = d.webhook_id
    RETURNING d.id, d.event, d.body, d.attempt_count, w.webhook_url, w.secret_enc, w.is_active`;
  await Promise.all(claimed.map(async (d) => await finish(deps, d, await attempt(deps, d))));
  return claimed.length;
}

async function attempt(deps: AppDeps, d: Claimed): Promise<Outcome> {
  const started = performance.now();
  const done = (statusCode: number | null, error: string | null): Outcome => ({
    statusCode,
    error,
    durationMs: Math.round(performance.now() - started),
  });
  if (!d.is_active) return done(null, "webhook is inactive");
  try {
    const allowPrivate = deps.config.webhookAllowPrivate;
    const problem = checkWebhookUrl(d.webhook_url, allowPrivate);
    if (problem) return done(null, problem === "webhook_url_private" ? "blocked address" : "invalid URL");
    const url = new URL(d.webhook_url);
    // The addresses are checked now, at delivery time (the DNS may have changed since the URL was set), and
    // the connection is pinned to them.
    let addresses: string[] | null = null;
    if (!allowPrivate) {
      const checked = await resolvePublicAddresses(url.hostname, deps.config.webhookDnsServer);
      if (checked === "blocked") return done(null, "blocked address");
      if (checked === "unresolvable") return done(null, "unresolvable host");
      addresses = checked;
    }
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": `TAGUATO-SEND-Webhooks/${VERSION}`,
      "x-taguato-event": d.event,
      "x-taguato-delivery": String(d.id),
    };
    if (d.secret_enc) {
      const secret = await openSecret(deps, SECRET_PURPOSE, d.secret_enc);
      headers["x-taguato-signature"] = await signatureHeader(
        secret,
        d.body,
        Math.floor(deps.clock.now() / 1000),
      );
    }
    // A redirect could lead anywhere, including private addresses: it is never followed, and counts as a
    // failed attempt.
    const status = await pinnedPost(url, {
      headers,
      body: d.body,
      addresses,
      timeoutMs: deps.config.webhookTimeoutMs,
    });
    return done(status, status >= 200 && status < 300 ? null : `HTTP ${status}`);
  } catch (err) {
    return done(null, deliveryErrorText(err));
  }
}

/** Records the attempt and either ends the delivery or schedules the next try. */
async function finish(deps: AppDeps, d: Claimed, o: Outcome): Promise<void> {
  const ok = o.statusCode !== null && o.statusCode >= 200 && o.statusCode < 300;
  const delays = deps.config.webhookRetryDelaysMs;
  const retryIn = !ok && d.is_active && d.attempt_count <= delays.length ? delays[d.attempt_count - 1] : null;
  const status = ok ? "succeeded" : retryIn === null ? "failed" : "pending";
  await deps.sql.begin(async (tx) => {
    const [row] = await tx<{ next_attempt_at: Date | null }[]>`
      UPDATE taguato.webhook_deliveries SET status = ${status}, updated_at = now(),
        last_status_code = ${o.statusCode}, last_error = ${o.error},
        next_attempt_at = CASE WHEN ${retryIn === null} THEN NULL
          ELSE now() + make_interval(secs => ${(retryIn ?? 0) / 1000}) END
      WHERE id = ${d.id}
      RETURNING next_attempt_at`;
    if (!row) return; // deleted with its webhook meanwhile
    await tx`
      INSERT INTO taguato.webhook_delivery_attempts
        (delivery_id, attempt, status_code, error, duration_ms, next_attempt_at)
      VALUES (${d.id}, ${d.attempt_count}, ${o.statusCode}, ${o.error}, ${o.durationMs}, ${row.next_attempt_at})`;
  });
}

/** A delivery with every attempt, as the delivery log shows it. */
export interface DeliveryRow {
  id: number;
  event: string;
  status: string;
  attempt_count: number;
  next_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  redelivery_of: number | null;
  created_at: Date;
  updated_at: Date;
  attempts: unknown[];
}

/** One page of a webhook's delivery log, newest first, each with its attempts, and the total. */
export async function listDeliveries(
  sql: AppDeps["sql"],
  webhookId: number,
  limit: number,
  offset: number,
): Promise<{ deliveries: DeliveryRow[]; total: number }> {
  const [{ total }] = await sql<{ total: number }[]>`
    SELECT count(*)::int AS total FROM taguato.webhook_deliveries WHERE webhook_id = ${webhookId}`;
  const deliveries = await sql<DeliveryRow[]>`
    SELECT d.id, d.event, d.status, d.attempt_count, d.next_attempt_at, d.last_status_code, d.last_error,
      d.redelivery_of, d.created_at, d.updated_at,
      COALESCE((
        SELECT json_agg(json_build_object(
          'attempt', a.attempt, 'status_code', a.status_code, 'error', a.error, 'duration_ms', a.duration_ms,
          'next_attempt_at', a.next_attempt_at, 'created_at', a.created_at) ORDER BY a.attempt)
        FROM taguato.webhook_delivery_attempts AS a WHERE a.delivery_id = d.id
      ), '[]'::json) AS attempts
    FROM taguato.webhook_deliveries AS d
    WHERE d.webhook_id = ${webhookId}
    ORDER BY d.id DESC
    LIMIT ${limit} OFFSET ${offset}`;
  return { deliveries, total };
}

/**
 * Queues a new delivery with the same body as one of `userId`'s deliveries (on the key's instances); null
 * when not theirs.
 */
export async function redeliver(
  deps: AppDeps,
  userId: number,
  webhookId: number,
  deliveryId: number,
  instances: KeyInstances = null,
): Promise<{ id: number } | null> {
  const [row] = await deps.sql<{ id: number }[]>`
    INSERT INTO taguato.webhook_deliveries (webhook_id, event, body, next_attempt_at, redelivery_of)
    SELECT d.webhook_id, d.event, d.body, now(), d.id
    FROM taguato.webhook_deliveries AS d JOIN taguato.user_webhooks AS w ON w.id = d.webhook_id
    WHERE d.id = ${deliveryId} AND d.webhook_id = ${webhookId} AND w.user_id = ${userId}
      ${inKeyInstances(deps.sql, instances, "w.instance_name")}
    RETURNING id`;
  return row ?? null;
}
