// The per-user views kept in memory (lib/auth/user_views.ts): GET /api/auth/me and GET /api/templates
// answer from memory on each replica, and every change made through the gateway shows on the very next
// request on every replica; a change made behind its back shows within the 30 s bound.
import { startReplica, startTestApp } from "./_helpers/app.ts";
import { call, createUser, login } from "./_helpers/auth_client.ts";
import { control } from "./_helpers/engine.ts";
import { needs } from "./_helpers/services.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { ManualClock } from "../lib/core/mod.ts";
import { createSession, resolveCredential, totpAt, touchUserViews, userView } from "../lib/auth/mod.ts";

const PW = "Passw0rd!x";

needs("redis").test(
  "profile and templates from memory on two replicas: every change through the gateway shows on the next request of both",
  async (t) => {
    const clock = new ManualClock(Date.now());
    await using app = await startTestApp({ clock });
    await using replica = await startReplica(app);
    const b = replica.url;
    const id = await createUser(app, "ana", PW);
    await createUser(app, "root", PW, { role: "admin" });
    const token = await login(app, "ana", PW);
    const admin = await login(app, "root", PW);
    // deno-lint-ignore no-explicit-any
    const me = async (base: string): Promise<any> => {
      const r = await call(app, "GET", "/api/auth/me", { token, base });
      assertEquals([r.status, r.headers.get("content-type")], [200, "application/json"]);
      return r.body.user;
    };
    const bothMe = async () => [await me(app.url), await me(b)];
    const templates = async (base: string, query = "") => {
      const r = await call(app, "GET", `/api/templates${query}`, { token, base });
      assertEquals(r.status, 200);
      return r.body as { templates: { name: string; content: string }[]; total: number };
    };
    // Each replica files its views (the first request sets the stamp, the second files the body).
    for (let i = 0; i < 3; i++) await bothMe();

    await t.step(
      "a change behind the gateway's back is not seen until the 30 s bound: the answer is from memory",
      async () => {
        await app.db.sql`UPDATE taguato.users SET phone_number = '595981999999' WHERE id = ${id}`;
        assertEquals((await bothMe()).map((u) => u.phone_number), [null, null]);
        clock.advance(31_000);
        assertEquals((await bothMe()).map((u) => u.phone_number), ["595981999999", "595981999999"]);
      },
    );

    await t.step("an admin's edit of the profile shows on both replicas at once", async () => {
      await bothMe();
      const r = await call(app, "PUT", `/admin/users/${id}`, {
        token: admin,
        body: { email: "ana@example.com" },
      });
      assertEquals(r.status, 200, JSON.stringify(r.body));
      assertEquals((await bothMe()).map((u) => u.email), ["ana@example.com", "ana@example.com"]);
    });

    await t.step("turning 2FA on and off shows on both replicas at once", async () => {
      const setup = await call(app, "GET", "/api/auth/2fa/setup", { token });
      const secret = setup.body.secret as string;
      assertEquals((await bothMe()).map((u) => u.totp_enabled), [false, false]);
      const on = await call(app, "POST", "/api/auth/2fa/enable", {
        token,
        base: b,
        body: { secret, code: await totpAt(secret, clock.now()) },
      });
      assertEquals(on.status, 200, JSON.stringify(on.body));
      assertEquals((await bothMe()).map((u) => u.totp_enabled), [true, true]);
      clock.advance(30_000);
      // Filed again at the new time, so only the change itself can make them stale.
      await bothMe();
      const off = await call(app, "POST", "/api/auth/2fa/disable", {
        token,
        body: { code: await totpAt(secret, clock.now()) },
      });
      assertEquals(off.status, 200, JSON.stringify(off.body));
      assertEquals((await bothMe()).map((u) => u.totp_enabled), [false, false]);
    });

    await t.step(
      "creating and deleting an instance shows in the profile of both replicas at once",
      async () => {
        const names = async () =>
          (await bothMe()).map((u) => u.instances.map((i: { instance_name: string }) => i.instance_name));
        assertEquals(await names(), [[], []]);
        const created = await call(app, "POST", "/instance/create", {
          token,
          body: { instanceName: "ana-1" },
        });
        assertEquals(created.status, 201, JSON.stringify(created.body));
        assertEquals(await names(), [["ana-1"], ["ana-1"]]);
        const deleted = await call(app, "DELETE", "/instance/delete/ana-1", { token, base: b });
        assertEquals(deleted.status, 200, JSON.stringify(deleted.body));
        assertEquals(await names(), [[], []]);
      },
    );

    await t.step(
      "an instance reserved while the engine is slow, then refused, leaves no trace in either profile",
      async () => {
        const sandbox = control(app);
        await sandbox.latency(800);
        await sandbox.fail({ count: 1, status: 500, pathPrefix: "/instance/create" });
        try {
          const creating = call(app, "POST", "/instance/create", {
            token,
            body: { instanceName: "ana-2" },
          });
          await new Promise((r) => setTimeout(r, 300));
          // Past the bound, so B reads the reservation from the database and files it.
          clock.advance(31_000);
          const pending = await me(b);
          assertEquals(pending.instances.map((i: { instance_name: string }) => i.instance_name), ["ana-2"]);
          assertEquals((await creating).status, 500);
        } finally {
          await sandbox.latency(0);
        }
        assertEquals((await bothMe()).map((u) => u.instances.length), [0, 0]);
      },
    );

    await t.step(
      "templates: each page is kept apart, and create, update and delete show on both replicas at once",
      async () => {
        assertEquals([(await templates(app.url)).total, (await templates(b)).total], [0, 0]);
        const made = [];
        for (const name of ["uno", "dos"]) {
          const r = await call(app, "POST", "/api/templates", {
            token,
            base: name === "uno" ? app.url : b,
            body: { name, content: `hola ${name}` },
          });
          assertEquals(r.status, 201);
          made.push(r.body.template as { id: number });
          assertEquals([(await templates(app.url)).total, (await templates(b)).total], [
            made.length,
            made.length,
          ]);
        }
        // Most recently updated first; a one-row page is its own view.
        assertEquals((await templates(b, "?limit=1")).templates.map((x) => x.name), ["dos"]);
        assertEquals((await templates(b, "?limit=1&page=2")).templates.map((x) => x.name), ["uno"]);
        const edit = await call(app, "PUT", `/api/templates/${made[0].id}`, {
          token,
          body: { content: "chau uno" },
        });
        assertEquals(edit.status, 200);
        for (const base of [app.url, b]) {
          assertEquals((await templates(base, "?limit=1")).templates.map((x) => x.content), ["chau uno"]);
          assertEquals((await templates(base)).templates.map((x) => x.name), ["uno", "dos"]);
        }
        const gone = await call(app, "DELETE", `/api/templates/${made[1].id}`, { token, base: b });
        assertEquals(gone.status, 200);
        for (const base of [app.url, b]) {
          assertEquals((await templates(base)).templates.map((x) => x.name), ["uno"]);
          assertEquals((await templates(base, "?limit=1&page=2")).templates, []);
        }
      },
    );

    await t.step(
      "another user's views are their own, and a deactivation still ends the session at once",
      async () => {
        const otherId = await createUser(app, "beto", PW);
        const other = await login(app, "beto", PW);
        for (let i = 0; i < 3; i++) {
          const r = await call(app, "GET", "/api/templates", { token: other, base: b });
          assertEquals([r.status, r.body.total], [200, 0]);
        }
        const off = await call(app, "PUT", `/admin/users/${otherId}`, {
          token: admin,
          body: { is_active: false },
        });
        assertEquals(off.status, 200);
        assertEquals((await call(app, "GET", "/api/templates", { token: other, base: b })).status, 401);
        assert((await me(b)).username === "ana");
      },
    );
  },
);

Deno.test("the views store: filed under the stamp the lookup read, bodies over 256 K chars never, and the oldest out past 16 M chars", async () => {
  await using app = await startTestApp({ cache: "memory" });
  const id = await createUser(app, "ana", PW);
  const { token } = await createSession(app.deps, { id }, {});
  const principal = () => resolveCredential(app.deps, token).then((p) => p!.user);
  let loads = 0;
  const view = async (name: string, chars = 10) =>
    await userView(
      app.deps,
      await principal(),
      name,
      () => Promise.resolve({ n: ++loads, pad: "x".repeat(chars) }),
    );

  // No stamp yet: the first request loads and sets one, the second loads and files, the third is served.
  assertEquals([JSON.parse(await view("a")).n, JSON.parse(await view("a")).n], [1, 2]);
  assertEquals([JSON.parse(await view("a")).n, JSON.parse(await view("a")).n], [2, 2]);
  await touchUserViews(app.deps, id);
  assertEquals([JSON.parse(await view("a")).n, JSON.parse(await view("a")).n], [3, 3]);

  // A body over the per-body bound is served but never filed.
  const big = 300_000;
  assertEquals([JSON.parse(await view("big", big)).n, JSON.parse(await view("big", big)).n], [4, 5]);

  // 70 bodies of 250,000 chars are more than 16 M: the first filed went out, the last is still there.
  for (let i = 0; i < 70; i++) await view(`p${i}`, 250_000);
  const before = loads;
  await view("p69", 250_000);
  assertEquals(loads, before);
  await view("p0", 250_000);
  assertEquals(loads, before + 1);
});
