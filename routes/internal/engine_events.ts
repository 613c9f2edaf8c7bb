// POST /internal/engine-events/{token}: the engine's webhook target. The path token is an HMAC of the
// instance's name and nonce under a deployment key, recorded (by hash) when the gateway registers the
// engine webhook; so only an engine the gateway configured can post, a token for one instance cannot post
// another's events, and the body of an unknown caller is never read. Anything else is a plain 404.
import { Hono } from "hono";
import { type AppDeps, type AppEnv, fail, readBody } from "../../lib/core/mod.ts";
import { EngineEnvelopeSchema, engineEventsInstance, ingestEngineEvent } from "../../lib/gateway/mod.ts";
import { kickWebhookDispatcher } from "../../workers/webhook_dispatch.ts";
import { enqueueDeliveries } from "../../lib/webhooks/mod.ts";

/** The engine events ingest route (mounted at ENGINE_EVENTS_PATH, /internal/engine-events). */
export function engineEventRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post("/:token{[0-9a-f]{64}}", async (c) => {
    const instance = await engineEventsInstance(deps, c.req.param("token"));
    if (instance === null) throw fail("not_found");
    await readBody(c);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw fail("not_found");
    }
    const env = EngineEnvelopeSchema.safeParse(body);
    if (!env.success || env.data.instance !== instance.name) throw fail("not_found");
    // Ledger first, then fan-out: a failure answers 500 and the engine retries; both steps are idempotent
    // for the ledger, and a retried fan-out at worst repeats a delivery (receivers dedupe on the envelope).
    // The owner and whether any webhook listens came with the token lookup (one round trip per event).
    await ingestEngineEvent(deps, env.data, instance.owner);
    if (instance.hasWebhooks && await enqueueDeliveries(deps, env.data) > 0) kickWebhookDispatcher(deps);
    return c.json({ received: true });
  });

  return app;
}
