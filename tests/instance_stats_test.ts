import { errorBody } from "./_helpers/errors.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { startTestApp } from "./_helpers/app.ts";
import { call, createUser, login } from "./_helpers/auth_client.ts";

const DAY = 86_400_000;
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

Deno.test("GET /api/instance/stats/{name}: owner, grantee and admin see the instance's numbers", async (t) => {
  await using app = await startTestApp({ cache: "memory" });
  const { sql } = app.db;
  const anaId = await createUser(app, "st_ana", "Passw0rd-ana");
  const betoId = await createUser(app, "st_beto", "Passw0rd-beto");
  await createUser(app, "st_carla", "Passw0rd-carla");
  await createUser(app, "st_root", "Passw0rd-root", { role: "admin" });
  const ana = await login(app, "st_ana", "Passw0rd-ana");
  const beto = await login(app, "st_beto", "Passw0rd-beto");
  const carla = await login(app, "st_carla", "Passw0rd-carla");
  const root = await login(app, "st_root", "Passw0rd-root");

  const now = Date.now();
  const registered = new Date(now - 10 * DAY);
  await sql`INSERT INTO taguato.user_instances (user_id, instance_name, created_at)
    VALUES (${anaId}, 'stats-wa', ${registered}), (${anaId}, 'other-wa', now())`;
  await sql`INSERT INTO taguato.instance_permissions (instance_name, grantee_user_id) VALUES ('stats-wa', ${betoId})`;
  const log = (
    user: number,
    status: string,
    ageMs: number,
    extra: { instance?: string; direction?: string; error?: string; phone?: string } = {},
  ) =>
    sql`INSERT INTO taguato.message_logs
      (user_id, instance_name, phone_number, message_type, status, direction, error_message, created_at)
      VALUES (${user}, ${extra.instance ?? "stats-wa"}, ${extra.phone ?? "595981000001"}, 'text', ${status},
        ${extra.direction ?? "outbound"}, ${extra.error ?? null}, ${new Date(now - ageMs)})`;
  // Today: 2 sent by ana (one delivered), 1 read sent by the grantee, 1 failed. Two days ago: 1 sent,
  // 1 failed, 1 cancelled. Eight days ago: 1 sent (in the totals, not in the 7 days).
  await log(anaId, "sent", 60_000);
  await log(anaId, "delivered", 120_000);
  await log(betoId, "read", 180_000);
  await log(anaId, "failed", 240_000, { error: "Connection Closed", phone: "595981000009" });
  await log(anaId, "sent", 2 * DAY);
  await log(anaId, "failed", 2 * DAY + 1000, errorBody("exists:false"));
  await log(anaId, "cancelled", 2 * DAY + 2000);
  await log(anaId, "sent", 8 * DAY);
  // Not counted: inbound, another instance, and rows older than the registration (a previous owner's).
  await log(anaId, "delivered", 1000, { direction: "inbound" });
  await log(anaId, "sent", 1000, { instance: "other-wa" });
  await log(anaId, "failed", 11 * DAY);
  await sql`INSERT INTO taguato.reconnect_log (instance_name, previous_state, action, result, error_message, created_at)
    VALUES ('stats-wa', 'close', 'auto_reconnect', 'failed', 'engine down', ${new Date(now - 3 * DAY)}),
           ('stats-wa', 'close', 'auto_reconnect', 'reconnected', NULL, ${new Date(now - DAY)}),
           ('other-wa', 'close', 'auto_reconnect', 'failed', 'x', now())`;

  const stats = (name: string, token?: string) => call(app, "GET", `/api/instance/stats/${name}`, { token });

  await t.step("the owner gets counts, rate, registration, errors, reconnections and 7 days", async () => {
    const r = await stats("stats-wa", ana);
    assertEquals(r.status, 200);
    const b = r.body;
    assertEquals(
      [b.instance_name, b.total, b.sent, b.delivered, b.read, b.failed, b.cancelled],
      ["stats-wa", 8, 5, 2, 1, 2, 1],
    );
    assertEquals(b.delivery_rate, Math.floor((5 / 8) * 100));
    assertEquals(b.registered_at, registered.toISOString());
    const errors = b.recent_errors as Record<string, unknown>[];
    assertEquals(errors.map((e) => e.error_message), ["Connection Closed", "exists:false"]);
    assertEquals(errors[0].phone_number, "595981000009");
    assertEquals(errors[0].message_type, "text");
    assert(String(errors[0].created_at).endsWith("Z"));
    const reconnections = b.reconnections as Record<string, unknown>[];
    assertEquals(reconnections.map((x) => x.result), ["reconnected", "failed"]);
    assertEquals(reconnections[1], {
      previous_state: "close",
      action: "auto_reconnect",
      result: "failed",
      error_message: "engine down",
      created_at: new Date(now - 3 * DAY).toISOString(),
    });
    const daily = b.daily as { day: string; total: number; sent: number; failed: number }[];
    assertEquals(daily.length, 7);
    assertEquals(daily.map((d) => d.day), [6, 5, 4, 3, 2, 1, 0].map((n) => utcDay(now - n * DAY)));
    // Expected per UTC day from the counted rows (ages computed like the inserts, so midnight is safe).
    const counted: [number, string][] = [
      [60_000, "sent"],
      [120_000, "delivered"],
      [180_000, "read"],
      [240_000, "failed"],
      [2 * DAY, "sent"],
      [2 * DAY + 1000, "failed"],
      [2 * DAY + 2000, "cancelled"],
    ];
    const expected: Record<string, number[]> = {};
    for (const [age, status] of counted) {
      const e = expected[utcDay(now - age)] ??= [0, 0, 0];
      e[0]++;
      if (status !== "failed" && status !== "cancelled") e[1]++;
      if (status === "failed") e[2]++;
    }
    for (const d of daily) assertEquals([d.total, d.sent, d.failed], expected[d.day] ?? [0, 0, 0], d.day);
    assertEquals(daily.reduce((n, d) => n + d.total, 0), 7);
  });

  await t.step("a grantee and an admin see the same instance numbers", async () => {
    const owner = (await stats("stats-wa", ana)).body;
    for (const token of [beto, root]) {
      const r = await stats("stats-wa", token);
      assertEquals(r.status, 200);
      assertEquals(r.body, owner);
    }
  });

  await t.step("an instance without messages answers zeros and 7 empty days", async () => {
    await sql`DELETE FROM taguato.message_logs WHERE instance_name = 'other-wa'`;
    const r = await stats("other-wa", ana);
    assertEquals([r.status, r.body.total, r.body.delivery_rate, r.body.recent_errors], [200, 0, 0, []]);
    assertEquals((r.body.daily as unknown[]).length, 7);
  });

  await t.step("another tenant (or anyone, for an unknown name) gets 403", async () => {
    for (const [name, token] of [["stats-wa", carla], ["other-wa", beto], ["nope", ana]] as const) {
      const r = await stats(name, token);
      assertEquals([r.status, r.body], [403, errorBody("Instance not found or not owned by you")], name);
    }
    // An admin may look at a name nobody registered: the ledger's history for it.
    const r = await stats("nope", root);
    assertEquals([r.status, r.body.total, r.body.registered_at], [200, 0, null]);
  });

  await t.step("401 without a credential, 405 for other methods, 400 without a name", async () => {
    const none = await stats("stats-wa");
    assertEquals([none.status, none.body.error], [401, "Missing apikey header"]);
    for (const method of ["POST", "PUT", "DELETE"]) {
      const r = await call(app, method, "/api/instance/stats/stats-wa", { token: ana, body: {} });
      assertEquals([r.status, r.body], [405, errorBody("Method not allowed")], method);
    }
    for (
      const path of [
        "/api/instance/stats/",
        "/api/instance/stats",
        "/api/instance/",
        "/api/instance/other/x",
      ]
    ) {
      const r = await call(app, "GET", path, { token: ana });
      assertEquals([r.status, r.body], [400, errorBody("Instance name required")], path);
    }
    const unauth = await call(app, "GET", "/api/instance/stats/");
    assertEquals(unauth.status, 401);
  });

  await t.step("an API key limited to other instances is refused", async () => {
    const created = await call(app, "POST", "/api/keys", {
      token: ana,
      body: { name: "only-other", scope: "read", instance_names: ["other-wa"], password: "Passw0rd-ana" },
    });
    assertEquals(created.status, 201);
    const key = (created.body.api_key as { key: string }).key;
    assertEquals((await stats("stats-wa", key)).status, 403);
    assertEquals((await stats("other-wa", key)).status, 200);
  });

  await t.step("the route is documented in /api/openapi.json", async () => {
    const doc = await call(app, "GET", "/api/openapi.json");
    const paths = doc.body.paths as Record<string, Record<string, unknown>>;
    assertEquals(Object.keys(paths["/api/instance/stats/{name}"]), ["get"]);
  });
});
