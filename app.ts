import { OpenAPIHono } from "@hono/zod-openapi";
import {
  type AppDeps,
  type AppEnv,
  bodyReader,
  edge,
  errorMapper,
  notFoundHandler,
  validationError,
  VERSION,
} from "./lib/core/mod.ts";
import { accountRoutes } from "./routes/api/auth/account.ts";
import { loginRoutes } from "./routes/api/auth/login.ts";
import { twoFactorRoutes } from "./routes/api/auth/two_factor.ts";
import { adminAuditRoutes } from "./routes/admin/audit.ts";
import { adminEngineRoutes } from "./routes/admin/engine.ts";
import { adminInstanceRoutes } from "./routes/admin/instances.ts";
import { adminSessionRoutes } from "./routes/admin/sessions.ts";
import { adminUserRoutes } from "./routes/admin/users.ts";
import { apiKeyRoutes } from "./routes/api/api_keys.ts";
import { apiDocsRoutes } from "./routes/api/docs.ts";
import { messageRoutes } from "./routes/api/messages.ts";
import { templateRoutes } from "./routes/api/templates.ts";
import { contactRoutes } from "./routes/api/contacts.ts";
import { optOutRoutes } from "./routes/api/opt_outs.ts";
import { instanceStatsRoutes } from "./routes/api/instance_stats.ts";
import { dashboardRoutes } from "./routes/api/dashboard.ts";
import { usageRoutes } from "./routes/api/usage.ts";
import { sandboxRoutes } from "./routes/api/sandbox.ts";
import { webhookRoutes } from "./routes/api/webhooks.ts";
// --- scheduled messages and preferences (issue 9) ---
import { preferencesApiRoutes } from "./routes/api/preferences.ts";
import { scheduledRoutes } from "./routes/api/scheduled.ts";
import { engineEventRoutes } from "./routes/internal/engine_events.ts";
import { evolutionRoutes } from "./routes/evolution/mod.ts";
import { recoveryRoutes } from "./routes/api/auth/recovery.ts";
import { sessionRoutes } from "./routes/api/sessions.ts";
import { healthRoutes } from "./routes/health.ts";
import { panelRoutes } from "./routes/panel/mod.ts";
import { faviconRoutes } from "./routes/panel/static.ts";
// --- operations: workers, backups, metrics ---
import { adminBackupRoutes } from "./routes/admin/backup.ts";
import { adminWorkerRoutes } from "./routes/admin/workers.ts";
import { reconnectRoutes } from "./routes/api/reconnects.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { fileLogger, requestMetrics } from "./lib/ops/mod.ts";
// public status, incidents, maintenance, admin dashboard
import { statusRoutes } from "./routes/api/status.ts";
import { adminIncidentRoutes } from "./routes/admin/incidents.ts";
import { adminMaintenanceRoutes } from "./routes/admin/maintenance.ts";
import { adminDashboardRoutes } from "./routes/admin/dashboard.ts";
import { adminServiceRoutes } from "./routes/admin/services.ts";
import { statusPageRoutes } from "./routes/status/mod.ts";
import { campaignRoutes } from "./routes/api/campaigns.ts";
// many engines: the engines table and routing every engine call to the instance's engine.
import { adminEnginesRoutes } from "./routes/admin/engines.ts";
import { engineRouter } from "./lib/gateway/mod.ts";

/**
 * Builds the whole HTTP application from its dependencies. No I/O happens here, so tests import it freely
 * and serve it with the deps they choose.
 */
export function createApp(deps: AppDeps): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    // A request that fails its zod schema answers 400 with the schema's own (contract) message.
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error.issues);
    },
  });

  // The edge first (request id, client address, CORS preflight; security headers, metrics and the access
  // log on the way out), then the body checks, so everything after sees a read, checked body.
  app.use(
    edge({
      trustedProxies: deps.config.trustedProxies,
      accessLog: deps.config.accessLogFile ? fileLogger(deps.config.accessLogFile) : deps.log,
      corsOrigin: deps.config.corsOrigin,
      measured: requestMetrics(deps),
    }),
    bodyReader(),
  );
  app.onError(errorMapper(deps.log));
  app.notFound(notFoundHandler);
  // Every engine call (proxy, workers, webhook registration) goes to the engine of its instance.
  deps.evolution.useRouter(engineRouter(deps));

  app.get("/", (c) => c.redirect("/panel/", 302));
  app.route("/", faviconRoutes());
  app.route("/health", healthRoutes(deps));
  // /api/auth mixes public and authenticated routes: each authenticated one names its middleware.
  app.route("/api/auth", loginRoutes(deps));
  app.route("/api/auth", recoveryRoutes(deps));
  app.route("/api/auth", accountRoutes(deps));
  app.route("/api/auth/2fa", twoFactorRoutes(deps));
  app.route("/api/sessions", sessionRoutes(deps));
  app.route("/api/keys", apiKeyRoutes(deps));
  app.route("/admin/users", adminUserRoutes(deps));
  app.route("/admin/instances", adminInstanceRoutes(deps));
  app.route("/admin/sessions", adminSessionRoutes(deps));
  app.route("/admin/audit", adminAuditRoutes(deps));

  app.route("/internal/engine-events", engineEventRoutes(deps));
  app.route("/api/webhooks", webhookRoutes(deps));
  app.route("/api/messages", messageRoutes(deps));
  app.route("/api/templates", templateRoutes(deps));
  // Scheduled messages (issue 9 item 4) and the caller's preferences (the time zone they are read in).
  app.route("/api/scheduled", scheduledRoutes(deps));
  app.route("/api/preferences", preferencesApiRoutes(deps));
  // contact lists (CSV import, WhatsApp check) and the opt-out registry.
  app.route("/api/contacts", contactRoutes(deps));
  app.route("/api/opt-outs", optOutRoutes(deps));
  app.route("/api/instance", instanceStatsRoutes(deps));
  // the user dashboard and the quota usage.
  app.route("/api/user", dashboardRoutes(deps));
  app.route("/api/usage", usageRoutes(deps));
  app.route("/api/sandbox", sandboxRoutes(deps));
  app.route("/panel", panelRoutes(deps));
  app.route("/admin/engine", adminEngineRoutes(deps));
  app.route("/admin/engines", adminEnginesRoutes(deps));
  // --- operations: workers, backups, metrics ---
  app.route("/admin/workers", adminWorkerRoutes(deps));
  app.route("/admin/backup", adminBackupRoutes(deps));
  app.route("/api/reconnects", reconnectRoutes(deps));
  app.route("/metrics", metricsRoutes(deps));
  // the public status API and its admin side.
  app.route("/api/status", statusRoutes(deps));
  app.route("/admin/incidents", adminIncidentRoutes(deps));
  app.route("/admin/maintenance", adminMaintenanceRoutes(deps));
  app.route("/admin/dashboard", adminDashboardRoutes(deps));
  app.route("/admin/services", adminServiceRoutes(deps));
  // campaigns: durable, paced bulk sends (the dispatcher sends; these routes only manage).
  app.route("/api/campaigns", campaignRoutes(deps));
  app.route("/status", statusPageRoutes(deps));
  // Last before the docs: the engine proxy only claims engine path prefixes nothing above answered.
  app.route("/", evolutionRoutes(deps));
  app.route("/api", apiDocsRoutes(app, VERSION));
  return app;
}
