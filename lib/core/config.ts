import { z } from "zod";
import { ALL_CIDRS, parseCidr, PRIVATE_CIDRS } from "./client_ip.ts";

/** Raised when the environment does not describe a runnable gateway; `problems` lists every issue. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

const emptyToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optionalText = z.preprocess(emptyToUndefined, z.string().optional());
const port = (fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: "must be a port number" }).int("must be a port number").min(0).max(65535)
      .default(fallback),
  );
const positiveInt = (fallback: number) =>
  z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: "must be a positive integer" }).int("must be a positive integer")
      .positive("must be a positive integer").default(fallback),
  );
const url = (protocols: string[]) =>
  z.preprocess(
    emptyToUndefined,
    z.string().optional().refine(
      (v) => v === undefined || (URL.canParse(v) && protocols.includes(new URL(v).protocol)),
      { message: `must be a URL (${protocols.join(" or ")})` },
    ),
  );

// Names follow TAGUATO-SEND's .env so an existing deployment's file works unchanged.
const envSchema = z.object({
  PORT: port(0).optional(),
  GATEWAY_PORT: port(8000),
  HOST: z.preprocess(emptyToUndefined, z.string().default("0.0.0.0")),
  DATABASE_URL: url(["postgres:", "postgresql:"]),
  PG_HOST: optionalText,
  POSTGRES_HOST: optionalText,
  PG_PORT: port(5432),
  PG_DATABASE: optionalText,
  POSTGRES_DB: optionalText,
  PG_USER: optionalText,
  POSTGRES_USER: optionalText,
  PG_PASSWORD: optionalText,
  POSTGRES_PASSWORD: optionalText,
  DATABASE_POOL_SIZE: positiveInt(10),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default("./data")),
  REDIS_URL: url(["redis:", "rediss:"]),
  REDIS_HOST: optionalText,
  REDIS_PORT: port(6379),
  REDIS_PASSWORD: optionalText,
  REDIS_KEY_PREFIX: z.preprocess(
    emptyToUndefined,
    z.string().regex(/^[\x21-\x7e]{1,64}$/, "must be 1-64 printable characters without spaces").default(
      "taguato:",
    ),
  ),
  REDIS_COMMAND_TIMEOUT_MS: positiveInt(250),
  EVOLUTION_API_URL: url(["http:", "https:"]),
  AUTHENTICATION_API_KEY: optionalText,
  EVOLUTION_TIMEOUT_MS: positiveInt(30_000),
  SEND_RATE_LIMIT_PER_SECOND: positiveInt(10),
  CIRCUIT_BREAKER_THRESHOLD: positiveInt(5),
  CIRCUIT_BREAKER_OPEN_MS: positiveInt(30_000),
  SANDBOX_PORT: port(8081),
  PUBLIC_URL: url(["http:", "https:"]),
  GATEWAY_INTERNAL_URL: url(["http:", "https:"]),
  WEBHOOK_ALLOW_PRIVATE: z.preprocess(emptyToUndefined, z.enum(["true", "false"]).default("false")),
  MEDIA_ALLOW_PRIVATE: z.preprocess(emptyToUndefined, z.enum(["true", "false"]).default("false")),
  CAMPAIGN_WARMUP_DAILY: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: "must be a whole number" }).int("must be a whole number").min(0).default(40),
  ),
  WEBHOOK_RETRY_DELAYS: z.preprocess(
    emptyToUndefined,
    z.string().regex(/^\d+(,\d+)*$/, "must be comma-separated milliseconds").default(
      "10000,30000,120000,600000,3600000",
    ),
  ),
  WEBHOOK_TIMEOUT_MS: positiveInt(10_000),
  WEBHOOK_DNS_SERVER: z.preprocess(
    emptyToUndefined,
    z.string().regex(/^\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?$/, "must be an IPv4 address with an optional :port")
      .optional(),
  ),
  ADMIN_USERNAME: z.preprocess(
    emptyToUndefined,
    z.string().regex(/^[A-Za-z0-9_]{3,50}$/, "must be 3-50 letters, digits or underscores").default("admin"),
  ),
  ADMIN_PASSWORD: optionalText,
  APP_SECRET: z.preprocess(emptyToUndefined, z.string().min(32, "must be at least 32 characters").optional()),
  GATEWAY_CORS_ORIGIN: optionalText,
  TRUSTED_PROXIES: z.preprocess(
    emptyToUndefined,
    z.string().optional().refine(
      (v) => v === undefined || v.split(",").every((c) => c.trim() === "" || parseCidr(c) !== null),
      { message: "must be comma-separated CIDRs or addresses" },
    ),
  ),
  TRUST_PROXY: z.preprocess(emptyToUndefined, z.enum(["private", "all", "none"]).optional()),
  SMTP_HOST: optionalText,
  SMTP_PORT: port(587),
  SMTP_USER: optionalText,
  SMTP_PASSWORD: optionalText,
  SMTP_FROM: optionalText,
  SMTP_SECURE: z.preprocess(emptyToUndefined, z.string().default("tls")),
  RECOVERY_ADMIN_INSTANCE: optionalText,
  TELEGRAM_TOKEN_SECRET: optionalText,
  ALERT_WEBHOOK_URL: url(["http:", "https:"]),
  ALERT_COOLDOWN_SECONDS: positiveInt(300),
  // --- public status, incidents, alerts ---
  AUTO_INCIDENT_THRESHOLD: positiveInt(3),
  BACKUP_INTERVAL: positiveInt(86_400),
  BACKUP_DIR: z.preprocess(emptyToUndefined, z.string().default("./backups")),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(["debug", "info", "warn", "error"]).default("info"),
  ),
  // --- operations workers, backups, metrics ---
  BACKUP_KEEP: positiveInt(7),
  ACCESS_LOG_FILE: optionalText,
  ACCESS_LOG_MAX_BYTES: positiveInt(10 * 1024 * 1024),
  ACCESS_LOG_KEEP: positiveInt(7),
  RETENTION_MESSAGE_LOGS_DAYS: positiveInt(90),
  RETENTION_AUDIT_DAYS: positiveInt(180),
  RETENTION_UPTIME_DAYS: positiveInt(90),
  RETENTION_RECONNECT_DAYS: positiveInt(90),
  RETENTION_WEBHOOK_DELIVERIES_DAYS: positiveInt(30),
  METRICS_ALLOW: z.preprocess(
    emptyToUndefined,
    z.string().optional().refine(
      (v) => v === undefined || v.split(",").every((c) => c.trim() === "" || parseCidr(c) !== null),
      { message: "must be comma-separated CIDRs or addresses" },
    ),
  ),
  WORKER_TICK_MS: z.preprocess(emptyToUndefined, z.coerce.number().int().min(500).optional()),
  // --- scheduled messages (issue 9) ---
  DEFAULT_TIME_ZONE: z.preprocess(
    emptyToUndefined,
    z.string().default("America/Asuncion").refine((zone) => {
      try {
        Temporal.Now.zonedDateTimeISO(zone);
        return true;
      } catch {
        return false;
      }
    }, { message: "must be an IANA time zone (e.g. America/Asuncion)" }),
  ),
  SCHEDULED_SEND_DELAY_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: "must be a whole number of ms" }).int("must be a whole number of ms").min(0)
      .max(600_000).default(1000),
  ),
});

export type SmtpSecurity = "ssl" | "tls" | "none";

export interface Config {
  port: number;
  hostname: string;
  /** postgres:// URL, or undefined for the embedded database under `dataDir`. */
  databaseUrl?: string;
  databasePoolSize: number;
  dataDir: string;
  /** redis:// URL, or undefined for the in-memory cache. */
  redisUrl?: string;
  /** Prefix of every Redis key (REDIS_KEY_PREFIX), so deployments or test clusters can share one server. */
  redisKeyPrefix: string;
  /** A Redis command slower than this is served from per-process memory (see createRedisCache). */
  redisCommandTimeoutMs: number;
  /** Evolution base URL, or undefined to start the built-in sandbox engine. */
  evolutionUrl?: string;
  evolutionApiKey?: string;
  evolutionTimeoutMs: number;
  /** Sends (`/message/*`) allowed per client IP and second, across replicas. */
  sendRateLimitPerSecond: number;
  /** Consecutive upstream failures that open the circuit breaker. */
  circuitBreakerThreshold: number;
  /** How long the breaker stays open before one half-open probe is let through. */
  circuitBreakerOpenMs: number;
  sandboxPort: number;
  publicUrl?: string;
  /** How the engine reaches this gateway (engine webhook target); unset: the listening address. */
  gatewayInternalUrl?: string;
  /** Lets tenant webhooks target private/loopback hosts (tests, closed networks). */
  webhookAllowPrivate: boolean;
  /**
   * Lets send media and picture URLs be http and point at private/loopback hosts (tests, closed
   * networks). Separate from webhookAllowPrivate: a webhook target is set once by its owner, a media URL
   * comes with every send from any API caller.
   */
  mediaAllowPrivate: boolean;
  /** The ban-risk governor's campaign budget of a brand-new number (sends per 24 h); 0 turns the budget off. */
  campaignWarmupDaily: number;
  /** Waits before each tenant-webhook retry; attempts = length + 1. */
  webhookRetryDelaysMs: number[];
  webhookTimeoutMs: number;
  /** The DNS server the delivery-time address check asks (WEBHOOK_DNS_SERVER); unset: the system's. */
  webhookDnsServer?: { ipAddr: string; port: number };
  adminUsername: string;
  adminPassword?: string;
  appSecret?: string;
  corsOrigin?: string;
  /** CIDRs of the proxies allowed to set X-Forwarded-For; empty = the TCP peer is always the client. */
  trustedProxies: string[];
  smtp?: { host: string; port: number; user?: string; password?: string; from: string; secure: SmtpSecurity };
  recoveryAdminInstance?: string;
  telegramTokenSecret?: string;
  alertWebhookUrl?: string;
  alertCooldownSeconds: number;
  /** Consecutive failed uptime checks of a service that open an automatic incident. */
  autoIncidentThreshold: number;
  backupIntervalSeconds: number;
  backupDir: string;
  logLevel: "debug" | "info" | "warn" | "error";
  // --- operations workers, backups, metrics ---
  /** Automatic backups kept (the newest). */
  backupKeep: number;
  /** Access log lines go to this file (rotated by the log-rotation worker); unset: stdout. */
  accessLogFile?: string;
  accessLogMaxBytes: number;
  accessLogKeep: number;
  /** Days kept by the cleanup worker's retention purges. */
  retentionDays: {
    messageLogs: number;
    audit: number;
    uptime: number;
    reconnect: number;
    webhookDeliveries: number;
  };
  /** Addresses allowed to scrape /metrics without an admin key. */
  metricsAllow: string[];
  /** Test-only: ticks every worker every N ms instead of its cron schedule. */
  workerTickMs?: number;
  /** The zone a scheduled time without offset is read in for users with no setting (DEFAULT_TIME_ZONE). */
  defaultTimeZone: string;
  /** Pause between two recipients of one scheduled message (SCHEDULED_SEND_DELAY_MS; 0 in tests). */
  scheduledSendDelayMs: number;
}

/** Reads and validates the configuration from an environment map; throws ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  const set = (name: string) => (env[name] ?? "").trim() !== "";
  // Cross-field rules read the raw values so they are reported together with the per-field problems.
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`);
  if (set("EVOLUTION_API_URL") && !set("AUTHENTICATION_API_KEY")) {
    problems.push("AUTHENTICATION_API_KEY is required when EVOLUTION_API_URL is set");
  }
  if (set("SMTP_HOST") !== set("SMTP_FROM")) problems.push("SMTP_HOST and SMTP_FROM must be set together");
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  const e = parsed.data;

  let databaseUrl = e.DATABASE_URL;
  const pgHost = e.PG_HOST ?? e.POSTGRES_HOST;
  if (!databaseUrl && pgHost) {
    const u = new URL("postgres://localhost");
    u.hostname = pgHost;
    u.port = String(e.PG_PORT);
    u.username = e.PG_USER ?? e.POSTGRES_USER ?? "taguato";
    u.password = e.PG_PASSWORD ?? e.POSTGRES_PASSWORD ?? "";
    u.pathname = `/${e.PG_DATABASE ?? e.POSTGRES_DB ?? "evolution"}`;
    databaseUrl = u.href;
  }

  let redisUrl = e.REDIS_URL;
  if (!redisUrl && e.REDIS_HOST) {
    const u = new URL("redis://localhost");
    u.hostname = e.REDIS_HOST;
    u.port = String(e.REDIS_PORT);
    if (e.REDIS_PASSWORD) u.password = e.REDIS_PASSWORD;
    redisUrl = u.href;
  }

  const secure = e.SMTP_SECURE.toLowerCase();
  let smtp: Config["smtp"];
  if (e.SMTP_HOST && e.SMTP_FROM) {
    smtp = {
      host: e.SMTP_HOST,
      port: e.SMTP_PORT,
      user: e.SMTP_USER,
      password: e.SMTP_PASSWORD,
      from: e.SMTP_FROM,
      // Same reading as TAGUATO-SEND: "ssl" is implicit TLS, "tls" is STARTTLS, anything else is plain.
      secure: secure === "ssl" ? "ssl" : secure === "tls" ? "tls" : "none",
    };
  }

  return {
    port: e.PORT ?? e.GATEWAY_PORT,
    hostname: e.HOST,
    databaseUrl,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    dataDir: e.DATA_DIR,
    redisUrl,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    evolutionUrl: e.EVOLUTION_API_URL?.replace(/\/+$/, ""),
    evolutionApiKey: e.AUTHENTICATION_API_KEY,
    evolutionTimeoutMs: e.EVOLUTION_TIMEOUT_MS,
    sendRateLimitPerSecond: e.SEND_RATE_LIMIT_PER_SECOND,
    circuitBreakerThreshold: e.CIRCUIT_BREAKER_THRESHOLD,
    circuitBreakerOpenMs: e.CIRCUIT_BREAKER_OPEN_MS,
    sandboxPort: e.SANDBOX_PORT,
    publicUrl: e.PUBLIC_URL?.replace(/\/+$/, ""),
    gatewayInternalUrl: e.GATEWAY_INTERNAL_URL?.replace(/\/+$/, ""),
    webhookAllowPrivate: e.WEBHOOK_ALLOW_PRIVATE === "true",
    mediaAllowPrivate: e.MEDIA_ALLOW_PRIVATE === "true",
    campaignWarmupDaily: e.CAMPAIGN_WARMUP_DAILY,
    webhookRetryDelaysMs: e.WEBHOOK_RETRY_DELAYS.split(",").map(Number),
    webhookTimeoutMs: e.WEBHOOK_TIMEOUT_MS,
    webhookDnsServer: e.WEBHOOK_DNS_SERVER
      ? { ipAddr: e.WEBHOOK_DNS_SERVER.split(":")[0], port: Number(e.WEBHOOK_DNS_SERVER.split(":")[1] ?? 53) }
      : undefined,
    adminUsername: e.ADMIN_USERNAME,
    adminPassword: e.ADMIN_PASSWORD,
    appSecret: e.APP_SECRET,
    // CORS_ORIGIN in the peer's .env belongs to Evolution; only GATEWAY_CORS_ORIGIN is ours.
    corsOrigin: e.GATEWAY_CORS_ORIGIN,
    // TRUSTED_PROXIES wins; TAGUATO-SEND's TRUST_PROXY keeps working as an alias for its ranges.
    trustedProxies: e.TRUSTED_PROXIES !== undefined
      ? e.TRUSTED_PROXIES.split(",").map((c) => c.trim()).filter(Boolean)
      : e.TRUST_PROXY === "private"
      ? PRIVATE_CIDRS
      : e.TRUST_PROXY === "all"
      ? ALL_CIDRS
      : [],
    smtp,
    recoveryAdminInstance: e.RECOVERY_ADMIN_INSTANCE,
    telegramTokenSecret: e.TELEGRAM_TOKEN_SECRET,
    alertWebhookUrl: e.ALERT_WEBHOOK_URL,
    alertCooldownSeconds: e.ALERT_COOLDOWN_SECONDS,
    autoIncidentThreshold: e.AUTO_INCIDENT_THRESHOLD,
    backupIntervalSeconds: e.BACKUP_INTERVAL,
    backupDir: e.BACKUP_DIR,
    logLevel: e.LOG_LEVEL,
    backupKeep: e.BACKUP_KEEP,
    accessLogFile: e.ACCESS_LOG_FILE,
    accessLogMaxBytes: e.ACCESS_LOG_MAX_BYTES,
    accessLogKeep: e.ACCESS_LOG_KEEP,
    retentionDays: {
      messageLogs: e.RETENTION_MESSAGE_LOGS_DAYS,
      audit: e.RETENTION_AUDIT_DAYS,
      uptime: e.RETENTION_UPTIME_DAYS,
      reconnect: e.RETENTION_RECONNECT_DAYS,
      webhookDeliveries: e.RETENTION_WEBHOOK_DELIVERIES_DAYS,
    },
    metricsAllow: (e.METRICS_ALLOW ?? "").split(",").map((c) => c.trim()).filter(Boolean),
    workerTickMs: e.WORKER_TICK_MS,
    defaultTimeZone: Temporal.Now.zonedDateTimeISO(e.DEFAULT_TIME_ZONE).timeZoneId,
    scheduledSendDelayMs: e.SCHEDULED_SEND_DELAY_MS,
  };
}
