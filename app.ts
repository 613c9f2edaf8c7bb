import { OpenAPIHono } from "@hono/zod-openapi";
import { requestId } from "hono/request-id";
import {
  accessLog,
  type AppDeps,
  type AppEnv,
  badRequest,
  bodyReader,
  clientAddress,
  cors,
  errorMapper,
  notFoundHandler,
  securityHeaders,
  VERSION,
} from "./lib/core/mod.ts";
import { authRoutes } from "./routes/api/auth.ts";
import { adminAuditRoutes } from "./routes/admin/audit.ts";
import { adminEngineRoutes } from "./routes/admin/engine.ts";
import { adminInstanceRoutes } from "./routes/admin/instances.ts";
import { adminSessionRoutes } from "./routes/admin/sessions.ts";
import { adminUserSecurityRoutes } from "./routes/admin/user_security.ts";
import { adminUserRoutes } from "./routes/admin/users.ts";
import { apiKeyRoutes } from "./routes/api/api_keys.ts";
import { apiDocsRoutes } from "./routes/api/docs.ts";
import { messageRoutes } from "./routes/api/messages.ts";
import { templateRoutes } from "./routes/api/templates.ts";
import { instanceStatsRoutes } from "./routes/api/instance_stats.ts";
import { webhookRoutes } from "./routes/api/webhooks.ts";
import { engineEventRoutes } from "./routes/internal/engine_events.ts";
import { evolutionRoutes } from "./routes/evolution/mod.ts";
import { recoveryRoutes } from "./routes/api/recovery.ts";
import { sessionRoutes } from "./routes/api/sessions.ts";
import { healthRoutes } from "./routes/health.ts";
import { panelRoutes } from "./routes/panel/mod.ts";

/**
 * Builds the whole HTTP application from its dependencies. No I/O happens here, so tests import it freely
 * and serve it with the deps they choose.
 */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    // A request that fails its zod schema answers 400 with the schema's own (contract) message.
    defaultHook: (result) => {
      if (!result.success) throw badRequest(result.error.issues[0]?.message ?? "Invalid request");
    },
  });

  // Order matters: ids and addresses first so every later line (and the access log) can use them.
  app.use(
    requestId(),
    clientAddress(deps.config.trustProxy),
    accessLog(deps.log),
    securityHeaders(),
    cors(deps.config.corsOrigin),
    bodyReader(),
  );
  app.onError(errorMapper(deps.log));
  app.notFound(notFoundHandler);

  app.get("/", (c) => c.redirect("/panel/", 302));
  app.route("/", healthRoutes(deps));
  app.route("/", authRoutes(deps));

  app.route("/", recoveryRoutes(deps));
  app.route("/", sessionRoutes(deps));
  app.route("/", apiKeyRoutes(deps));
  app.route("/", adminUserRoutes(deps));
  app.route("/", adminUserSecurityRoutes(deps));
  app.route("/", adminInstanceRoutes(deps));
  app.route("/", adminSessionRoutes(deps));
  app.route("/", adminAuditRoutes(deps));

  app.route("/internal/engine-events", engineEventRoutes(deps));
  app.route("/api/webhooks", webhookRoutes(deps));
  app.route("/api/messages", messageRoutes(deps));
  app.route("/api/templates", templateRoutes(deps));
  app.route("/api/instance", instanceStatsRoutes(deps));
  app.route("/panel", panelRoutes(deps));
  app.route("/admin/engine", adminEngineRoutes(deps));
  // Last before the docs: the engine proxy only claims engine path prefixes nothing above answered.
  app.route("/", evolutionRoutes(deps));
  app.route("/", apiDocsRoutes(app, VERSION));
  return app;
}
