// /admin/incidents*, /admin/maintenance* and /admin/dashboard against the real gateway (PostgreSQL,
// Redis, sandbox engine): contract §6.5, §6.6, §7.2 with the flagged bugs fixed.
import { assert, assertEquals } from "../lib/core/testing.ts";
import { adminLogin, assertError, call, createUser } from "./_helpers/accounts.ts";
import { startTestApp, type TestApp } from "./_helpers/app.ts";
import { control } from "./_helpers/engine.ts";

const auditCount = async (t: TestApp, action: string) =>
  (await t.deps.sql`SELECT count(*)::int AS n FROM taguato.audit_log WHERE action = ${action}`)[0].n;

const serviceIds = async (t: TestApp, token: string) => {
  const res = await call(t, "GET", "/admin/incidents/services", { token });
  return Object.fromEntries(res.body.services.map((s: { id: number; name: string }) => [s.name, s.id]));
};

Deno.test("admin status routes answer 401 without a credential and 403 to non-admins", async (s) => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const user = await createUser(t, admin, { username: "carol" });
  const routes: [string, string][] = [
    ["GET", "/admin/incidents"],
    ["GET", "/admin/incidents/services"],
    ["POST", "/admin/incidents"],
    ["POST", "/admin/incidents/1/updates"],
    ["PUT", "/admin/incidents/1"],
    ["DELETE", "/admin/incidents/1"],
    ["GET", "/admin/maintenance"],
    ["POST", "/admin/maintenance"],
    ["PUT", "/admin/maintenance/1"],
    ["DELETE", "/admin/maintenance/1"],
    ["GET", "/admin/dashboard"],
  ];
  for (const [method, path] of routes) {
    await s.step(`${method} ${path}`, async () => {
      const body = method === "GET" ? undefined : {};
      assertError(await call(t, method, path, { body }), 401, "Missing apikey header");
      assertError(await call(t, method, path, { token: user.token, body }), 403, "Admin access required");
    });
  }
});

Deno.test("POST /admin/incidents validates in the contract's order and creates with a first update", async (s) => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const ids = await serviceIds(t, admin);
  const post = (body: unknown) => call(t, "POST", "/admin/incidents", { token: admin, body });

  await s.step("GET /admin/incidents/services lists the four seeded services in order", () => {
    assertEquals(Object.keys(ids), ["Gateway", "Evolution API", "PostgreSQL", "Redis"]);
  });

  const bad: [unknown, string][] = [
    ["[1]", "Invalid JSON body"],
    [{ severity: "minor", message: "m" }, "title and severity are required"],
    [{ title: "x", message: "m" }, "title and severity are required"],
    [{ title: "x", severity: "huge", message: "m" }, "severity must be one of: minor, major, critical"],
    [
      { title: "x", severity: "minor", status: "fixed", message: "m" },
      "status must be one of: investigating, identified, monitoring, resolved",
    ],
    [{ title: "x", severity: "minor" }, "message is required (initial update)"],
    [{ title: "x", severity: "minor", message: "  " }, "message is required (initial update)"],
    [{ title: "x".repeat(256), severity: "minor", message: "m" }, "title must be at most 255 characters"],
    [
      { title: "x", severity: "minor", message: "m", service_ids: ["a"] },
      "service_ids must be an array of positive integers",
    ],
  ];
  for (const [body, message] of bad) {
    await s.step(`400 "${message}" for ${JSON.stringify(body).slice(0, 60)}`, async () => {
      const res = typeof body === "string"
        ? await call(t, "POST", "/admin/incidents", { token: admin, raw: body })
        : await post(body);
      assertError(res, 400, message);
    });
  }
  await s.step("a malformed body changes nothing", async () => {
    assertEquals((await t.deps.sql`SELECT count(*)::int AS n FROM taguato.incidents`)[0].n, 0);
  });

  await s.step(
    "201 with the head, the first update and the linked services (unknown ids ignored)",
    async () => {
      const res = await post({
        title: "Envíos lentos",
        severity: "major",
        message: "Investigando demoras",
        service_ids: [ids["Redis"], ids["Evolution API"], 9999],
      });
      assertEquals(res.status, 201);
      assertEquals([res.body.incident.title, res.body.incident.status], ["Envíos lentos", "investigating"]);
      const list = await call(t, "GET", "/admin/incidents", { token: admin });
      const [item] = list.body.incidents;
      assertEquals(item.affected_services.map((x: { name: string }) => x.name), ["Evolution API", "Redis"]);
      assertEquals(item.updates.map((u: { message: string }) => u.message), ["Investigando demoras"]);
      assertEquals([item.created_by_name, item.automatic, item.resolved_at], [t.admin.username, false, null]);
      assertEquals(await auditCount(t, "incident_created"), 1);
    },
  );

  await s.step("created as resolved, it has resolved_at (contract bug §14 #28)", async () => {
    const res = await post({
      title: "Pasado",
      severity: "minor",
      status: "resolved",
      message: "Ya resuelto",
    });
    assertEquals(res.status, 201);
    const [row] = await t.deps
      .sql`SELECT resolved_at FROM taguato.incidents WHERE id = ${res.body.incident.id}`;
    assert(row.resolved_at instanceof Date);
  });
});

Deno.test("incident updates, edits, listing order and deletion", async (s) => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const ids = await serviceIds(t, admin);
  const create = async (title: string) =>
    (await call(t, "POST", "/admin/incidents", {
      token: admin,
      body: { title, severity: "minor", message: "abierto" },
    })).body.incident.id as number;
  const first = await create("Primero");
  const second = await create("Segundo");

  await s.step("POST /{id}/updates validates and 404s an unknown incident", async () => {
    const path = `/admin/incidents/${first}/updates`;
    assertError(
      await call(t, "POST", path, { token: admin, body: { status: "monitoring" } }),
      400,
      "status and message are required",
    );
    assertError(
      await call(t, "POST", path, { token: admin, body: { status: "done", message: "x" } }),
      400,
      "status must be one of: investigating, identified, monitoring, resolved",
    );
    assertError(
      await call(t, "POST", "/admin/incidents/99999/updates", {
        token: admin,
        body: { status: "monitoring", message: "x" },
      }),
      404,
      "Incident not found",
    );
    assertError(
      await call(t, "POST", "/admin/incidents/abc/updates", {
        token: admin,
        body: { status: "monitoring", message: "x" },
      }),
      404,
      "Incident not found",
    );
  });

  await s.step("resolving sets resolved_at; reopening clears it; the timeline is newest first", async () => {
    const path = `/admin/incidents/${first}/updates`;
    const res = await call(t, "POST", path, { token: admin, body: { status: "resolved", message: "listo" } });
    assertEquals([res.status, res.body.update.status, res.body.update.message], [201, "resolved", "listo"]);
    let [row] = await t.deps.sql`SELECT status, resolved_at FROM taguato.incidents WHERE id = ${first}`;
    assert(row.status === "resolved" && row.resolved_at instanceof Date);
    await call(t, "POST", path, { token: admin, body: { status: "investigating", message: "volvió" } });
    [row] = await t.deps.sql`SELECT status, resolved_at FROM taguato.incidents WHERE id = ${first}`;
    assertEquals([row.status, row.resolved_at], ["investigating", null]);
    await call(t, "POST", path, { token: admin, body: { status: "resolved", message: "fin" } });
    const list = await call(t, "GET", "/admin/incidents", { token: admin });
    // Unresolved first.
    assertEquals(list.body.incidents.map((i: { id: number }) => i.id), [second, first]);
    assertEquals(list.body.incidents[1].updates.map((u: { message: string }) => u.message), [
      "fin",
      "volvió",
      "listo",
      "abierto",
    ]);
    const resolved = await call(t, "GET", "/admin/incidents?status=resolved", { token: admin });
    assertEquals([resolved.body.total, resolved.body.incidents[0].id], [1, first]);
    assertError(
      await call(t, "GET", "/admin/incidents?status=nope", { token: admin }),
      400,
      "status must be one of: investigating, identified, monitoring, resolved",
    );
    assertError(
      await call(t, "GET", "/admin/incidents?page=0", { token: admin }),
      400,
      "page must be a positive integer",
    );
  });

  await s.step("PUT edits title/severity, replaces services, and 404s an unknown incident", async () => {
    const path = `/admin/incidents/${second}`;
    assertError(await call(t, "PUT", path, { token: admin, body: {} }), 400, "No fields to update");
    assertError(
      await call(t, "PUT", path, { token: admin, body: { severity: "bad" } }),
      400,
      "severity must be one of: minor, major, critical",
    );
    assertError(await call(t, "PUT", path, { token: admin, body: { title: "" } }), 400, "title is required");
    const only = await call(t, "PUT", path, { token: admin, body: { service_ids: [ids["PostgreSQL"]] } });
    assertEquals(only.body, { message: "Services updated" });
    const edit = await call(t, "PUT", path, {
      token: admin,
      body: { title: "Segundo bis", severity: "critical" },
    });
    assertEquals([edit.status, edit.body.incident.title, edit.body.incident.severity], [
      200,
      "Segundo bis",
      "critical",
    ]);
    assertError(
      await call(t, "PUT", "/admin/incidents/99999", { token: admin, body: { service_ids: [ids["Redis"]] } }),
      404,
      "Incident not found",
    );
    const links = await t.deps
      .sql`SELECT service_id FROM taguato.incident_services WHERE incident_id = ${second}`;
    assertEquals(links.map((l) => l.service_id), [ids["PostgreSQL"]]);
  });

  await s.step("DELETE answers the deleted head, audits, and then 404s", async () => {
    const res = await call(t, "DELETE", `/admin/incidents/${second}`, { token: admin });
    assertEquals(res.body, { deleted: { id: second, title: "Segundo bis" } });
    assertError(
      await call(t, "DELETE", `/admin/incidents/${second}`, { token: admin }),
      404,
      "Incident not found",
    );
    assertEquals(await auditCount(t, "incident_deleted"), 1);
  });
});

Deno.test("/admin/maintenance creates, lists, edits and deletes windows with every validation message", async (s) => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const ids = await serviceIds(t, admin);
  const post = (body: unknown) => call(t, "POST", "/admin/maintenance", { token: admin, body });
  const window = { scheduled_start: "2026-05-01T02:00:00Z", scheduled_end: "2026-05-01T04:00:00Z" };

  const bad: [unknown, string][] = [
    [{ ...window }, "title, scheduled_start, and scheduled_end are required"],
    [
      { title: "x", scheduled_start: window.scheduled_start },
      "title, scheduled_start, and scheduled_end are required",
    ],
    [
      { title: "x", ...window, scheduled_start: "mañana" },
      "scheduled_start must be a date (YYYY-MM-DD or ISO 8601)",
    ],
    [
      { title: "x", ...window, scheduled_end: "2026-13-45" },
      "scheduled_end must be a date (YYYY-MM-DD or ISO 8601)",
    ],
    [
      { title: "x", scheduled_start: window.scheduled_end, scheduled_end: window.scheduled_start },
      "scheduled_end must not be before scheduled_start",
    ],
    [{ title: "x", ...window, service_ids: [0] }, "service_ids must be an array of positive integers"],
    [{ title: "x", ...window, description: 5 }, "description must be a string"],
  ];
  for (const [body, message] of bad) {
    await s.step(`400 "${message}"`, async () => assertError(await post(body), 400, message));
  }

  let id = 0;
  await s.step("201 scheduled, description defaults to empty, audited", async () => {
    const res = await post({ title: "Actualización de base", ...window, service_ids: [ids["PostgreSQL"]] });
    assertEquals(res.status, 201);
    id = res.body.maintenance.id;
    assertEquals([res.body.maintenance.status, res.body.maintenance.description], ["scheduled", ""]);
    assertEquals(await auditCount(t, "maintenance_created"), 1);
    const list = await call(t, "GET", "/admin/maintenance", { token: admin });
    assertEquals(list.body.maintenances[0].affected_services, [{
      id: ids["PostgreSQL"],
      name: "PostgreSQL",
    }]);
    assertError(
      await call(t, "GET", "/admin/maintenance?status=late", { token: admin }),
      400,
      "status must be one of: scheduled, in_progress, completed",
    );
  });

  await s.step("PUT validates, moves the status, replaces services, 404s unknown ids", async () => {
    const path = `/admin/maintenance/${id}`;
    assertError(await call(t, "PUT", path, { token: admin, body: {} }), 400, "No fields to update");
    assertError(
      await call(t, "PUT", path, { token: admin, body: { status: "late" } }),
      400,
      "status must be one of: scheduled, in_progress, completed",
    );
    // The new end would fall before the stored start.
    assertError(
      await call(t, "PUT", path, { token: admin, body: { scheduled_end: "2026-04-30T00:00:00Z" } }),
      400,
      "scheduled_end must not be before scheduled_start",
    );
    const res = await call(t, "PUT", path, { token: admin, body: { status: "in_progress" } });
    assertEquals([res.status, res.body.maintenance.status], [200, "in_progress"]);
    const svc = await call(t, "PUT", path, { token: admin, body: { service_ids: [ids["Redis"]] } });
    assertEquals(svc.body, { message: "Services updated" });
    assertError(
      await call(t, "PUT", "/admin/maintenance/424242", { token: admin, body: { title: "z" } }),
      404,
      "Maintenance not found",
    );
  });

  await s.step("DELETE answers the head, audits, then 404s", async () => {
    const res = await call(t, "DELETE", `/admin/maintenance/${id}`, { token: admin });
    assertEquals(res.body, { deleted: { id, title: "Actualización de base" } });
    assertError(
      await call(t, "DELETE", `/admin/maintenance/${id}`, { token: admin }),
      404,
      "Maintenance not found",
    );
    assertEquals(await auditCount(t, "maintenance_deleted"), 1);
  });
});

Deno.test("GET /admin/dashboard counts with Evolution v2 shapes; other methods are 405", async () => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const user = await createUser(t, admin, { username: "dave", max_instances: 2 });
  // Two engine instances registered to the user, one of them linked (open) in the sandbox.
  for (const name of ["dave-one", "dave-two"]) {
    await t.deps
      .sql`INSERT INTO taguato.user_instances (user_id, instance_name) VALUES (${user.id}, ${name})`;
    await t.deps.evolution.createInstance({ instanceName: name, integration: "WHATSAPP-BAILEYS" });
  }
  await control(t).scan("dave-one", { phone: "595981000001" });
  await t.deps.sql`
    INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, status)
    VALUES (${user.id}, 'dave-one', '595981000111', 'delivered'), (${user.id}, 'dave-one', '595981000112', 'sent'),
           (${user.id}, 'dave-one', '595981000113', 'failed')`;

  const res = await call(t, "GET", "/admin/dashboard", { token: admin });
  assertEquals(res.status, 200);
  assertEquals(res.body.users, { total: 2, active: 2 });
  assertEquals(res.body.instances, { total_registered: 2, total_evolution: 2, connected: 1 });
  assertEquals(res.body.messages, { today: 3, total: 3, sent: 2, failed: 1, delivery_rate: 66.66 });
  assertEquals(res.body.uptime_30d, 100);
  assertEquals(res.body.daily.length, 7);
  assertEquals(res.body.daily.at(-1).sent, 2);
  const types = new Set(res.body.recent_activity.map((a: { type: string }) => a.type));
  for (const type of ["user_created", "instance_created", "message_sent", "message_failed", "user_login"]) {
    assert(types.has(type), `recent_activity has ${type}`);
  }
  assertError(await call(t, "POST", "/admin/dashboard", { token: admin }), 405, "Method not allowed");
});

Deno.test("/admin/services adds, edits, deactivates and deletes services; the four checked ones are kept", async (s) => {
  await using t = await startTestApp();
  const admin = await adminLogin(t);
  const user = await createUser(t, admin, { username: "erin" });
  const req = (method: string, path: string, body?: unknown) =>
    call(t, method, `/admin/services${path}`, { token: admin, body });

  await s.step("401/403", async () => {
    assertError(await call(t, "GET", "/admin/services"), 401, "Missing apikey header");
    assertError(await call(t, "GET", "/admin/services", { token: user.token }), 403, "Admin access required");
  });

  let id = 0;
  await s.step("POST validates and creates; a duplicate name is 409", async () => {
    assertError(await req("POST", "", {}), 400, "name is required");
    assertError(await req("POST", "", { name: "x".repeat(101) }), 400, "name must be at most 100 characters");
    assertError(
      await req("POST", "", { name: "Webhooks", display_order: -1 }),
      400,
      "display_order must be an integer between 0 and 10000",
    );
    const res = await req("POST", "", { name: "Webhooks", description: "Entregas", display_order: 5 });
    assertEquals([res.status, res.body.service.name, res.body.service.is_active], [201, "Webhooks", true]);
    id = res.body.service.id;
    assertError(await req("POST", "", { name: "Webhooks" }), 409, "Service already exists");
  });

  await s.step("PUT edits and deactivates; inactive services leave the pickers", async () => {
    assertError(await req("PUT", `/${id}`, {}), 400, "No fields to update");
    assertError(await req("PUT", `/${id}`, { is_active: "no" }), 400, "is_active must be a boolean");
    assertError(await req("PUT", `/${id}`, { name: "Redis" }), 409, "Service already exists");
    const res = await req("PUT", `/${id}`, { name: "Webhooks salientes", is_active: false });
    assertEquals([res.body.service.name, res.body.service.is_active], ["Webhooks salientes", false]);
    const picker = await call(t, "GET", "/admin/incidents/services", { token: admin });
    assertEquals(picker.body.services.length, 4);
    assertEquals((await req("GET", "")).body.services.length, 5);
    assertError(await req("PUT", "/99999", { name: "z" }), 404, "Service not found");
  });

  await s.step("the live-checked services cannot be renamed or deleted", async () => {
    const msg = "The four checked services cannot be renamed or deleted (deactivate them instead)";
    assertError(await req("PUT", "/1", { name: "Gateway 2" }), 409, msg);
    assertError(await req("DELETE", "/1"), 409, msg);
    assertEquals((await req("PUT", "/1", { description: "La pasarela" })).status, 200);
  });

  await s.step("DELETE removes a service and then 404s", async () => {
    assertEquals((await req("DELETE", `/${id}`)).body, { deleted: { id, name: "Webhooks salientes" } });
    assertError(await req("DELETE", `/${id}`), 404, "Service not found");
  });
});
