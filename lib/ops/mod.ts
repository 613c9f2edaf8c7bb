// Operations: the worker registry's lease and run history, the reconnect, cleanup and log-rotation
// passes, backups, and Prometheus metrics.
export * from "./backups.ts";
export * from "./cleanup.ts";
export * from "./log_files.ts";
export * from "./metrics.ts";
export * from "./reconnect.ts";
export * from "./runs.ts";
export * from "./session_users.ts";
