/**
 * SSRF through the engine (issue 8 item 4, engine part): media and picture URLs are downloaded by the
 * gateway (addresses checked and pinned, see lib/gateway/media_fetch_test.ts) and reach the engine as
 * base64, so the engine never fetches a URL a caller chose; `proxy/*` is for admins only. The media
 * server is on loopback, which only MEDIA_ALLOW_PRIVATE=true permits.
 */
import { errorBody } from "./_helpers/errors.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { createEvolutionClient } from "../lib/gateway/mod.ts";
import { ENGINE_KEY } from "./_helpers/app.ts";
import type { TestAppOptions } from "./_helpers/app.ts";
import { call, engineSaw, makeInstance, makeUser, startGateway } from "./proxy_fixtures.ts";

const PNG_BYTES = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="),
  (ch) => ch.charCodeAt(0),
);

function startMediaServer() {
  const hits: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    hits.push(path);
    if (path === "/hop") return Response.redirect(new URL("/docs/invoice.pdf", req.url), 302);
    if (path.endsWith(".pdf")) {
      return new Response("%PDF-1.4", { headers: { "content-type": "application/pdf" } });
    }
    return new Response(PNG_BYTES, { headers: { "content-type": "image/png" } });
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, hits, stop: () => server.shutdown() };
}

/** The gateway with its engine client pointed at an echo server that records what the engine received. */
async function startEchoGateway(options: TestAppOptions = {}) {
  const gw = await startGateway(options);
  const seen: { path: string; body: string }[] = [];
  const echo = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    seen.push({ path: new URL(req.url).pathname, body: await req.text() });
    return Response.json({ key: { id: "3EB0ECHO" } }, { status: 201 });
  });
  const media = startMediaServer();
  gw.deps.evolution = createEvolutionClient({
    baseUrl: `http://127.0.0.1:${echo.addr.port}`,
    apiKey: ENGINE_KEY,
  });
  const user = await makeUser(gw);
  await gw.db
    .sql`INSERT INTO taguato.user_instances (user_id, instance_name) VALUES (${user.id}, 'media-inst')`;
  return {
    gw,
    user,
    seen,
    media,
    async [Symbol.asyncDispose]() {
      await media.stop();
      await echo.shutdown();
      await gw.close();
    },
  };
}

Deno.test("media and picture URLs are downloaded by the gateway and reach the engine as base64", async () => {
  await using t = await startEchoGateway({ env: { MEDIA_ALLOW_PRIVATE: "true" } });
  const { gw, user, seen, media } = t;
  const png = btoa(String.fromCharCode(...PNG_BYTES));
  const cases: [string, Record<string, unknown>, string, Record<string, unknown>][] = [
    [
      "/message/sendMedia/media-inst",
      { number: "595981000111", mediatype: "image", media: `${media.url}/a.png` },
      "media",
      { media: png, mimetype: "image/png", fileName: "a.png" },
    ],
    [
      "/message/sendMedia/media-inst",
      { number: "595981000111", mediatype: "document", media: `${media.url}/hop` },
      "media",
      { media: btoa("%PDF-1.4"), mimetype: "application/pdf", fileName: "invoice.pdf" },
    ],
    [
      "/message/sendWhatsAppAudio/media-inst",
      { number: "595981000111", audio: `${media.url}/n.ogg` },
      "audio",
      {
        audio: png,
      },
    ],
    [
      "/message/sendSticker/media-inst",
      { number: "595981000111", sticker: `${media.url}/s.webp` },
      "sticker",
      {
        sticker: png,
      },
    ],
    ["/chat/updateProfilePicture/media-inst", { picture: `${media.url}/p.png` }, "picture", { picture: png }],
    [
      "/group/updateGroupPicture/media-inst",
      { groupJid: "120363025246125244@g.us", image: `${media.url}/g.png` },
      "image",
      { image: png },
    ],
  ];
  for (const [path, body, field, expected] of cases) {
    const before = seen.length;
    const res = await call(gw, "POST", path, { token: user.token, body });
    assertEquals(res.status, 201, `${path}: ${JSON.stringify(res.body)}`);
    assertEquals(seen.length, before + 1);
    const upstream = JSON.parse(seen[before].body);
    for (const [k, v] of Object.entries(expected)) assertEquals(upstream[k], v, `${path} ${k}`);
    assert(!String(upstream[field]).includes("://"), `${path}: no URL reached the engine`);
  }
  assertEquals(media.hits.length, 7, "the gateway fetched each URL (and the redirect) itself");
});

Deno.test("without MEDIA_ALLOW_PRIVATE, private picture URLs are refused before the engine; proxy/* is admin-only", async () => {
  await using gw = await startGateway();
  const user = await makeUser(gw);
  const admin = await makeUser(gw, { role: "admin" });
  await makeInstance(gw, user, "pic-inst");
  for (
    const [path, body] of [
      ["/chat/updateProfilePicture/pic-inst", { picture: "https://10.0.0.5/p.png" }],
      ["/chat/updateProfilePicture/pic-inst", { picture: "http://169.254.169.254/latest/meta-data" }],
      ["/group/updateGroupPicture/pic-inst", { groupJid: "1203@g.us", image: "https://127.0.0.1/g.png" }],
    ] as const
  ) {
    const field = "picture" in body ? "picture" : "image";
    const res = await call(gw, "POST", path, { token: user.token, body });
    assertEquals([res.status, res.body], [400, errorBody("media_url_private", { field })], path);
  }
  assertEquals(engineSaw(gw, "Picture"), [], "no picture call reached the engine");
  // A multipart body is forwarded as is, so a URL may not ride in it.
  const form = new FormData();
  for (
    const [k, v] of Object.entries({
      number: "595981000111",
      mediatype: "image",
      media: "https://cdn.example.com/a.png",
    })
  ) {
    form.set(k, v);
  }
  const multipart = await fetch(`${gw.url}/message/sendMedia/pic-inst`, {
    method: "POST",
    headers: { apikey: user.token },
    body: form,
  });
  assertEquals([multipart.status, await multipart.json()], [
    400,
    errorBody("media_url_in_form", { field: "media" }),
  ]);
  const set = await call(gw, "POST", "/proxy/set/pic-inst", {
    token: user.token,
    body: { enabled: true, host: "10.0.0.1", port: "3128", protocol: "http" },
  });
  assertEquals([set.status, set.body], [403, errorBody("Admin access required")]);
  const find = await call(gw, "GET", "/proxy/find/pic-inst", { token: user.token });
  assertEquals([find.status, find.body], [403, errorBody("Admin access required")]);
  assertEquals(engineSaw(gw, "/proxy/"), []);
  const byAdmin = await call(gw, "GET", "/proxy/find/pic-inst", { token: admin.token });
  assertEquals(engineSaw(gw, "/proxy/").length, 1, `admins reach it (${byAdmin.status})`);
});
