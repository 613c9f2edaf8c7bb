/**
 * The routes the sandbox gained with the full route table (issue 13): groups kept per instance, the
 * interactive sends and the injected answers to them, the new sends' business errors, and the chat
 * routes' state (blocks, privacy, profile, labels).
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { startOpenHarness } from "./testing.ts";

const KEY = "breadth-test-key";
// A control route's JSON answer, read field by field below.
// deno-lint-ignore no-explicit-any
type Reply = any;
const TO = "595981000111";

const setupOpen = () => startOpenHarness({ apiKey: KEY, ackDelaysMs: [5, 5, 5], webhookRetryDelaysMs: [10] });

Deno.test("groups are kept per instance: create, rename, participants, invite codes, settings, leave", async () => {
  await using t = await setupOpen();
  const created = await t.call("POST", "/group/create/acme", { subject: "Team", participants: [TO] });
  assertEquals(created.status, 201);
  const jid = created.body.id as string;
  assert(/^\d{18}@g\.us$/.test(jid), jid);
  assertEquals(created.body.participants, [
    { id: "595981000100@s.whatsapp.net", admin: "superadmin" },
    { id: `${TO}@s.whatsapp.net`, admin: null },
  ]);
  const q = `?groupJid=${jid}`;
  // groupValidate appends @g.us to a bare id given in the body.
  const renamed = await t.call("POST", "/group/updateGroupSubject/acme", {
    groupJid: jid.split("@")[0],
    subject: "Team 2",
  });
  assertEquals([renamed.status, renamed.body], [201, { update: "success" }]);
  assertEquals((await t.call("GET", `/group/findGroupInfos/acme${q}`)).body.subject, "Team 2");
  const promoted = await t.call("POST", `/group/updateParticipant/acme${q}`, {
    action: "promote",
    participants: [TO],
  });
  assertEquals(promoted.body.updateParticipants[0].status, "200");
  const again = await t.call("POST", `/group/updateParticipant/acme${q}`, {
    action: "add",
    participants: [TO],
  });
  assertEquals(again.body.updateParticipants[0].status, "409");
  const members = await t.call("GET", `/group/participants/acme${q}`);
  assertEquals(members.body.participants[1].admin, "admin");
  const code = (await t.call("GET", `/group/inviteCode/acme${q}`)).body.inviteCode as string;
  assert(/^[a-zA-Z0-9]{22}$/.test(code), code);
  const revoked = await t.call("POST", `/group/revokeInviteCode/acme${q}`);
  assertEquals(revoked.status, 201);
  assert(revoked.body.inviteCode !== code);
  assertEquals((await t.call("GET", `/group/inviteInfo/acme?inviteCode=${code}`)).status, 404);
  await t.call("POST", `/group/updateSetting/acme${q}`, { action: "announcement" });
  assertEquals((await t.call("GET", `/group/findGroupInfos/acme${q}`)).body.announce, true);
  // A group the instance belongs to can be sent to.
  assertEquals((await t.call("POST", "/message/sendText/acme", { number: jid, text: "hi all" })).status, 201);
  const all = await t.call("GET", "/group/fetchAllGroups/acme?getParticipants=false");
  assertEquals([all.body.length, "participants" in all.body[0]], [1, false]);
  assertEquals((await t.call("DELETE", `/group/leaveGroup/acme${q}`)).body, { groupJid: jid, leave: true });
  const gone = await t.call("GET", `/group/findGroupInfos/acme${q}`);
  assertEquals([gone.status, gone.body.response.message], [404, [
    "Error fetching group",
    "Error: item-not-found",
  ]]);
  // Another instance never sees acme's groups.
  await t.call("POST", "/instance/create", { instanceName: "other", integration: "WHATSAPP-BAILEYS" });
  await t.control.scan("other", { phone: "595981000200" });
  assertEquals((await t.call("GET", "/group/fetchAllGroups/other?getParticipants=true")).body, []);
});

Deno.test("group routes: the validators' own errors, and a closed socket fails like the service's catch", async () => {
  await using t = await setupOpen();
  const noJid = await t.call("POST", "/group/updateGroupSubject/acme", { subject: "x" });
  assertEquals(noJid.body.response.message, [
    "The group id needs to be informed in the query",
    'ex: "groupJid=120362@g.us"',
  ]);
  const bad = await t.call("POST", "/group/updateSetting/acme?groupJid=1@g.us", { action: "open" });
  assertEquals(bad.status, 400);
  assertEquals(bad.body.response.message, [{
    property: "action",
    message: "action is not one of enum values: announcement,not_announcement,locked,unlocked",
  }]);
  const noParticipants = await t.call("GET", "/group/fetchAllGroups/acme");
  assertEquals(noParticipants.body.response.message, [
    "The getParticipants needs to be informed in the query",
  ]);
  await t.call("DELETE", "/instance/logout/acme");
  const closed = await t.call("POST", "/group/create/acme", { subject: "Team", participants: [TO] });
  assertEquals([closed.status, closed.body.response.message], [500, [
    "Error creating group",
    "Error: Connection Closed",
  ]]);
});

Deno.test("a poll vote arrives as MESSAGES_UPDATE with the aggregated votes; list and button replies as received messages", async () => {
  await using t = await setupOpen();
  const poll = await t.call("POST", "/message/sendPoll/acme", {
    number: TO,
    name: "Lunch?",
    selectableCount: 1,
    values: ["Pizza", "Salad"],
  });
  assertEquals(poll.body.messageType, "pollCreationMessageV3");
  const id = poll.body.key.id as string;
  const update = await t.control.reply(id, { selected: ["Salad"] }) as Record<string, unknown>;
  assertEquals(update.pollUpdates, [
    { name: "Pizza", voters: [] },
    { name: "Salad", voters: [`${TO}@s.whatsapp.net`] },
  ]);
  const hook = await t.hook.waitFor((h) => h.body.event === "messages.update" && h.body.data.pollUpdates);
  assertEquals(hook.body.data.keyId, id);
  // Too many options for a single-choice poll, or an option it does not have.
  await t.control.reply(id, { selected: ["Pizza", "Salad"] }).then(
    () => assert(false),
    (e) => assert(/400/.test(e.message)),
  );
  await t.control.reply(id, { selected: ["Soup"] }).then(
    () => assert(false),
    (e) => assert(/400/.test(e.message)),
  );

  const list = await t.call("POST", "/message/sendList/acme", {
    number: TO,
    title: "Menu",
    footerText: "f",
    buttonText: "Open",
    sections: [{ title: "Dishes", rows: [{ title: "Soup", rowId: "soup" }] }],
  });
  const chosen = await t.control.reply(list.body.key.id, { selected: ["soup"] }) as Reply;
  assertEquals(chosen.messageType, "listResponseMessage");
  assertEquals(chosen.message.listResponseMessage.singleSelectReply, { selectedRowId: "soup" });
  assertEquals(chosen.message.listResponseMessage.contextInfo.stanzaId, list.body.key.id);

  const buttons = await t.call("POST", "/message/sendButtons/acme", {
    number: TO,
    title: "Confirm",
    buttons: [{ type: "reply", displayText: "Yes", id: "yes" }, {
      type: "reply",
      displayText: "No",
      id: "no",
    }],
  });
  assertEquals(buttons.status, 201);
  const pressed = await t.control.reply(buttons.body.key.id, { selected: ["no"] }) as Reply;
  assertEquals(pressed.message.interactiveResponseMessage.body.text, "No");
  const upsert = await t.hook.waitFor((h) =>
    h.body.event === "messages.upsert" && h.body.data.messageType === "interactiveResponseMessage"
  );
  assertEquals(upsert.body.data.key.fromMe, false);
  // A plain text cannot be answered this way.
  const text = await t.call("POST", "/message/sendText/acme", { number: TO, text: "hi" });
  await t.control.reply(text.body.key.id, { selected: ["x"] }).then(
    () => assert(false),
    (e) => assert(/409/.test(e.message)),
  );
});

Deno.test("the new sends answer 2.3.7's business errors", async () => {
  await using t = await setupOpen();
  const send = (action: string, body: unknown) => t.call("POST", `/message/${action}/acme`, body);
  const cases: [string, unknown, number, unknown][] = [
    ["sendButtons", { number: TO, title: "t", buttons: [] }, 400, ["At least one button is required"]],
    [
      "sendButtons",
      {
        number: TO,
        title: "t",
        buttons: [{ type: "reply", id: "a" }, { type: "url", url: "https://x.example" }],
      },
      400,
      ["Reply buttons cannot be mixed with other button types"],
    ],
    ["sendStatus", { type: "text" }, 400, ["Content is required"]],
    ["sendStatus", { type: "text", content: "hi" }, 400, ["StatusJidList is required"]],
    ["sendStatus", { type: "text", content: "hi", statusJidList: [TO] }, 400, [
      "Background color is required",
    ]],
    [
      "sendStatus",
      { type: "text", content: "hi", statusJidList: [TO], backgroundColor: "#000", font: 0 },
      400,
      ["Font is required"],
    ],
    ["sendStatus", { type: "text", content: "hi", allContacts: true }, 400, ["Contacts not found"]],
    [
      "sendReaction",
      { key: { id: "x", remoteJid: `${TO}@s.whatsapp.net`, fromMe: true }, reaction: "ok" },
      400,
      [
        "Reaction must be a single emoji or empty string",
      ],
    ],
    ["sendPtv", { number: TO, video: "not media" }, 400, ["Owned media must be a url or base64"]],
    ["sendContact", { number: TO, contact: [{ fullName: "A", phoneNumber: "123" }] }, 400, [[
      "contact[0].phoneNumber does not meet minimum length of 10",
    ]]],
  ];
  for (const [action, body, status, message] of cases) {
    const res = await send(action, body);
    assertEquals([action, res.status, res.body.response?.message], [action, status, message]);
  }
  const ptv = await send("sendPtv", { number: TO, video: "AAAA" });
  assertEquals([ptv.status, ptv.body.messageType], [201, "ptvMessage"]);
  const status = await send("sendStatus", {
    type: "image",
    content: "https://cdn.example.com/a.jpg",
    statusJidList: [TO],
  });
  assertEquals([status.status, status.body.key.remoteJid, status.body.messageType], [
    201,
    "status@broadcast",
    "imageMessage",
  ]);
  const two = await send("sendContact", {
    number: TO,
    contact: [{ fullName: "Ana", phoneNumber: "+595981000123" }, {
      fullName: "Luis",
      phoneNumber: "+595981000124",
    }],
  });
  assertEquals(two.body.message.contactsArrayMessage.displayName, "2 contacts");
});

Deno.test("blocks, privacy, profile and labels are kept per instance", async () => {
  await using t = await setupOpen();
  assertEquals((await t.call("POST", "/chat/updateBlockStatus/acme", { number: TO, status: "block" })).body, {
    block: "success",
  });
  const privacy = {
    readreceipts: "none",
    profile: "contacts",
    status: "none",
    online: "match_last_seen",
    last: "none",
    groupadd: "contacts",
  };
  assertEquals((await t.call("POST", "/chat/updatePrivacySettings/acme", privacy)).status, 201);
  assertEquals((await t.call("GET", "/chat/fetchPrivacySettings/acme")).body, privacy);
  const badPrivacy = await t.call("POST", "/chat/updatePrivacySettings/acme", { ...privacy, online: "none" });
  assertEquals(badPrivacy.status, 400);
  await t.call("POST", "/chat/updateProfileName/acme", { name: "Acme Sales" });
  assertEquals((await t.call("POST", "/chat/fetchProfile/acme", {})).body.name, "Acme Sales");
  await t.call("POST", "/message/sendText/acme", { number: TO, text: "hi" });
  await t.call("POST", "/label/handleLabel/acme", { number: TO, labelId: "2", action: "add" });
  const chat = await t.call("GET", `/chat/findChatByRemoteJid/acme?remoteJid=${TO}@s.whatsapp.net`);
  assertEquals(chat.body.labels, ["2"]);
  const missing = await t.call("GET", "/chat/findChatByRemoteJid/acme");
  assertEquals([missing.status, missing.body], [400, { error: "remoteJid is a required query parameter" }]);
});
