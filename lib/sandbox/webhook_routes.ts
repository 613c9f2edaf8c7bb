/** `/webhook/set|find` (contract §3.4): only the v2 nested body is accepted; the row uses other names. */
import type { SandboxContext } from "./context.ts";
import type { Handlers } from "./router.ts";
import { runtimeError } from "./errors.ts";
import { instanceOf, readBody } from "./guards.ts";
import { dbId, type Instance, nowIso, type WebhookRow } from "./state.ts";
import { Checker, isObject, type Json } from "./validate.ts";
import { EVENT_NAMES } from "./webhooks.ts";

/** Builds the stored row from a nested `webhook` object; `[]` events are stored as the full list. */
export function webhookRowFrom(instance: Instance, hook: Json, existing: WebhookRow | null): WebhookRow {
  const now = nowIso();
  const enabled = hook.enabled === true;
  const events = hook.events as string[];
  return {
    id: existing?.id ?? dbId(),
    url: String(hook.url ?? ""),
    headers: isObject(hook.headers) ? hook.headers as Record<string, string> : null,
    enabled,
    events: !enabled ? [] : events.length === 0 ? [...EVENT_NAMES] : [...new Set(events)],
    webhookByEvents: hook.byEvents === true,
    webhookBase64: hook.base64 === true,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    instanceId: instance.id,
  };
}

/** Mounts the webhook configuration routes. */
export function webhookHandlers(_ctx: SandboxContext): Handlers {
  return {
    "webhook/set": async (c) => {
      const instance = instanceOf(c);
      const check = new Checker(await readBody(c)).required("webhook").type("webhook", "object");
      const hook = check.body.webhook;
      if (isObject(hook)) {
        check.merge(
          new Checker(hook, "webhook").required("enabled", "url").type("enabled", "boolean").type(
            "url",
            "string",
          )
            .type("byEvents", "boolean").type("base64", "boolean").type("headers", "object")
            .type("events", "array").itemsOneOf("events", EVENT_NAMES).notEmpty("enabled", "url"),
        );
      }
      check.done();
      const nested = hook as Json;
      // Evolution reads `events.length` unguarded when enabling, so a missing list is a 500, not a 400.
      if (nested.enabled === true && !Array.isArray(nested.events)) {
        throw runtimeError("Cannot read properties of undefined (reading 'length')");
      }
      if (!Array.isArray(nested.events)) nested.events = [];
      instance.webhook = webhookRowFrom(instance, nested, instance.webhook);
      return c.json(instance.webhook, 201);
    },

    "webhook/find": (c) => c.json(instanceOf(c).webhook ?? null),
  };
}
