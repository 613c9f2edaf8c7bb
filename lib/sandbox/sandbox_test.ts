import { deepStrictEqual as assertEquals, match as assertMatch, ok as assert } from "node:assert/strict";
import QRCode from "qrcode";
import type { SandboxOptions } from "./mod.ts";
import { createWithWebhook, eventTrail, startSandboxHarness } from "./testing.ts";

const KEY = "global-test-key";
const setup = (options: Partial<SandboxOptions> = {}) =>
  startSandboxHarness({ apiKey: KEY, ackDelaysMs: [5, 5, 5], webhookRetryDelaysMs: [10, 10], ...options });
const create = createWithWebhook;
const events = eventTrail;

Deno.test("GET / answers the welcome object with version 2.3.7 and needs no key", async () => {
  await using t = await setup();
  const res = await t.call("GET", "/", undefined, null);
  assertEquals(res.status, 200);
  assertEquals(res.body.version, "2.3.7");
  assertEquals(res.body.message, "Welcome to the Evolution API, it is working!");
});

Deno.test("an unknown route or method answers 404 'Cannot METHOD path' before any guard", async () => {
  await using t = await setup();
  await create(t, "acme");
  const put = await t.call("PUT", "/instance/restart/acme", undefined, null);
  assertEquals(put.status, 404);
  assertEquals(put.body, {
    status: 404,
    error: "Not Found",
    response: { message: ["Cannot PUT /instance/restart/acme"] },
  });
  const get = await t.call("GET", "/nothing/here?x=1");
  assertEquals(get.body.response.message, ["Cannot GET /nothing/here?x=1"]);
});

Deno.test("guard order: unknown instance is 404 even with a bad key, then 401 carries a plain string", async () => {
  await using t = await setup();
  const unknown = await t.call("GET", "/instance/connectionState/ghost", undefined, null);
  assertEquals(unknown.status, 404);
  assertEquals(unknown.body.response.message, ['The "ghost" instance does not exist']);
  await create(t, "acme");
  for (const key of [null, "wrong"]) {
    const res = await t.call("GET", "/instance/connectionState/acme", undefined, key);
    assertEquals(res.status, 401);
    assertEquals(res.body, { status: 401, error: "Unauthorized", response: { message: "Unauthorized" } });
  }
  const trailing = await t.call("GET", "/instance/connectionState/acme/");
  assertEquals(trailing.status, 200);
});

Deno.test("an instance token opens only its own instance and narrows fetchInstances", async () => {
  await using t = await setup();
  const a = await create(t, "alpha", { token: "TOKEN-A" });
  await create(t, "beta");
  assertEquals(a.hash, "TOKEN-A");
  assertEquals((await t.call("GET", "/instance/connectionState/alpha", undefined, "TOKEN-A")).status, 200);
  assertEquals((await t.call("GET", "/instance/connectionState/beta", undefined, "TOKEN-A")).status, 401);
  const list = await t.call("GET", "/instance/fetchInstances", undefined, "TOKEN-A");
  assertEquals(list.body.map((i: { name: string }) => i.name), ["alpha"]);
  assertEquals((await t.call("GET", "/instance/fetchInstances", undefined, "nobody")).status, 401);
  const created = await t.call("POST", "/instance/create", {
    instanceName: "x",
    integration: "WHATSAPP-BAILEYS",
  }, "TOKEN-A");
  assertEquals(created.status, 401);
});

Deno.test("POST /instance/create answers 201, 403 on a duplicate before auth, and Evolution's 400 variants", async () => {
  await using t = await setup();
  const res = await t.call("POST", "/instance/create", {
    instanceName: "acme",
    integration: "WHATSAPP-BAILEYS",
  });
  assertEquals(res.status, 201);
  assertEquals(res.body.instance.status, "close");
  assertEquals(res.body.instance.instanceName, "acme");
  assertMatch(res.body.hash, /^[0-9A-F-]{36}$/);
  assertEquals(res.body.webhook, {});
  assertEquals(res.body.settings.msgCall, "");
  const dup = await t.call("POST", "/instance/create", {
    instanceName: "acme",
    integration: "WHATSAPP-BAILEYS",
  }, "bad");
  assertEquals(dup.status, 403);
  assertEquals(dup.body.response.message, ['This name "acme" is already in use.']);
  const noName = await t.call("POST", "/instance/create", { integration: "WHATSAPP-BAILEYS" });
  assertEquals(noName.body.response.message, ['This name "undefined" is already in use.']);
  const empty = await t.call("POST", "/instance/create", { instanceName: "" });
  assertEquals(empty.body.response.message, [['The "instanceName" cannot be empty']]);
  const integration = await t.call("POST", "/instance/create", {
    instanceName: "b",
    integration: "WHATEVER",
  });
  assertEquals([integration.status, integration.body.response.message], [400, ["Invalid integration"]]);
  const cloud = await t.call("POST", "/instance/create", {
    instanceName: "c",
    integration: "WHATSAPP-BUSINESS",
  });
  assertEquals(cloud.body.response.message, ["token is required"]);
  const hook = await t.call("POST", "/instance/create", {
    instanceName: "d",
    integration: "WHATSAPP-BAILEYS",
    webhook: { url: "http://x.example" },
  });
  assertEquals(hook.body.response.message, ["Cannot read properties of undefined (reading 'length')"]);
});

Deno.test("state machine: close → connecting (QR, DB connecting) → open via scan, in memory and in DB", async () => {
  await using t = await setup();
  await create(t, "acme");
  const dbStatus = async () => (await t.call("GET", "/instance/fetchInstances?instanceName=acme")).body[0];
  assertEquals((await dbStatus()).connectionStatus, "close");
  const qr = await t.call("GET", "/instance/connect/acme");
  assertEquals(qr.status, 200);
  assertEquals(qr.body.count, 1);
  assertEquals(qr.body.pairingCode, null);
  assertMatch(qr.body.code, /^2@/);
  assertEquals((await t.call("GET", "/instance/connectionState/acme")).body, {
    instance: { instanceName: "acme", state: "connecting" },
  });
  assertEquals((await dbStatus()).connectionStatus, "connecting");
  assertEquals((await t.call("GET", "/instance/connect/acme")).body.code, qr.body.code);
  await t.control.qrRotate("acme");
  assertEquals((await t.call("GET", "/instance/connect/acme")).body.count, 2);
  await t.control.scan("acme", { phone: "595981000111", profileName: "Acme Ventas" });
  const open = await t.hook.waitFor((h) => h.body.data?.state === "open");
  assertEquals(open.body.data.wuid, "595981000111@s.whatsapp.net");
  assertEquals(open.body.data.statusReason, 200);
  assertEquals(open.body.sender, "595981000111@s.whatsapp.net");
  const row = await dbStatus();
  assertEquals([row.connectionStatus, row.ownerJid, row.profileName], [
    "open",
    "595981000111@s.whatsapp.net",
    "Acme Ventas",
  ]);
  assertEquals((await t.call("GET", "/instance/connect/acme")).body.instance.state, "open");
  const qrEvent = t.hook.events("qrcode.updated")[0];
  assertEquals(qrEvent.body.sender, undefined);
  assertEquals(qrEvent.body.data.qrcode.instance, "acme");
  assertEquals(events(t, "acme").slice(0, 2), ["connection.update:connecting", "qrcode.updated"]);
});

Deno.test("the QR base64 is a PNG data URL whose modules encode the returned code", async () => {
  await using t = await setup();
  await create(t, "acme");
  const { body } = await t.call("GET", "/instance/connect/acme");
  assertMatch(body.base64, /^data:image\/png;base64,/);
  const png = await decodePng(Uint8Array.from(atob(body.base64.split(",")[1]), (c) => c.charCodeAt(0)));
  const expected = QRCode.create(body.code, { errorCorrectionLevel: "L" }).modules;
  const margin = 4;
  const scale = png.width / (expected.size + 2 * margin);
  assert(Number.isInteger(scale), `unexpected scale ${scale}`);
  for (let row = 0; row < expected.size; row++) {
    for (let col = 0; col < expected.size; col++) {
      const dark = png.dark(
        Math.floor((col + margin + 0.5) * scale),
        Math.floor((row + margin + 0.5) * scale),
      );
      assertEquals(dark, expected.get(row, col) === 1, `module ${row},${col}`);
    }
  }
});

Deno.test("connect with ?number= returns an 8-character pairing code", async () => {
  await using t = await setup();
  await create(t, "acme");
  const { body } = await t.call("GET", "/instance/connect/acme?number=595981000111");
  assertMatch(body.pairingCode, /^[A-Z0-9]{8}$/);
  await t.control.scan("acme");
  const row = (await t.call("GET", "/instance/fetchInstances?instanceName=acme")).body[0];
  assertEquals(row.ownerJid, "595981000111@s.whatsapp.net");
});

Deno.test("a transient drop goes connecting → open with no close event and no DB change", async () => {
  await using t = await setup();
  await create(t, "acme");
  await t.control.scan("acme");
  await t.hook.waitFor((h) => h.body.data?.state === "open");
  const before = t.hook.received.length;
  await t.control.drop("acme", 30);
  assertEquals((await t.call("GET", "/instance/connectionState/acme")).body.instance.state, "connecting");
  assertEquals((await t.call("GET", "/instance/fetchInstances")).body[0].connectionStatus, "open");
  await t.hook.waitFor((h) => t.hook.received.indexOf(h) >= before && h.body.data?.state === "open");
  assertEquals(events(t, "acme").slice(-2), ["connection.update:connecting", "connection.update:open"]);
  assertEquals((await t.call("GET", "/instance/connectionState/acme")).body.instance.state, "open");
  assert(!events(t, "acme").includes("connection.update:close"));
});

Deno.test("logout closes with reason 401, keeps the instance, and a later connect gives a new QR", async () => {
  await using t = await setup();
  await create(t, "acme");
  const notConnected = await t.call("DELETE", "/instance/logout/acme");
  assertEquals([notConnected.status, notConnected.body.response.message], [400, [
    'The "acme" instance is not connected',
  ]]);
  await t.control.scan("acme");
  const res = await t.call("DELETE", "/instance/logout/acme");
  assertEquals(res.body, { status: "SUCCESS", error: false, response: { message: "Instance logged out" } });
  const closed = await t.hook.waitFor((h) => h.body.data?.state === "close");
  assertEquals(closed.body.data.statusReason, 401);
  assertEquals(events(t, "acme").slice(-3), [
    "logout.instance",
    "status.instance:closed",
    "connection.update:close",
  ]);
  const row = (await t.call("GET", "/instance/fetchInstances")).body[0];
  assertEquals([row.connectionStatus, row.disconnectionReasonCode], ["close", 401]);
  assert(row.ownerJid, "ownerJid is kept after logout");
  assertEquals((await t.call("GET", "/instance/connect/acme")).body.count, 1);
});

Deno.test("logout from the phone behaves like an API logout", async () => {
  await using t = await setup();
  await create(t, "acme");
  await t.control.scan("acme");
  await t.control.phoneLogout("acme");
  await t.hook.waitFor((h) => h.body.data?.state === "close");
  assertEquals((await t.call("GET", "/instance/connectionState/acme")).body.instance.state, "close");
  assertEquals((await t.call("GET", "/instance/fetchInstances")).body[0].connectionStatus, "close");
});

Deno.test("the QR limit emits the limit message and refused, then closes", async () => {
  await using t = await setup({ qrLimit: 2 });
  await create(t, "acme");
  await t.call("GET", "/instance/connect/acme");
  await t.control.qrRotate("acme");
  await t.control.qrRotate("acme");
  const limit = await t.hook.waitFor((h) => h.body.data?.statusCode === 500);
  assertEquals(limit.body.data.message, "QR code limit reached, please login again");
  const refused = await t.hook.waitFor((h) => h.body.data?.state === "refused");
  assertEquals(refused.body.data.statusReason, 428);
  assertEquals((await t.call("GET", "/instance/connectionState/acme")).body.instance.state, "close");
  assertEquals((await t.call("GET", "/instance/fetchInstances")).body[0].connectionStatus, "close");
  await t.call("GET", "/instance/connect/acme");
  await t.control.qrLimit("acme");
  assertEquals((await t.call("GET", "/instance/connectionState/acme")).body.instance.state, "close");
});

Deno.test("restart is POST: closed answers HTTP 200 error:true, open answers open and reconnects", async () => {
  await using t = await setup();
  await create(t, "acme");
  const closed = await t.call("POST", "/instance/restart/acme");
  assertEquals([closed.status, closed.body], [200, { error: true, message: "[object Object]" }]);
  await t.control.scan("acme");
  await t.hook.waitFor((h) => h.body.data?.state === "open");
  const before = t.hook.received.length;
  const open = await t.call("POST", "/instance/restart/acme");
  assertEquals(open.body, { instance: { instanceName: "acme", state: "open" } });
  await t.hook.waitFor((h) => t.hook.received.indexOf(h) > before && h.body.data?.state === "open");
  assertEquals(events(t, "acme").slice(-2), ["connection.update:connecting", "connection.update:open"]);
});

Deno.test("delete emits INSTANCE_DELETE then REMOVE_INSTANCE and the name is 404 afterwards", async () => {
  await using t = await setup();
  await create(t, "acme");
  await t.control.scan("acme");
  const res = await t.call("DELETE", "/instance/delete/acme");
  assertEquals(res.body, { status: "SUCCESS", error: false, response: { message: "Instance deleted" } });
  await t.hook.waitFor((h) => h.body.event === "remove.instance");
  assertEquals(events(t, "acme").slice(-2), ["instance.delete", "remove.instance"]);
  assertEquals((await t.call("GET", "/instance/connectionState/acme")).status, 404);
  assertEquals((await t.call("DELETE", "/instance/delete/acme")).status, 404);
  assertEquals((await t.call("GET", "/instance/fetchInstances")).body, []);
  const missing = await t.call("GET", "/instance/fetchInstances?instanceName=acme");
  assertEquals(missing.body.response.message, ['Instance "acme" not found']);
});

Deno.test("Cloud instances are open from creation and connect answers the state", async () => {
  await using t = await setup();
  const res = await t.call("POST", "/instance/create", {
    instanceName: "meta",
    integration: "WHATSAPP-BUSINESS",
    token: "EAAG",
    number: "1234567890",
  });
  assertEquals(res.body.instance.status, "open");
  assertMatch(res.body.instance.webhookWaBusiness, /\/webhook\/meta$/);
  assertEquals((await t.call("GET", "/instance/connect/meta")).body.instance.state, "open");
});

Deno.test("settings set answers 201 with the double wrapper and find returns the flags", async () => {
  await using t = await setup();
  await create(t, "acme");
  const missing = await t.call("POST", "/settings/set/acme", { rejectCall: true });
  assertEquals(missing.body.response.message[0][0], 'instance requires property "groupsIgnore"');
  const flags = {
    rejectCall: true,
    msgCall: "busy",
    groupsIgnore: true,
    alwaysOnline: false,
    readMessages: false,
    readStatus: false,
    syncFullHistory: false,
  };
  const set = await t.call("POST", "/settings/set/acme", flags);
  assertEquals([set.status, set.body], [201, { settings: { instanceName: "acme", settings: flags } }]);
  assertEquals((await t.call("GET", "/settings/find/acme")).body, { ...flags, wavoipToken: "" });
});

Deno.test("reset forgets every instance", async () => {
  await using t = await setup();
  await create(t, "acme");
  await t.control.reset();
  assertEquals((await t.call("GET", "/instance/fetchInstances")).body, []);
  const unauthorized = await t.call("POST", "/_sandbox/reset", {}, "nope");
  assertEquals(unauthorized.status, 401);
});

/** Minimal PNG reader: checks the signature and CRCs, inflates IDAT and undoes the scanline filters. */
async function decodePng(bytes: Uint8Array) {
  assertEquals([...bytes.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let width = 0, height = 0, channels = 0;
  const idat: Uint8Array<ArrayBuffer>[] = [];
  for (let at = 8; at < bytes.length;) {
    const length = view.getUint32(at);
    const type = new TextDecoder().decode(bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, at + 8 + length);
    assertEquals(
      view.getUint32(at + 8 + length),
      crc32(bytes.subarray(at + 4, at + 8 + length)),
      `${type} CRC`,
    );
    if (type === "IHDR") {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      assertEquals(data[8], 8, "bit depth");
      channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[data[9]];
      assert(channels, `colour type ${data[9]}`);
    }
    if (type === "IDAT") idat.push(data.slice());
    at += 12 + length;
  }
  const raw = new Uint8Array(
    await new Response(new Blob(idat).stream().pipeThrough(new DecompressionStream("deflate"))).arrayBuffer(),
  );
  const stride = width * channels;
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? pixels[y * stride + x - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
        ? a
        : Math.abs(p - b) <= Math.abs(p - c)
        ? b
        : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter];
      pixels[y * stride + x] = (value + predictor) & 0xff;
    }
  }
  return { width, height, dark: (x: number, y: number) => pixels[y * stride + x * channels] < 128 };
}

function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
