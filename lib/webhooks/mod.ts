// Tenant webhooks: their definitions, signed deliveries and retries.
export * from "./delivery.ts";
export * from "./webhooks.ts";
export * from "./transport.ts";
