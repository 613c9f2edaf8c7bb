/**
 * The forwarded query (issue 8 item 1): Evolution merges the query into the instance object its
 * controllers act on (Express's extended parser makes `?instanceName[]=x` an array, coerced to the
 * string), and the sandbox reproduces that merge. The gateway rebuilds the query from the route's allowed
 * keys, so a query never switches the instance that was authorised.
 */
import { errorBody } from "./_helpers/errors.ts";
import { assertEquals } from "../lib/core/testing.ts";
import { ENGINE_KEY } from "./_helpers/app.ts";
import { call, engineCalls, type Gateway, makeInstance, makeUser, startGateway } from "./proxy_fixtures.ts";

async function sentBy(gw: Gateway, instance: string): Promise<number> {
  const res = await fetch(`${gw.sandbox.url}/chat/findMessages/${instance}`, {
    method: "POST",
    headers: { apikey: ENGINE_KEY, "content-type": "application/json" },
    body: JSON.stringify({ where: { key: { fromMe: true } } }),
  });
  const body = await res.json();
  return body.messages.total;
}

Deno.test("a query instanceName in any bracket form never reaches another tenant's instance", async () => {
  await using gw = await startGateway({ env: { SEND_RATE_LIMIT_PER_SECOND: "100000" } });
  const alice = await makeUser(gw);
  const bob = await makeUser(gw);
  await makeInstance(gw, alice, "mine", true);
  await makeInstance(gw, bob, "victim", true);
  const text = { number: "595981000111", text: "hola" };
  for (
    const [query, key] of [
      ["instanceName[]=victim", "instanceName[]"],
      ["instanceName[0]=victim", "instanceName[0]"],
      ["instanceName%5B%5D=victim", "instanceName[]"],
      ["instanceName[x]=victim", "instanceName[x]"],
    ]
  ) {
    const before = engineCalls(gw).length;
    const res = await call(gw, "POST", `/message/sendText/mine?${query}`, { token: alice.token, body: text });
    assertEquals([res.status, res.body], [400, errorBody("query_key_invalid", { key })], query);
    assertEquals(engineCalls(gw).length, before, `${query} never reached the engine`);
  }
  assertEquals(await sentBy(gw, "victim"), 0, "the victim's instance sent nothing");
  // The plain key is unknown to sendText: refused too, not merely checked for ownership.
  const plain = await call(gw, "POST", "/message/sendText/mine?instanceName=mine", {
    token: alice.token,
    body: text,
  });
  assertEquals([plain.status, plain.body], [400, errorBody("query_key_unknown", { key: "instanceName" })]);
  const ok = await call(gw, "POST", "/message/sendText/mine", { token: alice.token, body: text });
  assertEquals(ok.status, 201);
  assertEquals([await sentBy(gw, "mine"), await sentBy(gw, "victim")], [1, 0]);
});

Deno.test("each route forwards only the query keys the engine reads for it", async () => {
  await using gw = await startGateway();
  const u = await makeUser(gw);
  const admin = await makeUser(gw, { role: "admin" });
  await makeInstance(gw, u, "q-inst");
  // connect reads ?number= (a pairing code comes back).
  const qr = await call(gw, "GET", "/instance/connect/q-inst?number=595981000001", { token: u.token });
  assertEquals(qr.status, 200);
  assertEquals(typeof qr.body.pairingCode, "string");
  const cases: [string, string, unknown][] = [
    [
      "/instance/connect/q-inst?number=1&number=2",
      u.token,
      errorBody("query_key_repeated", { key: "number" }),
    ],
    ["/instance/connectionState/q-inst?x=1", u.token, errorBody("query_key_unknown", { key: "x" })],
    [
      "/instance/fetchInstances?instanceName[]=q-inst",
      u.token,
      errorBody("query_key_invalid", {
        key: "instanceName[]",
      }),
    ],
    [
      "/group/fetchAllGroups/q-inst?groupJid=1@g.us",
      u.token,
      errorBody("query_key_unknown", { key: "groupJid" }),
    ],
    // Admins get the same rule on the routes the gateway knows.
    [
      "/settings/find/q-inst?instanceName=other",
      admin.token,
      errorBody("query_key_unknown", {
        key: "instanceName",
      }),
    ],
  ];
  for (const [path, token, body] of cases) {
    const res = await call(gw, "GET", path, { token });
    assertEquals([res.status, res.body], [400, body], path);
  }
  const listed = await call(gw, "GET", "/instance/fetchInstances?instanceName=q-inst", { token: u.token });
  assertEquals([listed.status, listed.body.map((i: { name: string }) => i.name)], [200, ["q-inst"]]);
});
