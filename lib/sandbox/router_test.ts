// The sandbox's router and the route table cannot drift apart: a row without a handler, or a handler
// without a row, stops the sandbox from being built.
import { Hono } from "hono";
import { assertEquals, assertThrows } from "../core/testing.ts";
import { ENGINE_ROUTES } from "../gateway/engine_routes.ts";
import type { SandboxContext } from "./context.ts";
import type { SandboxEnv } from "./guards.ts";
import { mountEngineRoutes, routePath } from "./router.ts";

// The handler factories only close over the context; nothing here calls a handler.
const ctx = {} as SandboxContext;

Deno.test("a table row without a sandbox handler is refused", () => {
  const extra = { ...ENGINE_ROUTES[0], group: "message", action: "sendTemplate" };
  const err = assertThrows(
    () => mountEngineRoutes(new Hono<SandboxEnv>(), ctx, [...ENGINE_ROUTES, extra]),
    Error,
  );
  assertEquals(
    err.message,
    "sandbox routes out of step with lib/gateway/engine_routes.ts: no handler for message/sendTemplate",
  );
});

Deno.test("a sandbox handler without a table row is refused", () => {
  const fewer = ENGINE_ROUTES.filter((r) => !(r.group === "call" && r.action === "offer"));
  const err = assertThrows(() => mountEngineRoutes(new Hono<SandboxEnv>(), ctx, fewer), Error);
  assertEquals(
    err.message,
    "sandbox routes out of step with lib/gateway/engine_routes.ts: no table row for call/offer",
  );
});

Deno.test("rows with an instance are served under /{group}/{action}/:instance", () => {
  const connect = ENGINE_ROUTES.find((r) => r.action === "connect")!;
  const create = ENGINE_ROUTES.find((r) => r.action === "create" && r.group === "instance")!;
  assertEquals([routePath(connect), routePath(create)], ["/instance/connect/:instance", "/instance/create"]);
});
