// POST /internal/engine-events/{token}: the engine's webhook target. The path token is an HMAC of the
// envelope's instance name under a deployment key, so only an engine the gateway configured can post, and a
// token for one instance cannot post another's events. Anything else is a plain 404.
import { Hono } from "hono";
import { type AppDeps, type AppEnv, fail } from "../../lib/core/mod.ts";
import { EngineEnvelopeSchema, ingestEngineEvent, verifyEngineEventsToken } from "../../lib/gateway/mod.ts";
import { kickWebhookDispatcher } from "../../workers/webhook_dispatch.ts";
import { enqueueDeliveries } from "../../lib/webhooks/mod.ts";

/** The engine events ingest route (mounted at ENGINE_EVENTS_PATH, /internal/engine-events). */
export function engineEventRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post("/:token{[0-9a-f]{64}}", async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw fail("not_found");
    }
    const env = EngineEnvelopeSchema.safeParse(body);
    if (!env.success || !await verifyEngineEventsToken(deps, env.data.instance, c.req.param("token"))) {
      throw fail("not_found");
    }
    // Ledger first, then fan-out: a failure answers 500 and the engine retries; both steps are idempotent
    // for the ledger, and a retried fan-out at worst repeats a delivery (receivers dedupe on the envelope).
    const owner = await ingestEngineEvent(deps, env.data);
    if (owner !== null && await enqueueDeliveries(deps, env.data) > 0) kickWebhookDispatcher(deps);
    return c.json({ received: true });
  });

  return app;
}
