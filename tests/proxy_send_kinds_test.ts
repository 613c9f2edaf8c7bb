/**
 * sendButtons, sendPtv and sendStatus through the gateway (issue 13): the gateway's own checks answer a
 * clear 400 that never reaches the engine or the ledger; valid sends are recorded with their type.
 */
import { assertEquals } from "../lib/core/testing.ts";
import { errorBody } from "./_helpers/errors.ts";
import { call, engineSaw, startWithInstance } from "./proxy_fixtures.ts";

const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const TO = "595981000111";

Deno.test("buttons, round video and status sends with bad input are 400 and change nothing", async () => {
  await using gw = await startWithInstance("k-inst", { env: { SEND_RATE_LIMIT_PER_SECOND: "1000" } });
  const reply = (id: string) => ({ type: "reply", displayText: id, id });
  const text = { type: "text", content: "hi", backgroundColor: "#008000", font: 1, statusJidList: [TO] };
  const cases: [string, unknown, ReturnType<typeof errorBody>][] = [
    ["sendButtons", { number: TO, buttons: [reply("a")] }, errorBody("field_required", { field: "title" })],
    [
      "sendButtons",
      { number: TO, title: "t", buttons: [] },
      errorBody("array_size", { field: "buttons", min: 1, max: 10 }),
    ],
    [
      "sendButtons",
      { number: TO, title: "t", buttons: [{ type: "poll", displayText: "x" }] },
      errorBody("buttons_invalid"),
    ],
    [
      "sendButtons",
      { number: TO, title: "t", buttons: [{ type: "reply", id: "a" }] },
      errorBody("buttons_invalid"),
    ],
    [
      "sendButtons",
      { number: TO, title: "t", buttons: ["a", "b", "c", "d"].map(reply) },
      errorBody("buttons_mixed"),
    ],
    [
      "sendButtons",
      {
        number: TO,
        title: "t",
        buttons: [reply("a"), { type: "url", displayText: "Web", url: "https://x.example" }],
      },
      errorBody("buttons_mixed"),
    ],
    [
      "sendButtons",
      { number: TO, title: "t", buttons: [reply("a")], thumbnailUrl: "http://169.254.169.254/x.png" },
      errorBody("media_url_private", { field: "thumbnailUrl" }),
    ],
    ["sendPtv", { number: TO }, errorBody("field_required", { field: "video" })],
    ["sendPtv", { number: "12", video: PNG }, errorBody("phone_length")],
    [
      "sendPtv",
      { number: TO, video: "http://10.0.0.1/v.mp4" },
      errorBody("media_url_private", { field: "video" }),
    ],
    ["sendStatus", { ...text, type: "gif" }, errorBody("status_type_invalid")],
    ["sendStatus", { ...text, content: " " }, errorBody("field_required", { field: "content" })],
    [
      "sendStatus",
      { ...text, backgroundColor: undefined },
      errorBody("field_required", { field: "backgroundColor" }),
    ],
    ["sendStatus", { ...text, font: 0 }, errorBody("number_range", { field: "font", min: 1, max: 5 })],
    ["sendStatus", { ...text, statusJidList: [] }, errorBody("status_recipients")],
    ["sendStatus", { ...text, statusJidList: ["abc"] }, errorBody("phone_digits")],
    ["sendStatus", { type: "image", statusJidList: [TO] }, errorBody("field_required", { field: "content" })],
  ];
  for (const [action, body, expected] of cases) {
    const res = await call(gw, "POST", `/message/${action}/k-inst`, { token: gw.owner.token, body });
    assertEquals([action, res.status, res.body], [action, 400, expected]);
  }
  assertEquals(engineSaw(gw, "/message/"), []);
  assertEquals((await gw.db.sql`SELECT 1 FROM taguato.message_logs`).length, 0);
});

Deno.test("valid buttons, round video and status sends reach the engine and are recorded with their type", async () => {
  await using gw = await startWithInstance("k-inst", { env: { SEND_RATE_LIMIT_PER_SECOND: "1000" } });
  const send = (action: string, body: unknown) =>
    call(gw, "POST", `/message/${action}/k-inst`, { token: gw.owner.token, body });
  const buttons = await send("sendButtons", {
    number: TO,
    title: "Pay",
    buttons: [{ type: "pix", currency: "BRL", name: "Shop", keyType: "random", key: "k" }],
  });
  assertEquals([buttons.status, buttons.body.messageType], [201, "viewOnceMessage"]);
  const ptv = await send("sendPtv", { number: TO, video: `data:video/mp4;base64,${PNG}` });
  assertEquals([ptv.status, ptv.body.messageType], [201, "ptvMessage"]);
  // A text status is text, even when it reads like a URL: nothing is downloaded.
  const status = await send("sendStatus", {
    type: "text",
    content: "https://example.com",
    backgroundColor: "#000000",
    font: 2,
    allContacts: true,
  });
  // The engine's own rule: allContacts needs stored contacts, so its 400 comes back unchanged.
  assertEquals([status.status, status.body.response.message], [400, ["Contacts not found"]]);
  const rows = await gw.db.sql<{ message_type: string; status: string; phone_number: string }[]>`
    SELECT message_type, status, phone_number FROM taguato.message_logs ORDER BY id`;
  assertEquals(rows.map((r) => [r.message_type, r.status, r.phone_number]), [
    ["buttons", "sent", TO],
    ["video", "sent", TO],
    ["text", "failed", "status@broadcast"],
  ]);
});
