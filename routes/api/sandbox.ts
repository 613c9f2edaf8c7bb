// /api/sandbox: what a phone does, for the panel, while the built-in sandbox engine stands in for
// WhatsApp (`deno task start` without EVOLUTION_API_URL). The sandbox's own control routes listen on the
// engine's port behind the engine key; the browser never calls them: these routes do, from the server,
// for a signed-in user who may reach the instance. Without the sandbox they do not exist (404).
import { z } from "@hono/zod-openapi";
import {
  type AppDeps,
  type AuthEnv,
  createRouter,
  fail,
  jsonContent,
  pathParam,
  routeDocs,
} from "../../lib/core/mod.ts";
import { requireScope } from "../../lib/auth/mod.ts";
import { assertReachable, isInstanceName, transportError } from "../../lib/gateway/mod.ts";
import { tenantRouter } from "./_middleware.ts";

const Scanned = z.object({
  instance: z.string(),
  state: z.literal("open"),
}).openapi("SandboxScan");

const route = routeDocs({ tag: "Sandbox" });

/**
 * Asks the sandbox to scan the instance's QR (or enter its pairing code) as a phone would. Scanning an
 * instance that is already open changes nothing, so a double click is not an error.
 */
async function simulateScan(deps: AppDeps, name: string): Promise<void> {
  // In sandbox mode the engine client's base URL and key are the sandbox's (main.ts).
  const res = await deps.evolution.request(
    "POST",
    `/_sandbox/instances/${encodeURIComponent(name)}/scan`,
    { headers: { "content-type": "application/json" }, body: "{}" },
  ).catch((err) => {
    throw transportError(err);
  });
  await res.body?.cancel();
  if (res.ok || res.status === 409) return;
  if (res.status === 404) throw fail("instance_not_found");
  throw fail("engine_unavailable");
}

/** `/api/sandbox` (mounted there): the sandbox's phone for the panel; nothing at all with a real engine. */
export function sandboxRoutes(deps: AppDeps) {
  if (!deps.sandboxUrl) return createRouter<AuthEnv>();
  const app = tenantRouter(deps);
  // Linking a phone is what GET /instance/connect starts: the same full-scope rule.
  app.use(requireScope("full"));

  app.openapi(
    route({
      method: "post",
      path: "/instances/{name}/scan",
      summary: "Sandbox only: link the instance as if its phone scanned the QR or entered the pairing code",
      request: { params: z.object({ name: pathParam("name", "acme-sales") }) },
      responses: { 200: jsonContent(Scanned, "The instance is open") },
      errors: {
        403: ["engine_instance_not_owned"],
        404: ["instance_not_found"],
        502: ["engine_unavailable"],
        504: ["engine_timeout"],
      },
    }),
    async (c) => {
      const name = c.req.valid("param").name;
      // A name no instance can have is not sent on to the engine.
      if (!isInstanceName(name)) throw fail("instance_not_found");
      await assertReachable(deps, c.var.user, c.var.apiKey, [name]);
      await simulateScan(deps, name);
      return c.json({ instance: name, state: "open" as const }, 200);
    },
  );
  return app;
}
