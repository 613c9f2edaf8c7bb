import { assertEquals, assertThrows } from "./testing.ts";
import { ConfigError, loadConfig } from "./config.ts";

Deno.test("loadConfig with nothing set selects every embedded default", () => {
  const c = loadConfig({});
  assertEquals(c.port, 8000);
  assertEquals(c.databaseUrl, undefined);
  assertEquals(c.redisUrl, undefined);
  assertEquals(c.evolutionUrl, undefined);
  assertEquals(c.adminUsername, "admin");
  assertEquals(c.corsOrigin, undefined);
  assertEquals(c.smtp, undefined);
  assertEquals(c.backupIntervalSeconds, 86_400);
});

Deno.test("loadConfig accepts TAGUATO-SEND's .env names unchanged", () => {
  const c = loadConfig({
    GATEWAY_PORT: "8080",
    PG_HOST: "db.internal",
    PG_PORT: "5433",
    POSTGRES_USER: "taguato",
    POSTGRES_PASSWORD: "p@ss/word",
    POSTGRES_DB: "evolution",
    REDIS_HOST: "cache.internal",
    REDIS_PASSWORD: "redis secret",
    GATEWAY_CORS_ORIGIN: "https://panel.example.com",
    CORS_ORIGIN: "*",
    SMTP_HOST: "smtp.example.com",
    SMTP_FROM: "noreply@example.com",
    SMTP_SECURE: "ssl",
    ALERT_WEBHOOK_URL: "https://hooks.example.com/x",
    BACKUP_INTERVAL: "3600",
    ADMIN_USERNAME: "root_admin",
  });
  assertEquals(c.port, 8080);
  const db = new URL(c.databaseUrl!);
  assertEquals([db.hostname, db.port, db.username, db.pathname], [
    "db.internal",
    "5433",
    "taguato",
    "/evolution",
  ]);
  assertEquals(decodeURIComponent(db.password), "p@ss/word");
  const redis = new URL(c.redisUrl!);
  assertEquals([redis.hostname, redis.port, decodeURIComponent(redis.password)], [
    "cache.internal",
    "6379",
    "redis secret",
  ]);
  // CORS_ORIGIN in that file configures Evolution, not the gateway.
  assertEquals(c.corsOrigin, "https://panel.example.com");
  assertEquals(c.smtp?.secure, "ssl");
  assertEquals(c.smtp?.port, 587);
  assertEquals(c.backupIntervalSeconds, 3600);
  assertEquals(c.adminUsername, "root_admin");
});

Deno.test("loadConfig prefers DATABASE_URL and REDIS_URL over the split variables", () => {
  const c = loadConfig({
    DATABASE_URL: "postgres://a@h1/db1",
    PG_HOST: "h2",
    REDIS_URL: "redis://r1:6380",
    REDIS_HOST: "r2",
  });
  assertEquals(c.databaseUrl, "postgres://a@h1/db1");
  assertEquals(c.redisUrl, "redis://r1:6380");
});

Deno.test("loadConfig lists every problem in one error", () => {
  const err = assertThrows(
    () =>
      loadConfig({
        GATEWAY_PORT: "eighty",
        DATABASE_URL: "mysql://x",
        EVOLUTION_API_URL: "not a url",
        BACKUP_INTERVAL: "-5",
        LOG_LEVEL: "loud",
      }),
    ConfigError,
  );
  const text = err.problems.join("\n");
  for (const name of ["GATEWAY_PORT", "DATABASE_URL", "EVOLUTION_API_URL", "BACKUP_INTERVAL", "LOG_LEVEL"]) {
    assertEquals(text.includes(name), true, `${name} missing from: ${text}`);
  }
});

Deno.test("loadConfig requires the engine key with a real engine and SMTP host with sender", () => {
  const err = assertThrows(
    () => loadConfig({ EVOLUTION_API_URL: "http://evo:8080", SMTP_HOST: "smtp.example.com" }),
    ConfigError,
  );
  assertEquals(err.problems.length, 2);
  assertEquals(err.problems[0], "AUTHENTICATION_API_KEY is required when EVOLUTION_API_URL is set");
  assertEquals(err.problems[1], "SMTP_HOST and SMTP_FROM must be set together");
});

Deno.test("loadConfig treats empty strings as unset, like docker-compose's ${VAR:-}", () => {
  const c = loadConfig({ GATEWAY_CORS_ORIGIN: "", DATABASE_URL: "", SMTP_HOST: "", GATEWAY_PORT: "" });
  assertEquals(c.corsOrigin, undefined);
  assertEquals(c.databaseUrl, undefined);
  assertEquals(c.port, 8000);
});
