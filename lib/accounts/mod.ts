// Users, their API keys, the audit log and the bootstrap administrator.
export * from "./api_keys.ts";
export * from "./audit.ts";
export * from "./bootstrap.ts";
export * from "./user_schemas.ts";
export * from "./users.ts";
