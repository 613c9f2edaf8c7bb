/** Builds the sandbox's Hono app: chaos middleware, Evolution's route groups, control routes, error mapping. */
import { Hono, type MiddlewareHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { SandboxContext } from "./context.ts";
import { controlRoutes } from "./control_routes.ts";
import { envelope, EvoError } from "./errors.ts";
import { globalKeyGuard, type SandboxEnv } from "./guards.ts";
import { mountEngineRoutes } from "./router.ts";
import { StoppedError } from "./scheduler.ts";
import type { FailRule } from "./state.ts";

/** Logs every call and applies the injected latency and failures (never to control routes). */
function chaos(ctx: SandboxContext): MiddlewareHandler<SandboxEnv> {
  return async function chaos(c, next) {
    const started = performance.now();
    if (!c.req.path.startsWith("/_sandbox/")) {
      if (ctx.store.latencyMs > 0) await ctx.scheduler.sleep(ctx.store.latencyMs);
      const rule = ctx.store.takeFailure(c.req.path);
      if (rule) {
        ctx.log(`${c.req.method} ${c.req.path} -> injected ${rule.status}`);
        return injectedFailure(rule);
      }
    }
    await next();
    ctx.log(
      `${c.req.method} ${c.req.path} -> ${c.res.status} (${Math.round(performance.now() - started)} ms)`,
    );
  };
}

function injectedFailure(rule: FailRule): Response {
  if (rule.status === 0) {
    // Deno.serve gives no handle on the socket, so a network failure is a body cut short: the headers
    // promise more bytes than are sent and the client sees the connection break while reading.
    const cut = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("{"));
        controller.close();
      },
    });
    return new Response(cut, {
      status: 200,
      headers: { "content-type": "application/json", "content-length": "4096" },
    });
  }
  if (typeof rule.body === "string") return new Response(rule.body, { status: rule.status });
  const body = rule.body !== undefined ? rule.body : envelope(rule.status, "Sandbox injected failure");
  return Response.json(body, { status: rule.status });
}

/** The Evolution API v2.3.7 routes of the gateway's table, plus `/_sandbox/*`. */
export function createSandboxApp(ctx: SandboxContext): Hono<SandboxEnv> {
  // Express routes ignore a trailing slash; so does Evolution.
  const app = new Hono<SandboxEnv>({ strict: false });
  app.use("*", chaos(ctx));

  app.get("/", (c) =>
    c.json({
      status: 200,
      message: "Welcome to the Evolution API, it is working!",
      version: "2.3.7",
      clientName: "evolution",
      manager: `${ctx.options.serverUrl}/manager`,
      documentation: "https://doc.evolution-api.com",
      whatsappWebVersion: "2.3000.1027934701",
    }));
  app.post(
    "/verify-creds",
    globalKeyGuard(ctx),
    (c) => c.json({ status: 200, message: "Credentials are valid" }),
  );

  // Every route of the gateway's table (lib/gateway/engine_routes.ts), see router.ts.
  mountEngineRoutes(app, ctx);
  app.route("/_sandbox", controlRoutes(ctx));

  app.notFound((c) => {
    const url = new URL(c.req.url);
    return c.json(envelope(404, [`Cannot ${c.req.method} ${url.pathname}${url.search}`]), 404);
  });
  app.onError((err, c) => {
    if (err instanceof EvoError) return c.json(err.body, err.status as ContentfulStatusCode);
    if (err instanceof StoppedError) return c.json(envelope(503, "Sandbox stopped"), 503);
    ctx.log(`unexpected error on ${c.req.method} ${c.req.path}: ${err.stack ?? err}`);
    // Evolution's handler prints an unexpected error's message as a plain string with status 500.
    return c.json(envelope(500, err.message), 500);
  });
  return app;
}
