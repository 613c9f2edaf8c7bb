import { deepStrictEqual as assertEquals, match as assertMatch, ok as assert } from "node:assert/strict";
import type { SandboxOptions } from "./mod.ts";
import {
  createWithWebhook,
  eventTrail,
  type SandboxHarness,
  startOpenHarness,
  startSandboxHarness,
} from "./testing.ts";

const KEY = "global-test-key";
const setup = (options: Partial<SandboxOptions> = {}) =>
  startSandboxHarness({ apiKey: KEY, ackDelaysMs: [5, 5, 5], webhookRetryDelaysMs: [10, 10], ...options });

async function openInstance(t: SandboxHarness, name = "acme") {
  await createWithWebhook(t, name);
  await t.control.scan(name, { phone: "595981000100" });
  await t.hook.waitFor((h) => h.body.instance === name && h.body.data?.state === "open");
}

/** A harness whose instance `acme` is connected and can send. */
const setupOpen = (options: Partial<SandboxOptions> = {}) =>
  startOpenHarness({ apiKey: KEY, ackDelaysMs: [5, 5, 5], webhookRetryDelaysMs: [10, 10], ...options });

Deno.test("sendText answers 201 with a PENDING 3EB0 record, then SEND_MESSAGE and SERVER_ACK → DELIVERY_ACK → READ", async () => {
  await using t = await setupOpen();
  const started = Math.floor(Date.now() / 1000);
  const res = await t.call("POST", "/message/sendText/acme", { number: "595981000111", text: "Hola" });
  assertEquals(res.status, 201);
  const record = res.body;
  assertMatch(record.key.id, /^3EB0[0-9A-F]{18}$/);
  assertEquals(record.key.remoteJid, "595981000111@s.whatsapp.net");
  assertEquals(record.key.fromMe, true);
  assertEquals([record.status, record.pushName, record.messageType], ["PENDING", "Você", "conversation"]);
  assertEquals(record.message, { conversation: "Hola" });
  assert(record.messageTimestamp >= started && record.messageTimestamp < started + 5, "unix seconds");
  await t.hook.waitFor((h) => h.body.data?.status === "READ");
  assertEquals(eventTrail(t, "acme").slice(-4), [
    "send.message:PENDING",
    "messages.update:SERVER_ACK",
    "messages.update:DELIVERY_ACK",
    "messages.update:READ",
  ]);
  const sent = t.hook.events("send.message")[0].body;
  assertEquals(sent.data, record);
  assertEquals(sent.sender, "595981000100@s.whatsapp.net");
  assertEquals(sent.apikey, null);
  const update = t.hook.events("messages.update")[0].body.data;
  assertEquals([update.keyId, update.fromMe, update.remoteJid], [record.key.id, true, record.key.remoteJid]);
  const found = await t.call("POST", "/chat/findMessages/acme", { where: { key: { id: record.key.id } } });
  assertEquals(found.body.messages.total, 1);
  assertEquals(found.body.messages.records[0].MessageUpdate, [
    { status: "SERVER_ACK" },
    { status: "DELIVERY_ACK" },
    { status: "READ" },
  ]);
  assertEquals(found.body.messages.records[0].status, undefined);
});

Deno.test("a voice note's receipts end with PLAYED", async () => {
  await using t = await setupOpen();
  const res = await t.call("POST", "/message/sendWhatsAppAudio/acme", {
    number: "595981000111",
    audio: "https://cdn.example.com/note.ogg",
  });
  assertEquals([res.status, res.body.message.audioMessage.ptt], [201, true]);
  await t.hook.waitFor((h) => h.body.data?.status === "PLAYED");
  assertEquals(eventTrail(t, "acme").slice(-2), ["messages.update:READ", "messages.update:PLAYED"]);
});

Deno.test("sends reject bad bodies with Evolution's schema and business errors", async () => {
  await using t = await setupOpen();
  const send = (action: string, body: unknown) => t.call("POST", `/message/${action}/acme`, body);
  const cases: [string, unknown, unknown][] = [
    ["sendText", { number: "595981000111" }, [['instance requires property "text"']]],
    ["sendText", { number: 595981000111, text: "x" }, [["Invalid format"]]],
    ["sendText", { number: "595981000111", text: "" }, [['The "text" cannot be empty']]],
    ["sendText", { number: "595981000111", text: "", delay: 0 }, ["Text is required"]],
    ["sendMedia", { number: "595981000111", mediatype: "gif", media: "https://x.example/a.gif" }, [[
      "mediatype is not one of enum values: image,document,video,audio",
    ]]],
    [
      "sendMedia",
      { number: "595981000111", mediatype: "image", media: "data:image/png;base64,iVBORw0KGgo=" },
      [
        "Owned media must be a url or base64",
      ],
    ],
    ["sendMedia", { number: "595981000111", mediatype: "image", media: "http://localhost/x.png" }, [
      "Owned media must be a url or base64",
    ]],
    ["sendMedia", { number: "595981000111", mediatype: "document", media: "JVBERi0xLjQK" }, [
      "For base64 the file name must be informed.",
    ]],
  ];
  for (const [action, body, message] of cases) {
    const res = await send(action, body);
    assertEquals([res.status, res.body.error, res.body.response.message], [400, "Bad Request", message]);
  }
  const image = await send("sendMedia", {
    number: "595981000111",
    mediatype: "image",
    media: "iVBORw0KGgo=",
  });
  assertEquals([image.status, image.body.messageType, image.body.message.imageMessage.mimetype], [
    201,
    "imageMessage",
    "image/jpeg",
  ]);
});

Deno.test("a number not on WhatsApp gets the 400 exists:false object; numbers are normalised", async () => {
  await using t = await setupOpen({ unknownNumbers: ["595981000999"] });
  const res = await t.call("POST", "/message/sendText/acme", { number: "595981000999", text: "x" });
  assertEquals(res.status, 400);
  assertEquals(res.body.response.message, [{
    jid: "595981000999@s.whatsapp.net",
    exists: false,
    number: "595981000999",
  }]);
  const formatted = await t.call("POST", "/message/sendText/acme", {
    number: "+595 (981) 000-111",
    text: "x",
  });
  assertEquals(formatted.body.key.remoteJid, "595981000111@s.whatsapp.net");
  await t.control.directory({ knownNumbers: ["595981000111"], groups: ["120363000000000001@g.us"] });
  const other = await t.call("POST", "/message/sendText/acme", { number: "595981000222", text: "x" });
  assertEquals(other.body.response.message[0].exists, false);
  const group = await t.call("POST", "/message/sendText/acme", {
    number: "120363000000000001@g.us",
    text: "x",
  });
  assertEquals(group.status, 201);
  const unknownGroup = await t.call("POST", "/message/sendText/acme", {
    number: "120363000000000002@g.us",
    text: "x",
  });
  assertEquals(unknownGroup.body.response.message, ["[object Object]"]);
  const lid = await t.call("POST", "/message/sendText/acme", { number: "123456789012345@lid", text: "x" });
  assertEquals([lid.status, lid.body.key.remoteJid], [201, "123456789012345@lid"]);
});

Deno.test("sending while not open fails by history: never connected vs connection closed", async () => {
  await using t = await setup();
  await createWithWebhook(t, "acme");
  const never = await t.call("POST", "/message/sendText/acme", { number: "595981000111", text: "x" });
  assertEquals(never.status, 500);
  assertEquals(never.body, {
    status: 500,
    error: "Internal Server Error",
    response: { message: "Cannot read properties of undefined (reading 'onWhatsApp')" },
  });
  const media = await t.call("POST", "/message/sendMedia/acme", {
    number: "595981000111",
    mediatype: "image",
    media: "https://cdn.example.com/a.jpg",
  });
  assertEquals([media.status, media.body.response.message], [500, [
    "TypeError: Cannot read properties of undefined (reading 'onWhatsApp')",
  ]]);
  await t.control.scan("acme");
  await t.call("DELETE", "/instance/logout/acme");
  const closed = await t.call("POST", "/message/sendText/acme", { number: "595981000111", text: "x" });
  assertEquals([closed.status, closed.body.response.message], [500, "Connection Closed"]);
});

Deno.test("delay holds the response, scaled by the send-delay factor", async () => {
  await using t = await setupOpen();
  // How long the answer is held, in full and scaled, is measured in bench/sandbox_bench.ts.
  const held = await t.call("POST", "/message/sendText/acme", {
    number: "595981000111",
    text: "x",
    delay: 150,
  });
  assertEquals(held.status, 201);
  await t.control.sendDelay(0.01);
  const res = await t.call("POST", "/message/sendText/acme", {
    number: "595981000111",
    text: "x",
    delay: 5000,
  });
  assertEquals(res.status, 201);
});

Deno.test("manual ack mode waits for pushed receipts and drops duplicates", async () => {
  await using t = await setupOpen();
  await t.control.acks("manual");
  const { body } = await t.call("POST", "/message/sendText/acme", { number: "595981000111", text: "x" });
  await t.hook.waitFor((h) => h.body.event === "send.message");
  assertEquals(await t.control.ack(body.key.id, "DELIVERY_ACK"), {
    keyId: body.key.id,
    status: "DELIVERY_ACK",
    emitted: true,
  });
  assertEquals((await t.control.ack(body.key.id, "DELIVERY_ACK") as { emitted: boolean }).emitted, false);
  await t.hook.waitFor((h) => h.body.data?.status === "DELIVERY_ACK");
  assertEquals(t.hook.events("messages.update").length, 1);
});

Deno.test("inbound injection emits MESSAGES_UPSERT (DELIVERY_ACK) and contacts, and the @lid variant", async () => {
  await using t = await setupOpen();
  await t.control.inbound("acme", { from: "595981000111", text: "Hola", pushName: "Ana" });
  const upsert = await t.hook.waitFor((h) => h.body.event === "messages.upsert");
  assertEquals(upsert.body.data.status, "DELIVERY_ACK");
  assertEquals(upsert.body.data.key.fromMe, false);
  assertEquals(upsert.body.data.pushName, "Ana");
  assertEquals(upsert.body.data.message, { conversation: "Hola" });
  await t.hook.waitFor((h) => h.body.event === "contacts.upsert");
  await t.control.inbound("acme", { from: "595981000111", text: "again", pushName: "Ana María" });
  const update = await t.hook.waitFor((h) => h.body.event === "contacts.update");
  assertEquals(update.body.data.pushName, "Ana María");
  await t.control.inbound("acme", { from: "595981000222", lid: "123456789012345", text: "via lid" });
  await t.control.inbound("acme", { lid: "999999999999999@lid", text: "lid only" });
  await t.hook.waitFor((h) => h.body.data?.message?.conversation === "lid only");
  const [withAlt, lidOnly] = t.hook.events("messages.upsert").slice(-2).map((h) => h.body.data.key);
  assertEquals([withAlt.remoteJid, withAlt.remoteJidAlt, withAlt.addressingMode], [
    "595981000222@s.whatsapp.net",
    "595981000222@s.whatsapp.net",
    "lid",
  ]);
  assertEquals(lidOnly.remoteJid, "999999999999999@lid");
  const contacts = await t.call("POST", "/chat/findContacts/acme", { where: { remoteJid: "595981000111" } });
  assertEquals(contacts.body.map((c: { pushName: string }) => c.pushName), ["Ana María"]);
  const chats = await t.call("POST", "/chat/findChats/acme", {});
  assertEquals(chats.body.length, 3);
  assertEquals(chats.body[0].lastMessage.key.remoteJid, "999999999999999@lid");
  const names = await t.call("POST", "/chat/whatsappNumbers/acme", { numbers: ["595981000111"] });
  assertEquals(names.body[0].name, "Ana María");
});

Deno.test("whatsappNumbers groups its output and answers unwrapped 400s", async () => {
  await using t = await setup({ unknownNumbers: ["595981000999"] });
  await createWithWebhook(t, "acme");
  const notOpen = await t.call("POST", "/chat/whatsappNumbers/acme", { numbers: ["595981000111"] });
  assertEquals([notOpen.status, notOpen.body], [400, {}]);
  await t.control.scan("acme");
  const res = await t.call("POST", "/chat/whatsappNumbers/acme", {
    numbers: ["595981000999", "120363000000000009@g.us", "595981000111", "status@broadcast"],
  });
  assertEquals(res.status, 200);
  assertEquals(res.body, [
    { jid: "status@broadcast", exists: true, number: "status@broadcast" },
    { jid: "120363000000000009@g.us", exists: false, number: "120363000000000009@g.us" },
    { jid: "595981000999@s.whatsapp.net", exists: false, number: "595981000999" },
    { jid: "595981000111@s.whatsapp.net", exists: true, number: "595981000111" },
  ]);
  const invalid = await t.call("POST", "/chat/whatsappNumbers/acme", { numbers: [] });
  assertEquals(invalid.body, {
    status: 400,
    error: "Bad Request",
    message: [["numbers does not meet minimum length of 1"]],
  });
  await t.call("DELETE", "/instance/logout/acme");
  const closed = await t.call("POST", "/chat/whatsappNumbers/acme", { numbers: ["595981000111"] });
  assertEquals(closed.body.output.payload.message, "Connection Closed");
});

Deno.test("markMessageAsRead answers 201 and fetchProfilePictureUrl never fails", async () => {
  await using t = await setupOpen();
  const read = await t.call("POST", "/chat/markMessageAsRead/acme", {
    readMessages: [{ id: "3EB0AAAA", fromMe: false, remoteJid: "595981000111@s.whatsapp.net" }],
  });
  assertEquals([read.status, read.body], [201, { message: "Read messages", read: "success" }]);
  const bad = await t.call("POST", "/chat/markMessageAsRead/acme", { readMessages: [{ id: "x" }] });
  assertEquals(bad.body.response.message, [[
    'readMessages[0] requires property "fromMe"',
    'readMessages[0] requires property "remoteJid"',
  ]]);
  const pic = await t.call("POST", "/chat/fetchProfilePictureUrl/acme", { number: "595981000111" });
  assertEquals([pic.status, pic.body], [200, {
    wuid: "595981000111@s.whatsapp.net",
    profilePictureUrl: null,
  }]);
});

Deno.test("Cloud sends skip the existence check and return Meta's error with 201", async () => {
  await using t = await setup({ unknownNumbers: ["595981000999"] });
  await t.call("POST", "/instance/create", {
    instanceName: "meta",
    integration: "WHATSAPP-BUSINESS",
    token: "EAAG",
    number: "1234567890",
  });
  const ok = await t.call("POST", "/message/sendText/meta", { number: "595981000111", text: "x" });
  assertEquals(ok.status, 201);
  assertMatch(ok.body.key.id, /^wamid\./);
  assertEquals(ok.body.pushName, undefined);
  const meta = await t.call("POST", "/message/sendText/meta", { number: "595981000999", text: "x" });
  assertEquals([meta.status, meta.body.code, meta.body.key], [201, 131030, undefined]);
});

Deno.test("the query merges into the instance like Evolution's: ?instanceName[]= and [0]= pick another instance", async () => {
  await using t = await setupOpen();
  await openInstance(t, "victim");
  for (const query of ["instanceName[]=victim", "instanceName[0]=victim", "instanceName=victim"]) {
    const before = eventTrail(t, "victim").filter((e) => e.startsWith("send.message")).length;
    const res = await t.call("POST", `/message/sendText/acme?${query}`, {
      number: "595981000111",
      text: "x",
    });
    assertEquals(res.status, 201, query);
    await t.hook.waitFor((h) =>
      h.body.instance === "victim" && h.body.event === "send.message" &&
      eventTrail(t, "victim").filter((e) => e.startsWith("send.message")).length > before
    );
  }
  const missing = await t.call("POST", "/message/sendText/acme?instanceName[]=nobody", {
    number: "595981000111",
    text: "x",
  });
  assertEquals([missing.status, missing.body.response.message], [500, "Cannot read properties of undefined"]);
  const state = await t.call("GET", "/instance/connectionState/acme?instanceName[]=victim");
  assertEquals(state.body.instance.instanceName, "victim");
});

Deno.test("fetchInstances counts messages and distinct chats per instance as they are stored, and forgets them on delete", async () => {
  await using t = await setupOpen();
  const counts = async (name: string) => {
    const res = await t.call("GET", `/instance/fetchInstances?instanceName=${name}`);
    assertEquals(res.status, 200);
    return res.body[0]._count;
  };
  assertEquals(await counts("acme"), { Message: 0, Contact: 0, Chat: 0 });
  for (const number of ["595981000111", "595981000111", "595981000222"]) {
    assertEquals((await t.call("POST", "/message/sendText/acme", { number, text: "Hola" })).status, 201);
  }
  await t.control.inbound("acme", { from: "595981000333", text: "Hola", pushName: "Ana" });
  assertEquals(await counts("acme"), { Message: 4, Contact: 1, Chat: 3 });
  // A second instance keeps counts of its own; deleting the first drops its rows and their counts.
  await openInstance(t, "beta");
  await t.call("POST", "/message/sendText/beta", { number: "595981000111", text: "Hola" });
  assertEquals(await counts("beta"), { Message: 1, Contact: 0, Chat: 1 });
  const sent = await t.call("POST", "/message/sendText/acme", { number: "595981000444", text: "x" });
  assertEquals((await t.call("DELETE", "/instance/delete/acme")).status, 200);
  await openInstance(t, "acme");
  assertEquals(await counts("acme"), { Message: 0, Contact: 0, Chat: 0 });
  // The deleted instance's messages are gone from the key-id index too (the control ack cannot find it).
  const ack = await fetch(`${t.sandbox.url}/_sandbox/messages/${sent.body.key.id}/ack`, {
    method: "POST",
    headers: { apikey: KEY, "content-type": "application/json" },
    body: JSON.stringify({ status: "READ" }),
  });
  await ack.body?.cancel();
  assertEquals(ack.status, 404);
});
