// The framework-free base every domain stands on: config, database and migrations, cache, clock, log,
// HTTP middleware and the error mapper, the error catalogue, i18n, request state and schema helpers.
export * from "./app_env.ts";
export * from "./cache.ts";
export * from "./client_ip.ts";
export * from "./clock.ts";
export * from "./config.ts";
export * from "./db.ts";
export * from "./errors.ts";
export * from "./group_commit.ts";
export * from "./health.ts";
export * from "./http.ts";
export * from "./i18n.ts";
export * from "./islands_build.ts";
export * from "./log.ts";
export * from "./migrate.ts";
export * from "./schemas.ts";
export * from "./secret_box.ts";
export * from "./timeout.ts";
export * from "./tokens.ts";
export * from "./url_guard.ts";
export * from "./version.ts";
