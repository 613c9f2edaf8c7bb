// The edge checks every request passes before any route: body size counted while streaming (chunked
// bodies too, small caps on auth and the engine-events ingest) and NUL characters refused with a 400.
import { Hono } from "hono";
import { type AppEnv, bodyReader, errorMapper, silentLogger } from "../lib/core/mod.ts";
import { assertEquals } from "../lib/core/testing.ts";
import { engineEventsToken } from "../lib/gateway/mod.ts";
import { startTestApp } from "./_helpers/app.ts";
import { adminLogin, assertError, call, createUser } from "./_helpers/accounts.ts";

/** A chunked (no Content-Length) body of `total` bytes, sent in 1 MB pieces. */
function chunkedBody(total: number, first = ""): ReadableStream<Uint8Array> {
  const piece = new Uint8Array(1024 * 1024).fill(97);
  let sent = 0;
  return new ReadableStream({
    pull(ctrl) {
      if (sent === 0 && first) {
        const head = new TextEncoder().encode(first);
        sent += head.byteLength;
        return ctrl.enqueue(head);
      }
      if (sent >= total) return ctrl.close();
      const n = Math.min(piece.byteLength, total - sent);
      sent += n;
      ctrl.enqueue(n === piece.byteLength ? piece : piece.subarray(0, n));
    },
  });
}

/** Sends a streamed body and returns the status and parsed answer (or the transport error's text). */
async function stream(url: string, body: ReadableStream<Uint8Array>, type: string) {
  const res = await fetch(url, { method: "POST", headers: { "content-type": type }, body });
  return { status: res.status, body: await res.json() };
}

Deno.test("bodies are counted while streaming: a chunked body over a cap is 413 for every content type", async (t) => {
  await using app = await startTestApp();
  const mb = 1024 * 1024;

  await t.step("a chunked JSON body over 50 MB is refused with 413", async () => {
    const r = await stream(
      `${app.url}/message/sendText/x`,
      chunkedBody(51 * mb, '{"text":"'),
      "application/json",
    );
    assertEquals([r.status, r.body.error], [413, "Request body too large"]);
  });

  await t.step("a chunked multipart body over 50 MB is refused with 413", async () => {
    const r = await stream(
      `${app.url}/message/sendMedia/x`,
      chunkedBody(51 * mb),
      "multipart/form-data; boundary=x",
    );
    assertEquals([r.status, r.body.error], [413, "Request body too large"]);
  });

  await t.step("a 100 KB login body is 413 (auth routes cap bodies at 64 KB)", async () => {
    const r = await call(app, "POST", "/api/auth/login", {
      body: { username: "admin", password: "x".repeat(100 * 1024) },
    });
    assertError(r, 413, "Request body too large");
    const chunked = await stream(
      `${app.url}/api/auth/forgot-password`,
      chunkedBody(100 * 1024, '{"username":"'),
      "application/json",
    );
    assertEquals(chunked.status, 413);
    // A normal login still works.
    const ok = await call(app, "POST", "/api/auth/login", {
      body: { username: app.admin.username, password: app.admin.password },
    });
    assertEquals(ok.status, 200);
  });

  await t.step(
    "the engine-events ingest refuses a body over its 1 MB cap before reading it as JSON",
    async () => {
      const owner = await createUser(app, await adminLogin(app), { username: "ingest_cap" });
      await app.db
        .sql`INSERT INTO taguato.user_instances (user_id, instance_name) VALUES (${owner.id}, 'cap-wa')`;
      const r = await stream(
        `${app.url}/internal/engine-events/${await engineEventsToken(app.deps, "cap-wa")}`,
        chunkedBody(2 * mb, '{"event":"'),
        "application/json",
      );
      assertEquals(r.status, 413);
    },
  );
});

Deno.test("a NUL character in a JSON string, key, path segment or query value is a 400, never a 500", async (t) => {
  await using app = await startTestApp();
  const admin = await adminLogin(app);
  const ana = await createUser(app, admin, { username: "ana_nul" });
  const nul = "bad\u0000value";
  const refused = (r: Awaited<ReturnType<typeof call>>, what: string) => {
    assertEquals(r.status, 400, `${what}: ${JSON.stringify(r.body)}`);
    assertError(r, 400, "Text must not contain NUL characters");
  };

  await t.step("login", async () => {
    refused(await call(app, "POST", "/api/auth/login", { body: { username: nul, password: "x" } }), "login");
  });
  await t.step("verify-reset-code", async () => {
    refused(
      await call(app, "POST", "/api/auth/verify-reset-code", { body: { username: nul, code: "123456" } }),
      "verify-reset-code",
    );
  });
  await t.step("templates create and update", async () => {
    refused(
      await call(app, "POST", "/api/templates", { token: ana.token, body: { name: nul, content: "hi" } }),
      "create",
    );
    const made = await call(app, "POST", "/api/templates", {
      token: ana.token,
      body: { name: "ok", content: "hi" },
    });
    assertEquals(made.status, 201);
    refused(
      await call(app, "PUT", `/api/templates/${made.body.template.id}`, {
        token: ana.token,
        body: { name: "ok", content: nul },
      }),
      "update",
    );
  });
  await t.step("api keys create", async () => {
    refused(await call(app, "POST", "/api/keys", { token: ana.token, body: { name: nul } }), "keys");
  });
  await t.step("GET /api/instance/stats/%00", async () => {
    refused(await call(app, "GET", "/api/instance/stats/%00", { token: ana.token }), "stats");
  });
  await t.step("nested values, keys and query values are refused too", async () => {
    refused(
      await call(app, "POST", "/api/templates", {
        token: ana.token,
        body: { name: "n", content: "c", extra: [{ deep: ["x", nul] }] },
      }),
      "deep value",
    );
    refused(
      await call(app, "POST", "/api/templates", {
        token: ana.token,
        body: { name: "n", content: "c", ["k\u0000"]: 1 },
      }),
      "key",
    );
    refused(await call(app, "GET", "/api/templates?page=1%00", { token: ana.token }), "query");
    refused(await call(app, "GET", "/api/templates?a%00=1", { token: ana.token }), "query key");
    // An escaped backslash followed by "u0000" is ordinary text.
    const fine = await call(app, "POST", "/api/templates", {
      token: ana.token,
      raw: '{"name":"lit","content":"\\\\u0000"}',
    });
    assertEquals([fine.status, fine.body.template?.content], [201, "\\u0000"]);
  });
});

Deno.test("a body read at the edge reaches every reader of the route whole, with or without a Content-Length", async (t) => {
  // The edge middleware in front of echo routes, over real HTTP (so Content-Length and chunking are real).
  const app = new Hono<AppEnv>();
  app.use(bodyReader());
  app.post("/echo", async (c) => {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    const type = c.req.header("content-type") ?? "";
    const text = await c.req.text();
    return c.json({
      type,
      size: bytes.byteLength,
      text,
      json: /json/.test(type) ? await c.req.json() : null,
      form: /form/.test(type)
        ? Object.fromEntries(
          Object.entries(await c.req.parseBody()).map((
            [k, v],
          ) => [k, typeof v === "string" ? v : `file ${v.name} ${v.size}`]),
        )
        : null,
    });
  });
  app.onError(errorMapper(silentLogger));
  await using server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  const url = `http://127.0.0.1:${server.addr.port}/echo`;
  const post = async (body: BodyInit, headers: Record<string, string> = {}) => {
    const res = await fetch(url, { method: "POST", headers, body });
    return { status: res.status, body: await res.json() };
  };
  // Three-byte characters, so a chunk boundary can fall inside one.
  const json = JSON.stringify({ text: "ñandú €".repeat(2000), n: 1 });
  const size = new TextEncoder().encode(json).byteLength;

  await t.step("a JSON body with a Content-Length: bytes, text and JSON", async () => {
    const r = await post(json, { "content-type": "application/json" });
    assertEquals(r.status, 200);
    assertEquals([r.body.size, r.body.text, r.body.json], [size, json, JSON.parse(json)]);
  });

  await t.step("the same body chunked, in pieces that split characters", async () => {
    const bytes = new TextEncoder().encode(json);
    let at = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        if (at >= bytes.byteLength) return ctrl.close();
        ctrl.enqueue(bytes.slice(at, at += 1001));
      },
    });
    const r = await post(body, { "content-type": "application/json" });
    assertEquals(r.status, 200);
    assertEquals([r.body.size, r.body.text, r.body.json], [size, json, JSON.parse(json)]);
  });

  await t.step("a JSON-looking text/plain body is read as JSON (curl -d)", async () => {
    const r = await post(json, { "content-type": "text/plain" });
    assertEquals([r.status, r.body.type, r.body.json], [200, "application/json", JSON.parse(json)]);
  });

  await t.step("a urlencoded form and a multipart upload keep their fields and file", async () => {
    const urlencoded = await post("a=1&b=%C3%B1", { "content-type": "application/x-www-form-urlencoded" });
    assertEquals([urlencoded.status, urlencoded.body.form], [200, { a: "1", b: "ñ" }]);
    const form = new FormData();
    form.set("caption", "hola");
    form.set("file", new File([new Uint8Array(70_000).fill(7)], "a.bin"));
    const multipart = await post(form);
    assertEquals(multipart.status, 200);
    assertEquals(multipart.body.form, { caption: "hola", file: "file a.bin 70000" });
  });

  await t.step("a NUL in a declared-length JSON body is still a 400", async () => {
    const r = await post('{"text":"a\\u0000b"}', { "content-type": "application/json" });
    assertEquals(r.status, 400);
  });
});
