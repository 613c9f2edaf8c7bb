import { errorBody } from "./_helpers/errors.ts";
import { assert, assertEquals, assertStringIncludes } from "../lib/core/testing.ts";
import { createApp } from "../app.ts";
import {
  type AppDeps,
  connect,
  createLogger,
  createMemoryCache,
  loadConfig,
  systemClock,
} from "../lib/core/mod.ts";
import { createEvolutionClient } from "../lib/gateway/mod.ts";
import { startTestApp } from "./_helpers/app.ts";

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "x-xss-protection": "1; mode=block",
  "referrer-policy": "strict-origin-when-cross-origin",
  "strict-transport-security": "max-age=31536000; includeSubDomains",
};

function assertSecurityHeaders(res: Response, what: string) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
    assertEquals(res.headers.get(name), value, `${what}: ${name}`);
  }
}

/** The real app with a few extra routes that exercise the shared middleware and error mapper. */
function appWithProbes(deps: AppDeps) {
  const app = createApp(deps);
  app.post(
    "/api/_probe/echo",
    async (c) => c.json({ got: await c.req.json(), type: c.req.header("content-type") }),
  );
  app.post("/api/_probe/size", async (c) => c.json({ bytes: (await c.req.arrayBuffer()).byteLength }));
  app.get("/api/_probe/boom", () => {
    throw new Error("secret database detail at /srv/app.ts:12");
  });
  app.get("/panel/_probe/boom", () => {
    throw new Error("secret panel detail");
  });
  return app;
}

Deno.test("the gateway answers health, redirects, 404, CORS, malformed JSON, body limits and panel errors, with security headers and access logs", async (t) => {
  const lines: string[] = [];
  const app = await startTestApp({ env: { GATEWAY_CORS_ORIGIN: "https://panel.example.com" } });
  const deps: AppDeps = { ...app.deps, log: createLogger("info", (line) => lines.push(line)) };
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    appWithProbes(deps).fetch,
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    await t.step("GET /health answers 200 JSON and checks the database", async () => {
      const res = await fetch(`${base}/health`);
      assertEquals(res.status, 200);
      assertStringIncludes(res.headers.get("content-type") ?? "", "application/json");
      assertEquals(await res.json(), {
        status: "ok",
        gateway: "taguato",
        db: "connected",
        cache: app.deps.cache.kind === "redis" ? "connected" : "memory",
      });
      const post = await fetch(`${base}/health`, { method: "POST" });
      assertEquals(post.status, 200);
      await post.body?.cancel();
    });

    await t.step("GET / redirects to the panel", async () => {
      const res = await fetch(`${base}/`, { redirect: "manual" });
      assertEquals(res.status, 302);
      assertEquals(res.headers.get("location"), "/panel/");
      await res.body?.cancel();
    });

    await t.step("every response carries the security headers and a request id", async () => {
      for (
        const [path, init] of [["/health", {}], ["/nope", {}], ["/anything", { method: "OPTIONS" }]] as const
      ) {
        const res = await fetch(`${base}${path}`, init);
        assertSecurityHeaders(res, path);
        assert(res.headers.get("x-request-id"), `${path} has no X-Request-Id`);
        await res.body?.cancel();
      }
    });

    await t.step(
      "a client's plain request id is kept; anything else is replaced by a fresh UUID",
      async () => {
        const ids = [];
        for (const given of ["trace-42_a=", "two words", "x".repeat(256)]) {
          const res = await fetch(`${base}/health`, { headers: { "x-request-id": given } });
          await res.body?.cancel();
          ids.push(res.headers.get("x-request-id"));
        }
        assertEquals(ids[0], "trace-42_a=");
        const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
        assert(uuid.test(ids[1] ?? "") && uuid.test(ids[2] ?? "") && ids[1] !== ids[2], `got ${ids}`);
      },
    );

    await t.step("unknown paths answer 404 {error: Not found}", async () => {
      const res = await fetch(`${base}/api/templatesX`);
      assertEquals(res.status, 404);
      assertEquals(await res.json(), errorBody("Not found"));
    });

    await t.step("OPTIONS on any path is 204 with the configured CORS headers and no auth", async () => {
      const res = await fetch(`${base}/admin/users`, { method: "OPTIONS" });
      assertEquals(res.status, 204);
      assertEquals(await res.text(), "");
      assertEquals(res.headers.get("access-control-allow-origin"), "https://panel.example.com");
      const allowed = res.headers.get("access-control-allow-headers") ?? "";
      for (const name of ["apikey", "Idempotency-Key", "X-Ignore-Opt-Out"]) {
        assertStringIncludes(allowed, name);
      }
      assertEquals(res.headers.get("access-control-max-age"), "86400");
    });

    await t.step("malformed JSON is 400 Invalid JSON body, whatever the content type", async () => {
      for (const type of ["application/json", "text/plain", "application/x-www-form-urlencoded"]) {
        const res = await fetch(`${base}/api/_probe/echo`, {
          method: "POST",
          headers: { "content-type": type },
          body: '{"username": "a",',
        });
        assertEquals(res.status, 400, type);
        assertEquals(await res.json(), errorBody("Invalid JSON body"));
      }
    });

    await t.step("a JSON body sent as form data (curl -d) is read as JSON", async () => {
      const res = await fetch(`${base}/api/_probe/echo`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: '{"username":"ana"}',
      });
      assertEquals(res.status, 200);
      assertEquals(await res.json(), { got: { username: "ana" }, type: "application/json" });
    });

    await t.step("a 20 MB body is read completely and a body over 50 MB is refused with 413", async () => {
      const big = new Uint8Array(20 * 1024 * 1024).fill(97);
      const ok = await fetch(`${base}/api/_probe/size`, { method: "POST", body: big });
      assertEquals(await ok.json(), { bytes: big.byteLength });
      const huge = await fetch(`${base}/api/_probe/size`, {
        method: "POST",
        body: new Uint8Array(50 * 1024 * 1024 + 1),
      });
      assertEquals(huge.status, 413);
      assertEquals(await huge.json(), errorBody("Request body too large"));
    });

    await t.step(
      "an unexpected error is a generic 500 that leaks nothing and logs the request id",
      async () => {
        const res = await fetch(`${base}/api/_probe/boom`);
        assertEquals(res.status, 500);
        const body = await res.json();
        assertEquals(body.error, "Internal server error");
        assertEquals(body.request_id, res.headers.get("x-request-id"));
        assertEquals(JSON.stringify(body).includes("secret"), false);
        const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === "unhandled error");
        assertEquals(logged?.request_id, body.request_id);
        assertStringIncludes(logged?.error, "secret database detail");
      },
    );

    await t.step("panel paths get an HTML error page instead of JSON", async () => {
      const res = await fetch(`${base}/panel/_probe/boom`);
      assertEquals(res.status, 500);
      assertStringIncludes(res.headers.get("content-type") ?? "", "text/html");
      const html = await res.text();
      assertEquals(html.includes("secret panel detail"), false);
      assertStringIncludes(html, res.headers.get("x-request-id")!);
    });

    await t.step("every request writes one JSON access-log line", async () => {
      lines.length = 0;
      const res = await fetch(`${base}/health`, { headers: { "user-agent": "probe/1" } });
      await res.body?.cancel();
      const access = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === "request");
      assertEquals(access.length, 1);
      assertEquals([access[0].method, access[0].uri, access[0].status, access[0].ua], [
        "GET",
        "/health",
        200,
        "probe/1",
      ]);
      assertEquals(access[0].request_id, res.headers.get("x-request-id"));
    });

    await t.step("/api/openapi.json documents the routes and /api/docs serves its UI locally", async () => {
      const doc = await (await fetch(`${base}/api/openapi.json`)).json();
      assertEquals(doc.openapi, "3.1.0");
      assert(doc.paths["/health"]?.get, "GET /health missing from the OpenAPI document");
      assertEquals(doc.components.securitySchemes.apikey, {
        type: "apiKey",
        in: "header",
        name: "apikey",
        description: "A session token from POST /api/auth/login, or an API key",
      });
      const page = await (await fetch(`${base}/api/docs`)).text();
      assertStringIncludes(page, "/api/docs/assets/swagger-ui-dist/swagger-ui-bundle.js");
      const asset = await fetch(`${base}/api/docs/assets/swagger-ui-dist/swagger-ui-bundle.js`);
      assertEquals(asset.status, 200);
      assertStringIncludes(asset.headers.get("content-type") ?? "", "javascript");
      await asset.body?.cancel();
      const other = await fetch(`${base}/api/docs/assets/swagger-ui-dist/package.json`);
      assertEquals(other.status, 404);
      await other.body?.cancel();
    });
  } finally {
    await server.shutdown();
    await app.close();
  }
});

Deno.test("without GATEWAY_CORS_ORIGIN no CORS header is sent, and OPTIONS is still 204", async () => {
  await using app = await startTestApp();
  const res = await fetch(`${app.url}/message/sendText/x`, { method: "OPTIONS" });
  assertEquals(res.status, 204);
  assertEquals(res.headers.get("access-control-allow-origin"), null);
  await res.body?.cancel();
});

Deno.test("GET /health answers 503 degraded when PostgreSQL is unreachable", async () => {
  const sql = connect("postgres://nobody@127.0.0.1:1/x", 1);
  const deps: AppDeps = {
    config: loadConfig({}),
    sql,
    dbMode: "postgres",
    cache: createMemoryCache(),
    evolution: createEvolutionClient({ baseUrl: "http://127.0.0.1:1", apiKey: "k" }),
    clock: systemClock,
    log: createLogger("error", () => {}),
  };
  try {
    const res = await createApp(deps).request("/health");
    assertEquals(res.status, 503);
    assertEquals(await res.json(), {
      status: "degraded",
      gateway: "taguato",
      db: "disconnected",
      cache: "memory",
    });
  } finally {
    await sql.end({ timeout: 0 });
  }
});
