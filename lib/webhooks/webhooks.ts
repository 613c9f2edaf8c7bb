// Tenant webhooks: the gateway delivers them itself (signed, retried, logged), so the engine keeps exactly
// one webhook per instance, the gateway's own. Queries for /api/webhooks and the fan-out of engine events.
import {
  type AppDeps,
  type ErrorCode,
  type ErrorParams,
  randomToken,
  sealSecret,
  type Sql,
} from "../core/mod.ts";
import { configEventName, ENGINE_EVENTS, type EngineEnvelope } from "../gateway/mod.ts";

/** The only values `events` accepts: the engine's v2 event names. */
export const WEBHOOK_EVENTS = ENGINE_EVENTS;
const ALLOWED = new Set<string>(WEBHOOK_EVENTS);

export const SECRET_PURPOSE = "webhook-secret";

/** The 400 error (code and params) for an events value, or null when it is a list of v2 event names. */
export function eventsProblem(events: unknown): { code: ErrorCode; params?: ErrorParams } | null {
  if (!Array.isArray(events)) return { code: "webhook_events_not_array" };
  for (const ev of events) {
    if (typeof ev !== "string" || !ALLOWED.has(ev)) {
      return { code: "webhook_event_invalid", params: { event: String(ev) } };
    }
  }
  return null;
}

export interface WebhookRow {
  id: number;
  user_id: number;
  instance_name: string;
  webhook_url: string;
  events: string[];
  is_active: boolean;
  retry_count: number;
  created_at: Date;
  updated_at: Date;
}

/** A webhook as the API and the panel show it (never its secret). */
export const webhookView = (w: WebhookRow) => ({
  id: w.id,
  instance_name: w.instance_name,
  webhook_url: w.webhook_url,
  events: w.events,
  is_active: w.is_active,
  created_at: w.created_at,
  updated_at: w.updated_at,
});

/** A fresh signing secret and its sealed (AES-256-GCM) form for the database. */
export async function newWebhookSecret(deps: AppDeps): Promise<{ secret: string; sealed: string }> {
  const secret = `whsec_${randomToken()}`;
  return { secret, sealed: await sealSecret(deps, SECRET_PURPOSE, secret) };
}

/**
 * The instances an API key is limited to (`c.var.apiKey?.instanceNames`); null or undefined = no limit.
 * A webhook on an instance outside the list is treated as someone else's: not listed, "not found".
 */
export type KeyInstances = readonly string[] | null | undefined;

/** The SQL condition that keeps rows on the key's instances (`column` names the instance column). */
export const inKeyInstances = (sql: Sql, instances: KeyInstances, column = "instance_name") =>
  instances ? sql`AND ${sql(column)} = ANY (${instances as string[]})` : sql``;

/** The user's webhooks, newest first (GET /api/webhooks and the panel's webhooks page). */
export async function listWebhooks(
  sql: Sql,
  userId: number,
  instances: KeyInstances = null,
): Promise<WebhookRow[]> {
  return await sql<WebhookRow[]>`
    SELECT id, user_id, instance_name, webhook_url, events, is_active, retry_count, created_at, updated_at
    FROM taguato.user_webhooks WHERE user_id = ${userId} ${inKeyInstances(sql, instances)}
    ORDER BY created_at DESC, id DESC`;
}

/** One of `userId`'s webhooks, or null (someone else's id is "not found", never "forbidden"). */
export async function findWebhook(
  sql: Sql,
  userId: number,
  id: number,
  instances: KeyInstances = null,
): Promise<WebhookRow | null> {
  const [row] = await sql<WebhookRow[]>`
    SELECT id, user_id, instance_name, webhook_url, events, is_active, retry_count, created_at, updated_at
    FROM taguato.user_webhooks WHERE id = ${id} AND user_id = ${userId} ${inKeyInstances(sql, instances)}`;
  return row ?? null;
}

/** Inserts a webhook (events deduplicated); null when the instance already has one (unique violation). */
export async function createWebhook(
  sql: Sql,
  w: { userId: number; instanceName: string; url: string; events: string[]; sealedSecret: string },
): Promise<WebhookRow | null> {
  try {
    const [row] = await sql<WebhookRow[]>`
      INSERT INTO taguato.user_webhooks (user_id, instance_name, webhook_url, events, secret_enc)
      VALUES (${w.userId}, ${w.instanceName}, ${w.url}, ${[...new Set(w.events)]}, ${w.sealedSecret})
      RETURNING id, user_id, instance_name, webhook_url, events, is_active, retry_count, created_at, updated_at`;
    return row;
  } catch (err) {
    if ((err as { code?: string }).code === "23505") return null;
    throw err;
  }
}

/**
 * Changes the given fields of the user's webhook (null = unchanged); re-activating it resets its retry
 * count. Null when it is not theirs.
 */
export async function updateWebhook(
  sql: Sql,
  userId: number,
  id: number,
  f: { url: string | null; events: string[] | null; active: boolean | undefined },
  instances: KeyInstances = null,
): Promise<WebhookRow | null> {
  const [row] = await sql<WebhookRow[]>`
    UPDATE taguato.user_webhooks SET
      webhook_url = COALESCE(${f.url}, webhook_url),
      events = COALESCE(${f.events}::text[], events),
      is_active = COALESCE(${f.active ?? null}, is_active),
      retry_count = CASE WHEN ${f.active === true} THEN 0 ELSE retry_count END,
      updated_at = now()
    WHERE id = ${id} AND user_id = ${userId} ${inKeyInstances(sql, instances)}
    RETURNING id, user_id, instance_name, webhook_url, events, is_active, retry_count, created_at, updated_at`;
  return row ?? null;
}

/** Deletes the user's webhook (its deliveries cascade); its id and instance, or null when not theirs. */
export async function deleteWebhook(
  sql: Sql,
  userId: number,
  id: number,
  instances: KeyInstances = null,
): Promise<{ id: number; instance_name: string } | null> {
  const [row] = await sql<{ id: number; instance_name: string }[]>`
    DELETE FROM taguato.user_webhooks WHERE id = ${id} AND user_id = ${userId} ${
    inKeyInstances(sql, instances)
  }
    RETURNING id, instance_name`;
  return row ?? null;
}

/** Stores a new sealed signing secret on the user's webhook; its id, or null when not theirs. */
export async function replaceWebhookSecret(
  sql: Sql,
  userId: number,
  id: number,
  sealedSecret: string,
  instances: KeyInstances = null,
): Promise<{ id: number } | null> {
  const [row] = await sql<{ id: number }[]>`
    UPDATE taguato.user_webhooks SET secret_enc = ${sealedSecret}, updated_at = now()
    WHERE id = ${id} AND user_id = ${userId} ${inKeyInstances(sql, instances)}
    RETURNING id`;
  return row ?? null;
}

/**
 * Whether `userId` owns `instanceName` (admins pass for any registered instance, as in the contract).
 * Deliberately not reachableBy: a grantee may use an instance but not attach webhooks to it.
 */
export async function canUseInstance(
  sql: Sql,
  user: { id: number; role: string },
  instanceName: string,
): Promise<boolean> {
  const [row] = await sql<{ ok: boolean }[]>`
    SELECT (user_id = ${user.id} OR ${user.role === "admin"}) AS ok
    FROM taguato.user_instances WHERE instance_name = ${instanceName} AND NOT pending`;
  return row?.ok ?? false;
}

/** Events the instance's active tenant webhooks subscribe to; null when one of them takes every event. */
export async function subscribedEvents(sql: Sql, instanceName: string): Promise<string[] | null> {
  const rows = await sql<{ events: string[] }[]>`
    SELECT events FROM taguato.user_webhooks WHERE instance_name = ${instanceName} AND is_active`;
  if (rows.some((r) => r.events.length === 0)) return null;
  return [...new Set(rows.flatMap((r) => r.events))];
}

/**
 * Queues one delivery per active webhook of the instance that takes this event (`events: []` = all), with
 * the v2 envelope minus what only the gateway may see (the engine's `destination` holds our path token,
 * `apikey` an instance token, `server_url` the engine's internal address). Returns how many were queued.
 */
export async function enqueueDeliveries(deps: AppDeps, env: EngineEnvelope): Promise<number> {
  const name = configEventName(env.event);
  const body = JSON.stringify({
    event: env.event,
    instance: env.instance,
    data: env.data ?? null,
    date_time: env.date_time ?? new Date(deps.clock.now()).toISOString(),
    ...(env.sender ? { sender: env.sender } : {}),
    ...(deps.config.publicUrl ? { server_url: deps.config.publicUrl } : {}),
  });
  const rows = await deps.sql`
    INSERT INTO taguato.webhook_deliveries (webhook_id, event, body, next_attempt_at)
    SELECT id, ${env.event}, ${body}, now() FROM taguato.user_webhooks
    WHERE instance_name = ${env.instance} AND is_active
      AND (cardinality(events) = 0 OR ${name} = ANY (events))`;
  return rows.count;
}

/**
 * Queues a gateway event about the tenant's account (e.g. `quota.warning`) to each of their active
 * webhooks whatever it subscribes to (engine event names cannot select it), once per distinct URL; the
 * envelope's `instance` is the webhook's own. Returns how many were queued.
 */
export async function enqueueTenantEvent(
  deps: AppDeps,
  userId: number,
  event: string,
  data: Record<string, unknown>,
): Promise<number> {
  const dateTime = new Date(deps.clock.now()).toISOString();
  const rows = await deps.sql`
    INSERT INTO taguato.webhook_deliveries (webhook_id, event, body, next_attempt_at)
    SELECT DISTINCT ON (webhook_url) id, ${event},
      json_build_object('event', ${event}::text, 'instance', instance_name, 'data', ${
    deps.sql.json(data as never)
  }::jsonb,
        'date_time', ${dateTime}::text)::text,
      now()
    FROM taguato.user_webhooks WHERE user_id = ${userId} AND is_active
    ORDER BY webhook_url, id`;
  return rows.count;
}
