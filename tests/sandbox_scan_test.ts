import { createApp } from "../app.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { SESSION_COOKIE } from "../lib/auth/mod.ts";
import { errorBody } from "./_helpers/errors.ts";
import { call, grant, makeApiKey, makeInstance, makeUser, startGateway } from "./proxy_fixtures.ts";

// The engine's log lines of the sandbox's scan hook: proves whether the gateway asked for a scan.
const scans = (log: string[], name: string) =>
  log.filter((l) => l.startsWith(`POST /_sandbox/instances/${name}/scan `));

Deno.test("POST /api/sandbox/instances/{name}/scan links an instance the caller may reach", async (t) => {
  await using gw = await startGateway({ cache: "memory" });
  const ana = await makeUser(gw);
  const beto = await makeUser(gw);
  const root = await makeUser(gw, { role: "admin" });
  await makeInstance(gw, ana, "sb-ana");
  await makeInstance(gw, ana, "sb-shared");
  await makeInstance(gw, ana, "sb-cookie");
  await makeInstance(gw, beto, "sb-beto");
  await grant(gw, "sb-shared", beto, ana);
  const scan = (name: string, opts: Parameters<typeof call>[3] = {}) =>
    call(gw, "POST", `/api/sandbox/instances/${encodeURIComponent(name)}/scan`, opts);
  const state = async (name: string, token: string) =>
    (await call(gw, "GET", `/instance/connectionState/${name}`, { token })).body.instance.state;

  await t.step("the owner's session: the sandbox scans it and the instance is open", async () => {
    assertEquals(await state("sb-ana", ana.token), "close");
    const r = await scan("sb-ana", { token: ana.token });
    assertEquals([r.status, r.body], [200, { instance: "sb-ana", state: "open" }]);
    assertEquals(await state("sb-ana", ana.token), "open");
    assertEquals(scans(gw.engineLog, "sb-ana").length, 1);
    // Again (a double click): nothing to do, not an error.
    const again = await scan("sb-ana", { token: ana.token });
    assertEquals([again.status, again.body], [200, { instance: "sb-ana", state: "open" }]);
  });

  await t.step(
    "a grantee may; another tenant's instance is refused before the sandbox hears of it",
    async () => {
      const other = await scan("sb-beto", { token: ana.token });
      assertEquals([other.status, other.body], [403, errorBody("engine_instance_not_owned")]);
      assertEquals(scans(gw.engineLog, "sb-beto"), []);
      assertEquals(await state("sb-beto", beto.token), "close");
      const shared = await scan("sb-shared", { token: beto.token });
      assertEquals(shared.status, 200);
    },
  );

  await t.step("API keys: full scope within their instance list only", async () => {
    const limited = await makeApiKey(gw, beto, "full", ["sb-shared"]);
    const refused = await scan("sb-beto", { token: limited });
    assertEquals([refused.status, refused.body], [403, errorBody("engine_instance_not_owned")]);
    const read = await makeApiKey(gw, beto, "read");
    const readOnly = await scan("sb-beto", { token: read });
    assertEquals([readOnly.status, readOnly.body], [403, errorBody("api_key_scope")]);
    assertEquals(scans(gw.engineLog, "sb-beto"), []);
    const full = await makeApiKey(gw, beto, "full");
    assertEquals((await scan("sb-beto", { token: full })).status, 200);
  });

  await t.step("the panel cookie needs a same-origin request", async () => {
    const cookie = `${SESSION_COOKIE}=${ana.token}`;
    const attempts: Record<string, string>[] = [{ cookie }, { cookie, origin: "https://evil.example" }];
    for (const headers of attempts) {
      const r = await scan("sb-cookie", { headers });
      assertEquals([r.status, r.body], [403, errorBody("csrf_failed")]);
    }
    assertEquals(scans(gw.engineLog, "sb-cookie"), []);
    const ok = await scan("sb-cookie", { headers: { cookie, origin: gw.url } });
    assertEquals([ok.status, ok.body], [200, { instance: "sb-cookie", state: "open" }]);
  });

  await t.step(
    "no credential is 401; an admin reaches any name, and one the engine lacks is 404",
    async () => {
      const anonymous = await scan("sb-ana");
      assertEquals([anonymous.status, anonymous.body], [401, errorBody("missing_apikey")]);
      await makeInstance(gw, ana, "sb-admin");
      assertEquals((await scan("sb-admin", { token: root.token })).status, 200);
      const missing = await scan("sb-nowhere", { token: root.token });
      assertEquals([missing.status, missing.body], [404, errorBody("instance_not_found")]);
      for (const hostile of ["../sb-ana", "x".repeat(101), "sb ana", "-sb"]) {
        const r = await scan(hostile, { token: root.token });
        assertEquals([r.status, r.body], [404, errorBody("instance_not_found")], hostile);
      }
      const asked = gw.engineLog.filter((l) => l.includes("/_sandbox/")).map((l) => l.split(" -> ")[0]);
      assertEquals(asked.filter((l) => !/^POST \/_sandbox\/instances\/sb-[a-z]+\/scan$/.test(l)), []);
    },
  );

  await t.step("the route is documented in the sandbox's OpenAPI document", async () => {
    const doc = (await call(gw, "GET", "/api/openapi.json")).body;
    assert(doc.paths["/api/sandbox/instances/{name}/scan"]?.post, "documented");
  });
});

Deno.test("without the sandbox engine /api/sandbox does not exist", async () => {
  await using gw = await startGateway({ cache: "memory" });
  const ana = await makeUser(gw);
  await makeInstance(gw, ana, "real-ana");
  // The same deps with a real engine configured: no sandboxUrl.
  const app = createApp({ ...gw.deps, sandboxUrl: undefined });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  try {
    const base = `http://127.0.0.1:${server.addr.port}`;
    for (const token of [ana.token, undefined]) {
      const res = await fetch(`${base}/api/sandbox/instances/real-ana/scan`, {
        method: "POST",
        headers: token ? { apikey: token } : {},
      });
      assertEquals([res.status, await res.json()], [404, errorBody("not_found")]);
    }
    assertEquals(scans(gw.engineLog, "real-ana"), []);
    const doc = await (await fetch(`${base}/api/openapi.json`)).json();
    assertEquals(Object.keys(doc.paths).filter((p) => p.startsWith("/api/sandbox")), []);
  } finally {
    await server.shutdown();
  }
});
