// The status domain: live checks, the public status document and its cache, incidents and maintenance,
// uptime samples and the uptime worker's run, alerts, and the admin dashboard.
export * from "./alerts.ts";
export * from "./checks.ts";
export * from "./dashboard.ts";
export * from "./incidents.ts";
export * from "./maintenance.ts";
export * from "./model.ts";
export * from "./status.ts";
export * from "./uptime.ts";
export * from "./subscribers.ts";
export * from "./services.ts";
