// Users, their sessions and API keys, instance grants, the audit log and the bootstrap administrator.
export * from "./api_keys.ts";
export * from "./audit.ts";
export * from "./bootstrap.ts";
export * from "./grants.ts";
export * from "./sessions.ts";
export * from "./user_admin.ts";
export * from "./user_schemas.ts";
export * from "./users.ts";
