import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
  rejects,
} from "node:assert/strict";
import {
  createEvolutionClient,
  EvolutionError,
  type EvolutionErrorKind,
  evolutionErrorMessage,
  isConnectionState,
} from "./engine_client.ts";
import { startSandboxHarness } from "../sandbox/testing.ts";

const KEY = "client-test-key";
const setup = () => startSandboxHarness({ apiKey: KEY, ackDelaysMs: [5, 5, 5], webhookRetryDelaysMs: [10] });

/** Awaits a promise that must fail with an EvolutionError of the given kind, and returns the error. */
async function failure(promise: Promise<unknown>, kind: EvolutionErrorKind): Promise<EvolutionError> {
  try {
    await promise;
  } catch (e) {
    assert(e instanceof EvolutionError, `expected an EvolutionError, got ${e}`);
    assertEquals(e.kind, kind, e.message);
    return e;
  }
  throw new Error(`expected a ${kind} failure`);
}

Deno.test("the client drives an instance from create to delete with typed answers", async () => {
  await using t = await setup();
  const evo = createEvolutionClient({ baseUrl: t.sandbox.url + "/", apiKey: KEY });
  assertEquals((await evo.root()).version, "2.3.7");
  const created = await evo.createInstance({ instanceName: "acme" });
  assertEquals([created.instance.status, typeof created.hash], ["close", "string"]);
  const qr = await evo.connect("acme");
  assert(!isConnectionState(qr));
  assertMatch(qr.base64 ?? "", /^data:image\/png;base64,/);
  assertEquals((await evo.connectionState("acme")).instance.state, "connecting");
  await t.control.scan("acme", { phone: "595981000100" });
  assertEquals((await evo.connectionState("acme")).instance.state, "open");
  const open = await evo.connect("acme");
  assert(isConnectionState(open) && open.instance.state === "open");
  const [row] = await evo.fetchInstances({ instanceName: "acme" });
  assertEquals([row.name, row.connectionStatus, row.ownerJid], [
    "acme",
    "open",
    "595981000100@s.whatsapp.net",
  ]);
  assertEquals(await evo.findWebhook("acme"), null);
  const hook = await evo.setWebhook("acme", { enabled: true, url: t.hook.url, events: ["SEND_MESSAGE"] });
  assertEquals([hook.enabled, hook.events], [true, ["SEND_MESSAGE"]]);
  assertEquals((await evo.findWebhook("acme"))?.url, t.hook.url);
  const checks = await evo.whatsappNumbers("acme", ["595981000111"]);
  assertEquals(checks[0].exists, true);
  const text = await evo.sendText("acme", { number: "595981000111", text: "Hola" });
  assertMatch(text.key.id, /^3EB0/);
  assertEquals(text.status, "PENDING");
  const media = await evo.sendMedia("acme", {
    number: "595981000111",
    mediatype: "document",
    media: "https://cdn.example.com/invoice.pdf",
    fileName: "invoice.pdf",
  });
  assertEquals(media.messageType, "documentMessage");
  const restarted = await evo.restart("acme");
  assert(isConnectionState(restarted));
  assertEquals((await evo.logout("acme")).response.message, "Instance logged out");
  assertEquals((await evo.deleteInstance("acme")).response.message, "Instance deleted");
  const gone = await failure(evo.connectionState("acme"), "http");
  assertEquals([gone.status, gone.detail], [404, 'The "acme" instance does not exist']);
});

Deno.test("http failures keep status and body and read every envelope variant", async () => {
  await using t = await setup();
  const evo = createEvolutionClient({ baseUrl: t.sandbox.url, apiKey: KEY });
  await evo.createInstance({ instanceName: "acme" });
  const unauthorized = await failure(
    createEvolutionClient({ baseUrl: t.sandbox.url, apiKey: "wrong" }).connectionState("acme"),
    "http",
  );
  assertEquals([unauthorized.status, unauthorized.detail], [401, "Unauthorized"]);
  const neverConnected = await failure(evo.sendText("acme", { number: "595981000111", text: "x" }), "http");
  assertEquals([neverConnected.status, neverConnected.detail], [
    500,
    "Cannot read properties of undefined (reading 'onWhatsApp')",
  ]);
  const restart = await failure(evo.restart("acme"), "http");
  assertEquals([restart.status, restart.detail], [200, "[object Object]"]);
  const numbers = await failure(evo.whatsappNumbers("acme", []), "http");
  assertEquals([numbers.status, numbers.detail], [400, "numbers does not meet minimum length of 1"]);
  await t.control.scan("acme");
  await t.control.directory({ unknownNumbers: ["595981000999"] });
  const schema = await failure(evo.sendText("acme", { number: "595981000111", text: "" }), "http");
  assertEquals(schema.detail, 'The "text" cannot be empty');
  const missing = await failure(evo.sendText("acme", { number: "595981000999", text: "x" }), "http");
  assertEquals([missing.status, missing.notOnWhatsApp, missing.detail], [
    400,
    true,
    "595981000999 is not on WhatsApp",
  ]);
  assert(!schema.notOnWhatsApp);
  const dup = await failure(evo.createInstance({ instanceName: "acme" }), "http");
  assertEquals([dup.status, dup.detail], [403, 'This name "acme" is already in use.']);
});

Deno.test("a slow engine is a timeout, and a send's delay extends the timeout", async () => {
  await using t = await setup();
  const evo = createEvolutionClient({ baseUrl: t.sandbox.url, apiKey: KEY, timeoutMs: 60 });
  await t.control.latency(300);
  // How soon it gives up is measured in bench/sandbox_bench.ts.
  await failure(evo.root(), "timeout");
  await t.control.latency(0);
  await evo.createInstance({ instanceName: "acme" });
  await t.control.scan("acme");
  const record = await evo.sendText("acme", { number: "595981000111", text: "x", delay: 150 });
  assertEquals(record.status, "PENDING");
});

Deno.test("a closed port and a broken connection are network errors", async () => {
  const probe = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => new Response());
  const port = probe.addr.port;
  await probe.shutdown();
  await failure(
    createEvolutionClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey: KEY }).root(),
    "network",
  );
  await using t = await setup();
  await t.control.fail({ status: 0 });
  await failure(createEvolutionClient({ baseUrl: t.sandbox.url, apiKey: KEY }).root(), "network");
});

Deno.test("answers that are not JSON or miss required fields are invalid_response", async () => {
  await using t = await setup();
  const evo = createEvolutionClient({ baseUrl: t.sandbox.url, apiKey: KEY });
  await t.control.fail({ status: 200, body: "<html>proxy login</html>" });
  const html = await failure(evo.root(), "invalid_response");
  assertEquals(html.body, "<html>proxy login</html>");
  await t.control.fail({ status: 200, body: { hello: "world" } });
  await failure(evo.root(), "invalid_response");
  await evo.createInstance({
    instanceName: "meta",
    integration: "WHATSAPP-BUSINESS",
    token: "EAAG",
    number: "1234567890",
  });
  await t.control.directory({ unknownNumbers: ["595981000999"] });
  const meta = await failure(evo.sendText("meta", { number: "595981000999", text: "x" }), "invalid_response");
  assertEquals([meta.status, meta.detail], [201, "(#131030) Recipient phone number not in allowed list"]);
});

Deno.test("request() swaps in the engine key and returns any Response for proxying", async () => {
  await using t = await setup();
  const evo = createEvolutionClient({ baseUrl: t.sandbox.url, apiKey: KEY });
  const list = await evo.request("GET", "/instance/fetchInstances", {
    headers: { apikey: "user-session-token" },
  });
  assertEquals([list.status, await list.json()], [200, []]);
  const missing = await evo.request("PUT", "/instance/restart/acme");
  assertEquals(missing.status, 404);
  assertEquals((await missing.json()).response.message, ["Cannot PUT /instance/restart/acme"]);
  const aborted = new AbortController();
  aborted.abort();
  await rejects(evo.request("GET", "/", { signal: aborted.signal }), EvolutionError);
});

Deno.test("evolutionErrorMessage reads each envelope variant of the contract", () => {
  const cases: [unknown, string | null][] = [
    [{ status: 400, error: "Bad Request", response: { message: ["Text is required"] } }, "Text is required"],
    [{ status: 400, error: "Bad Request", response: { message: [["a", "b"]] } }, "a; b"],
    [{ status: 401, error: "Unauthorized", response: { message: "Unauthorized" } }, "Unauthorized"],
    [
      { status: 400, response: { message: [{ jid: "1@s.whatsapp.net", exists: false, number: "1" }] } },
      "1 is not on WhatsApp",
    ],
    [
      { status: 400, error: "Bad Request", message: [["numbers contains duplicate item"]] },
      "numbers contains duplicate item",
    ],
    [{ error: true, message: "[object Object]" }, "[object Object]"],
    [{ isBoom: true, output: { payload: { message: "Connection Closed" } } }, "Connection Closed"],
    [{}, null],
    ["Bad Gateway", "Bad Gateway"],
  ];
  for (const [body, expected] of cases) assertEquals(evolutionErrorMessage(body), expected);
});
