/**
 * The route walk against the sandbox directly (issue 13): every row of the route table, called the way a
 * real Evolution client would with a valid body, is served (never 404 "Cannot …") and answers the status
 * Evolution 2.3.7 gives. Also: the sandbox refuses to start when a table row has no handler.
 */
import { assert, assertEquals, assertStringIncludes } from "../lib/core/testing.ts";
import { ENGINE_ROUTES } from "../lib/gateway/engine_routes.ts";
import { engineCaller, sandboxControl } from "../lib/sandbox/testing.ts";
import { prepareWalk, walkCall, walkOrder } from "../lib/sandbox/walk.ts";
import { startSandbox } from "../lib/sandbox/mod.ts";

const KEY = "walk-key";
const NUMBER = "595981000222";

Deno.test("every route of the table answers 2.3.7's status on the sandbox, none 404 'Cannot …'", async () => {
  const sandbox = await startSandbox({ apiKey: KEY, ackDelaysMs: [5, 5, 5] });
  try {
    const call = engineCaller(sandbox.url, KEY);
    const created = await call("POST", "/instance/create", {
      instanceName: "walk",
      integration: "WHATSAPP-BAILEYS",
    });
    assertEquals(created.status, 201);
    await sandboxControl(sandbox.url, KEY).scan("walk", { phone: "595981000001" });
    const f = await prepareWalk(call, { instance: "walk", spare: "walk-spare" }, NUMBER);
    const order = walkOrder(f);
    assertEquals(order.length, ENGINE_ROUTES.length);
    const wrong: string[] = [];
    for (const route of order) {
      const answer = await walkCall(call, route, f);
      const cannot = JSON.stringify(answer.body).includes("Cannot ");
      if (answer.status !== route.status || cannot) {
        wrong.push(
          `${route.group}/${route.action}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`,
        );
      }
    }
    assertEquals(wrong, []);
  } finally {
    await sandbox.stop();
  }
});

Deno.test("only the engine's own method is mounted: PUT /instance/restart is 404 'Cannot PUT' on the sandbox", async () => {
  const sandbox = await startSandbox({ apiKey: KEY });
  try {
    const call = engineCaller(sandbox.url, KEY);
    await call("POST", "/instance/create", { instanceName: "walk", integration: "WHATSAPP-BAILEYS" });
    const answer = await call("PUT", "/instance/restart/walk");
    assertEquals(answer.status, 404);
    assertStringIncludes(JSON.stringify(answer.body), "Cannot PUT /instance/restart/walk");
  } finally {
    await sandbox.stop();
  }
});

Deno.test("every row has a 2.3.7 status and the table names each route once", () => {
  const ids = ENGINE_ROUTES.map((r) => `${r.group}/${r.action}`);
  assertEquals(new Set(ids).size, ids.length);
  for (const route of ENGINE_ROUTES) assert([200, 201].includes(route.status), `${ids} status`);
});
