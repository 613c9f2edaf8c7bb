/**
 * The route walk through the gateway (issue 13): a tenant calls every row of the route table on its own
 * instance; each reaches the sandbox and answers as the same call made directly to the sandbox does
 * (status and body shape), and each send leaves exactly one ledger row. Three rows differ on purpose:
 * the engine webhook (the gateway's event feed; tenants use /api/webhooks) and the admin-only proxy
 * routes answer the gateway's catalogued refusal without reaching the engine, and delete answers the
 * TAGUATO body of the API contract once the engine deleted the instance.
 */
import { assertEquals } from "../lib/core/testing.ts";
import type { EngineRoute } from "../lib/gateway/engine_routes.ts";
import { engineCaller } from "../lib/sandbox/testing.ts";
import { prepareWalk, shapeOf, walkCall, type WalkCaller, walkOrder } from "../lib/sandbox/walk.ts";
import { ENGINE_KEY } from "./_helpers/app.ts";
import { errorBody } from "./_helpers/errors.ts";
import { call, type Gateway, makeUser, startGateway } from "./proxy_fixtures.ts";

const NUMBER = "595981000222";

/** What the gateway answers a tenant itself, for the rows whose answer is not the engine's. */
function gatewayOwned(route: EngineRoute): { status: number; body: unknown; forwarded: boolean } | null {
  if (route.admin) return { status: 403, body: errorBody("admin_required"), forwarded: false };
  if (route.handler === "engineWebhook") {
    return { status: 400, body: errorBody("engine_webhook_managed"), forwarded: false };
  }
  if (route.handler === "delete") {
    return { status: 200, body: { message: "Instance deleted", instance: "gw-walk-spare" }, forwarded: true };
  }
  return null;
}

// The gateway's own send rows (source 'api'); the invite texts group/sendInvite makes the engine send are
// recorded too, later and from the engine's events (source 'engine').
const ledgerRows = async (gw: Gateway, userId: number) =>
  (await gw.db.sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM taguato.message_logs WHERE user_id = ${userId} AND source = 'api'`)[0].n;

Deno.test("a tenant's walk of the route table answers like the sandbox itself, one ledger row per send", async () => {
  await using gw = await startGateway({ env: { SEND_RATE_LIMIT_PER_SECOND: "10000" } });
  const tenant = await makeUser(gw);
  const viaGateway: WalkCaller = (method, path, body) =>
    call(gw, method, path, { token: tenant.token, body });
  const direct: WalkCaller = engineCaller(gw.sandbox.url, ENGINE_KEY);

  const created = await viaGateway("POST", "/instance/create", { instanceName: "gw-walk" });
  assertEquals(created.status, 201);
  assertEquals(
    (await direct("POST", "/instance/create", {
      instanceName: "direct-walk",
      integration: "WHATSAPP-BAILEYS",
    })).status,
    201,
  );
  for (const name of ["gw-walk", "direct-walk"]) await gw.control.scan(name, { phone: "595981000001" });
  const fg = await prepareWalk(viaGateway, { instance: "gw-walk", spare: "gw-walk-spare" }, NUMBER);
  const fd = await prepareWalk(direct, { instance: "direct-walk", spare: "direct-walk-spare" }, NUMBER);

  const wrong: string[] = [];
  for (const route of walkOrder(fg)) {
    const id = `${route.group}/${route.action}`;
    const before = await ledgerRows(gw, tenant.id);
    const seenBefore = gw.engineLog.length;
    const mine = await walkCall(viaGateway, route, fg);
    const owned = gatewayOwned(route);
    if (owned) {
      if (mine.status !== owned.status || JSON.stringify(mine.body) !== JSON.stringify(owned.body)) {
        wrong.push(`${id}: gateway answered ${mine.status} ${JSON.stringify(mine.body)}`);
      }
      if ((gw.engineLog.length > seenBefore) !== owned.forwarded) {
        wrong.push(`${id}: engine reached? ${!owned.forwarded}`);
      }
      continue;
    }
    const reached = gw.engineLog.slice(seenBefore).some((l) => l.includes(` /${id}`));
    if (!reached) wrong.push(`${id}: never reached the engine`);
    const theirs = await walkCall(direct, route, fd);
    if (mine.status !== theirs.status) {
      wrong.push(`${id}: ${mine.status} through the gateway, ${theirs.status} direct`);
    }
    if (JSON.stringify(shapeOf(mine.body)) !== JSON.stringify(shapeOf(theirs.body))) {
      wrong.push(
        `${id}: body ${JSON.stringify(mine.body).slice(0, 300)} vs ${
          JSON.stringify(theirs.body).slice(0, 300)
        }`,
      );
    }
    const added = await ledgerRows(gw, tenant.id) - before;
    if (added !== (route.handler === "send" ? 1 : 0)) wrong.push(`${id}: ${added} ledger rows`);
  }
  assertEquals(wrong, []);
  // The ledger's message types: the fixture's text and image, then every send of the walk in table order.
  const types = await gw.db.sql<{ message_type: string; phone_number: string }[]>`
    SELECT message_type, phone_number FROM taguato.message_logs
    WHERE user_id = ${tenant.id} AND source = 'api' ORDER BY id`;
  assertEquals(types.map((t) => t.message_type), [
    "text",
    "image",
    ...["text", "image", "audio", "sticker", "location", "contact", "reaction", "poll", "list", "buttons"],
    "video", // sendPtv: a round video note
    "text", // sendStatus of type text
  ]);
  assertEquals(types.at(-1)!.phone_number, "status@broadcast");
});
