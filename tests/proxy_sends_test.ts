/**
 * `POST /message/send*`: the gateway's own validation (400s that never reach the engine or the ledger),
 * data-URL media conversion, and the at-most-once ledger: `sending` before the engine call, then `sent`
 * with the engine id, `failed` with the engine's message, or `unknown` after a timeout.
 */
import { errorBody } from "./_helpers/errors.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { call, engineSaw, type Gateway, startWithInstance } from "./proxy_fixtures.ts";

const ledger = async (gw: Gateway) => [
  ...await gw.db.sql<
    {
      phone_number: string;
      message_type: string;
      status: string;
      engine_message_id: string | null;
      error_message: string | null;
      source: string;
    }[]
  >`
    SELECT phone_number, message_type, status, engine_message_id, error_message, source
    FROM taguato.message_logs ORDER BY id`,
];

const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

Deno.test("sends with invalid input answer 400 with a clear message and change nothing", async () => {
  await using gw = await startWithInstance("v-inst", { env: { SEND_RATE_LIMIT_PER_SECOND: "1000" } });
  const u = gw.owner;
  const to = { number: "595981000111" };
  const image = { ...to, mediatype: "image" };
  const cases: [string, unknown, string][] = [
    ["sendText", { text: "hola" }, "number is required"],
    ["sendText", { number: 595981000111, text: "hola" }, "number must be a string"],
    ["sendText", { number: "0981-12a", text: "hola" }, "Phone number must contain only digits"],
    ["sendText", { number: "1234567", text: "hola" }, "Phone number must be between 8 and 20 digits"],
    [
      "sendText",
      { number: "x@lid.example", text: "hola" },
      "number must be a phone number or a WhatsApp JID (…@s.whatsapp.net, …@g.us)",
    ],
    ["sendText", { ...to, text: "   " }, "text is required"],
    ["sendText", { ...to, text: "a".repeat(4097) }, "text must be at most 4096 characters"],
    ["sendText", { ...to, text: "hi", delay: -1 }, "delay must be an integer between 0 and 300000"],
    [
      "sendMedia",
      { ...to, mediatype: "gif", media: PNG },
      "mediatype must be one of image, document, video, audio",
    ],
    ["sendMedia", image, "media is required"],
    ["sendMedia", { ...image, media: "http://example.com/a.png" }, "media URL must be a public https URL"],
    ["sendMedia", { ...image, media: "https://10.0.0.5/a.png" }, "media URL must be a public https URL"],
    ["sendMedia", { ...image, media: "not base64!" }, "media must be an https URL or base64 data"],
    [
      "sendMedia",
      { ...image, media: "data:image/png;base64,@@@" },
      "media data URL does not hold valid base64",
    ],
    ["sendLocation", { ...to, latitude: 91, longitude: 0 }, "latitude must be a number between -90 and 90"],
    ["sendPoll", { ...to, name: "Q", values: ["a"], selectableCount: 1 }, "values must have 2 to 10 items"],
    ["sendReaction", { key: { id: "X", fromMe: true }, reaction: "👍" }, "key.remoteJid is required"],
    ["sendContact", { ...to, contact: [] }, "contact must be a non-empty array"],
  ];
  for (const [action, body, error] of cases) {
    const res = await call(gw, "POST", `/message/${action}/v-inst`, { token: u.token, body });
    assertEquals({ action, status: res.status, body: res.body }, {
      action,
      status: 400,
      body: errorBody(error),
    });
  }
  const bad = await call(gw, "POST", "/message/sendText/v-inst", { token: u.token, body: "{not json" });
  assertEquals([bad.status, bad.body], [400, errorBody("Invalid JSON body")]);
  assertEquals(engineSaw(gw, "/message/"), []);
  assertEquals(await ledger(gw), []);
});

Deno.test("a send is logged once: sending, then sent with the engine's key id; the engine's answer is returned unchanged", async () => {
  await using gw = await startWithInstance("s-inst");
  const u = gw.owner;
  const res = await call(gw, "POST", "/message/sendText/s-inst", {
    token: u.token,
    body: { number: "+595 (981) 000-111", text: "hola" },
  });
  assertEquals(res.status, 201);
  assert(/^3EB0[0-9A-F]+$/.test(res.body.key.id));
  assertEquals(res.body.message, { conversation: "hola" });
  assertEquals(await ledger(gw), [{
    phone_number: "595981000111",
    message_type: "text",
    status: "sent",
    engine_message_id: res.body.key.id,
    error_message: null,
    source: "api",
  }]);
  const group = await call(gw, "POST", "/message/sendText/s-inst", {
    token: u.token,
    body: { number: "120363025246125244@g.us", text: "hola grupo" },
  });
  assertEquals(group.status, 400, "an unknown group: the engine's refusal passes through");
  const rows = await ledger(gw);
  assertEquals([rows[1].phone_number, rows[1].status], ["120363025246125244@g.us", "failed"]);
});

Deno.test("a data-URL media is sent as raw base64 with its mimetype; the ledger records the media type", async () => {
  await using gw = await startWithInstance("m-inst");
  const u = gw.owner;
  const res = await call(gw, "POST", "/message/sendMedia/m-inst", {
    token: u.token,
    body: {
      number: "595981000111",
      mediatype: "image",
      media: `data:image/png;base64,${PNG}`,
      caption: "pic",
    },
  });
  assertEquals(res.status, 201, JSON.stringify(res.body));
  assertEquals(res.body.messageType, "imageMessage");
  const [row] = await ledger(gw);
  assertEquals([row.message_type, row.status], ["image", "sent"]);
});

Deno.test("engine refusals are logged failed with the engine's words; a timeout is unknown and answers 504", async () => {
  await using gw = await startWithInstance("f-inst", { env: { EVOLUTION_TIMEOUT_MS: "300" } });
  const u = gw.owner;
  await gw.control.directory({ unknownNumbers: ["595981000999"] });
  const missing = await call(gw, "POST", "/message/sendText/f-inst", {
    token: u.token,
    body: { number: "595981000999", text: "hola" },
  });
  assertEquals(missing.status, 400);
  assertEquals(missing.body.response.message[0].exists, false);
  await gw.control.latency(700);
  const slow = await call(gw, "POST", "/message/sendText/f-inst", {
    token: u.token,
    body: { number: "595981000111", text: "hola" },
  });
  assertEquals([slow.status, slow.body], [504, errorBody("WhatsApp API timeout")]);
  const rows = await ledger(gw);
  assertEquals(rows.map((r) => r.status), ["failed", "unknown"]);
  assert(rows[0].error_message?.includes("595981000999"), rows[0].error_message ?? "");
  await gw.control.latency(0);
});
