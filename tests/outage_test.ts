// Dependency outages: the gateway keeps serving through a Redis outage (sessions from PostgreSQL, limits
// and the breaker in per-process memory, /health 200 "degraded") and answers 503 through a PostgreSQL
// one, and both recover by themselves. Each test owns the server it breaks: a redis-server on its own
// port, a TCP relay in front of PostgreSQL. The shared servers are never touched.
import { assert, assertEquals } from "../lib/core/testing.ts";
import { connect, ManualClock } from "../lib/core/mod.ts";
import { HEALTH_REUSE_MS } from "../routes/health.ts";
import { createApp } from "../app.ts";
import { startTestApp, type TestApp } from "./_helpers/app.ts";
import { adminLogin, assertError, call, createUser, eventually } from "./_helpers/accounts.ts";
import { freePort, needs } from "./_helpers/services.ts";

const redisServer = await new Deno.Command("redis-server", { args: ["--version"], stdout: "null" }).output()
  .then((o) => o.success, () => false);
const onPostgres = needs("postgres");

async function answers(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return true;
  } catch {
    return false;
  }
}

/** A throwaway redis-server (no persistence) on `port`; resolves once it accepts connections. */
async function startRedis(port: number): Promise<Deno.ChildProcess> {
  const child = new Deno.Command("redis-server", {
    args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await eventually(async () => (await answers(port)) || undefined, `redis-server on ${port}`);
  return child;
}

async function kill(child: Deno.ChildProcess) {
  try {
    child.kill("SIGKILL");
  } catch { /* already gone */ }
  await child.status;
}

// Needs redis-server to start a Redis of its own; without PostgreSQL it is skipped like the others.
(redisServer ? onPostgres.test : Deno.test.ignore)(
  "Redis killed mid-run: logins and authenticated calls still work, /health is degraded, and all recovers",
  async (t) => {
    const port = freePort();
    let redis = await startRedis(port);
    try {
      await using app = await startTestApp({ redisUrl: `redis://127.0.0.1:${port}` });
      const admin = await adminLogin(app);
      const ana = await createUser(app, admin, { username: "ana_outage" });
      const health = async () => {
        const r = await call(app, "GET", "/health");
        return { status: r.status, body: r.body };
      };
      assertEquals(await health(), {
        status: 200,
        body: { status: "ok", gateway: "taguato", db: "connected", cache: "connected" },
      });

      await kill(redis);
      let loggedOut = "";

      await t.step("logins and authenticated calls succeed while Redis is down", async () => {
        // A session issued before the outage resolves from PostgreSQL.
        assertEquals((await call(app, "GET", "/api/auth/me", { token: ana.token })).status, 200);
        const fresh = await call(app, "POST", "/api/auth/login", {
          body: { username: ana.username, password: ana.password },
        });
        assertEquals(fresh.status, 200);
        assertEquals((await call(app, "GET", "/api/auth/me", { token: fresh.body.token })).status, 200);
        assertEquals((await call(app, "GET", "/api/keys", { token: ana.token })).status, 200);
        // The engine proxy: per-user limit and breaker in per-process memory.
        assertEquals((await call(app, "GET", "/instance/fetchInstances", { token: ana.token })).status, 200);
        // A logout during the outage is honoured (its tombstone lives in memory, the row in PostgreSQL).
        assertEquals((await call(app, "POST", "/api/auth/logout", { token: fresh.body.token })).status, 200);
        assertEquals((await call(app, "GET", "/api/auth/me", { token: fresh.body.token })).status, 401);
        loggedOut = fresh.body.token;
        // A wrong password is still refused.
        const wrong = await call(app, "POST", "/api/auth/login", {
          body: { username: ana.username, password: "nope-nope" },
        });
        assertEquals(wrong.status, 401);
      });

      await t.step("/health answers 200 degraded and names the cache", async () => {
        assertEquals(await health(), {
          status: 200,
          body: { status: "degraded", gateway: "taguato", db: "connected", cache: "unavailable" },
        });
      });

      await t.step("Redis restarted: back to normal without restarting the gateway", async () => {
        redis = await startRedis(port);
        await eventually(async () => (await health()).body.cache === "connected" || undefined, "cache back");
        const again = await call(app, "POST", "/api/auth/login", {
          body: { username: ana.username, password: ana.password },
        });
        assertEquals(again.status, 200);
        await eventually(async () => {
          const me = await call(app, "GET", "/api/auth/me", { token: again.body.token });
          assertEquals(me.status, 200);
          // Served from Redis again: the credential is cached there under the app's prefix.
          const { createClient } = await import("redis");
          const probe = createClient({ url: `redis://127.0.0.1:${port}` });
          await probe.connect();
          try {
            const keys = await probe.keys(`${app.cachePrefix}*`);
            return keys.length > 0 || undefined;
          } finally {
            await probe.close();
          }
        }, "keys written to the restarted Redis");
        assertEquals(await health(), {
          status: 200,
          body: { status: "ok", gateway: "taguato", db: "connected", cache: "connected" },
        });
        // The logout made during the outage still holds after the switch back; older sessions still work.
        assertEquals((await call(app, "GET", "/api/auth/me", { token: loggedOut })).status, 401);
        assertEquals((await call(app, "GET", "/api/auth/me", { token: ana.token })).status, 200);
      });
    } finally {
      await kill(redis);
    }
  },
);

/** A TCP relay to the shared PostgreSQL that the test can cut and restore (the server itself keeps running). */
function relay(port: number, target: number) {
  let listener: Deno.Listener | undefined;
  const conns = new Set<Deno.Conn>();
  const pipe = async (a: Deno.Conn, b: Deno.Conn) => {
    try {
      await a.readable.pipeTo(b.writable);
    } catch { /* cut */ }
  };
  return {
    open() {
      listener = Deno.listen({ hostname: "127.0.0.1", port });
      (async () => {
        for await (const conn of listener!) {
          try {
            const up = await Deno.connect({ hostname: "127.0.0.1", port: target });
            conns.add(conn).add(up);
            Promise.all([pipe(conn, up), pipe(up, conn)]).finally(() => {
              for (const c of [conn, up]) {
                conns.delete(c);
                try {
                  c.close();
                } catch { /* closed */ }
              }
            });
          } catch {
            conn.close();
          }
        }
      })().catch(() => {});
    },
    cut() {
      listener?.close();
      listener = undefined;
      for (const c of conns) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      conns.clear();
    },
  };
}

/** A pool of `max` connections to the test database through a relay the test can cut and restore. */
function relayedPool(app: TestApp, max: number) {
  const port = freePort();
  const link = relay(port, Number(new URL(app.db.url).port || 5432));
  link.open();
  const u = new URL(app.db.url);
  u.port = String(port);
  return { link, sql: connect(u.href, max) };
}

onPostgres.test("PostgreSQL unreachable: requests answer 503 with a clear error, never 500, and recover", async () => {
  await using app = await startTestApp();
  const admin = await adminLogin(app);
  const ana = await createUser(app, admin, { username: "ana_pg" });
  const { link, sql } = relayedPool(app, 2);
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    createApp({ ...app.deps, sql }).fetch,
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  const loginAna = () =>
    fetch(`${base}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: ana.username, password: ana.password }),
    }).then(async (r) => ({ status: r.status, body: await r.json(), headers: r.headers }));
  try {
    assertEquals((await loginAna()).status, 200);
    link.cut();
    const down = await loginAna();
    assertError(down, 503, "Database temporarily unavailable, please retry later");
    assert(down.headers.get("retry-after"));
    const templates = await fetch(`${base}/api/templates`, { headers: { apikey: ana.token } });
    assertEquals(templates.status, 503);
    await templates.body?.cancel();
    const health = await fetch(`${base}/health`);
    assertEquals([health.status, (await health.json()).db], [503, "disconnected"]);
    link.open();
    await eventually(
      async () => (await loginAna()).status === 200 || undefined,
      "login after PostgreSQL is back",
    );
  } finally {
    link.cut();
    await server.shutdown();
    await sql.end({ timeout: 0 });
  }
});

onPostgres.test("GET /health reuses a probe's answer for HEALTH_REUSE_MS: an outage and the recovery show once it has passed", async () => {
  await using app = await startTestApp();
  const clock = new ManualClock();
  const { link, sql } = relayedPool(app, 1);
  const gw = createApp({ ...app.deps, sql, clock });
  const db = async () => {
    const res = await gw.request("/health");
    return [res.status, (await res.json()).db];
  };
  try {
    assertEquals(await db(), [200, "connected"]);
    link.cut();
    // Within the window the last answer stands, however often the route is polled.
    for (let i = 0; i < 3; i++) assertEquals(await db(), [200, "connected"]);
    clock.advance(HEALTH_REUSE_MS - 1);
    assertEquals(await db(), [200, "connected"]);
    clock.advance(1);
    assertEquals(await db(), [503, "disconnected"]);
    link.open();
    assertEquals(await db(), [503, "disconnected"]);
    await eventually(async () => {
      clock.advance(HEALTH_REUSE_MS);
      return (await db())[0] === 200 || undefined;
    }, "/health 200 once PostgreSQL is back and the window has passed");
  } finally {
    link.cut();
    await sql.end({ timeout: 0 });
  }
});
