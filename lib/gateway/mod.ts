// The gateway in front of the WhatsApp engine: the typed engine client, the engine route allowlist and its
// matcher, instance access (cached reachable sets), the proxy, the circuit breaker, rate limits, instances,
// send rules, the media downloader, engine events and the engines table (placement, routing).
export * from "./access.ts";
export * from "./breaker.ts";
export * from "./engine_callback.ts";
export * from "./engine_client.ts";
export * from "./engine_events.ts";
export * from "./engine_routes.ts";
export * from "./engines.ts";
export * from "./idempotency.ts";
export * from "./instances.ts";
export * from "./limits.ts";
export * from "./media_fetch.ts";
export * from "./proxy.ts";
export * from "./route_match.ts";
export * from "./send_rules.ts";
