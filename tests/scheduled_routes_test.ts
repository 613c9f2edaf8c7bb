import { assert, assertEquals } from "../lib/core/testing.ts";
import { startTestApp } from "./_helpers/app.ts";
import { call } from "./_helpers/accounts.ts";
import { createUser, login } from "./_helpers/auth_client.ts";
import { errorBody } from "./_helpers/errors.ts";

Deno.test("/api/scheduled: create, list, detail, update, cancel with the contract's messages", async (t) => {
  await using app = await startTestApp({ cache: "memory" });
  const ana = await createUser(app, "sch_ana", "Passw0rd-ana");
  const beto = await createUser(app, "sch_beto", "Passw0rd-beto");
  await app.db.sql`INSERT INTO taguato.user_instances (user_id, instance_name) VALUES
    (${ana}, 'ana-1'), (${ana}, 'ana-2'), (${beto}, 'beto-1')`;
  const anaToken = await login(app, "sch_ana", "Passw0rd-ana");
  const betoToken = await login(app, "sch_beto", "Passw0rd-beto");
  const create = (body: unknown, token = anaToken) => call(app, "POST", "/api/scheduled", { body, token });
  const expect = async (r: ReturnType<typeof call>, status: number, error: string) => {
    const res = await r;
    assertEquals([res.status, res.body], [status, errorBody(error)]);
  };
  const valid = {
    instance_name: "ana-1",
    recipients: ["595981000001", "+595 981 000002"],
    message_content: "Hola {{name}}",
    scheduled_at: "2026-04-18T09:00:00-03:00",
  };

  await t.step("every route needs a credential", async () => {
    for (
      const [method, path] of [["GET", "/api/scheduled"], ["POST", "/api/scheduled"], [
        "DELETE",
        "/api/scheduled/1",
      ]]
    ) {
      const r = await call(app, method, path, method === "POST" ? { body: {} } : {});
      assertEquals([r.status, r.body.error], [401, "Missing apikey header"], `${method} ${path}`);
    }
  });

  let id = 0;
  await t.step(
    "POST schedules a message (201), recipients normalised and JSON-encoded as the contract",
    async () => {
      const r = await create(valid);
      assertEquals(r.status, 201);
      const m = r.body.message as Record<string, unknown>;
      assertEquals(m.instance_name, "ana-1");
      assertEquals(m.recipients, JSON.stringify(["595981000001", "595981000002"]));
      assertEquals(m.scheduled_at, "2026-04-18T12:00:00.000Z");
      assertEquals(m.status, "pending");
      assertEquals(m.message_type, "text");
      id = m.id as number;
    },
  );

  await t.step("POST validates in the contract's order with its messages", async () => {
    await expect(
      call(app, "POST", "/api/scheduled", { raw: "{oops", token: anaToken }),
      400,
      "Invalid JSON body",
    );
    await expect(create([1]), 400, "Invalid JSON body");
    await expect(create({}), 400, "instance_name is required");
    await expect(create({ ...valid, recipients: [] }), 400, "recipients must be a non-empty array");
    await expect(
      create({ ...valid, recipients: "595981000001" }),
      400,
      "recipients must be a non-empty array",
    );
    const many = Array.from({ length: 501 }, (_, i) => `5959810${String(i).padStart(5, "0")}`);
    await expect(create({ ...valid, recipients: many }), 400, "Maximum 500 recipients allowed");
    await expect(
      create({ ...valid, recipients: ["12ab"] }),
      400,
      "Invalid recipient: Phone number must contain only digits",
    );
    await expect(
      create({ ...valid, recipients: ["123"] }),
      400,
      "Invalid recipient: Phone number must be between 8 and 20 digits",
    );
    await expect(create({ ...valid, message_content: undefined }), 400, "message_content is required");
    await expect(
      create({ ...valid, message_content: "ñ".repeat(2501) }),
      400,
      "message_content must be at most 5000 characters",
    );
    await expect(create({ ...valid, scheduled_at: undefined }), 400, "scheduled_at is required");
    await expect(create({ ...valid, instance_name: "beto-1" }), 403, "You do not own this instance");
    await expect(create({ ...valid, instance_name: "nobody" }), 403, "You do not own this instance");
    await expect(
      create({ ...valid, message_type: "sticker" }),
      400,
      "message_type must be one of: text, image, document, audio, video",
    );
    await expect(
      create({ ...valid, message_type: "image", message_content: "not json" }),
      400,
      "message_content of a media message must be JSON with mediatype, media and an optional caption",
    );
    await expect(
      create({ ...valid, scheduled_at: "tomorrow" }),
      400,
      "scheduled_at must be an ISO 8601 date and time (with an offset, or read in your time zone)",
    );
    await expect(
      create({ ...valid, time_zone: "Mars/Olympus" }),
      400,
      "time_zone must be an IANA time zone such as America/Asuncion",
    );
    await expect(
      create({ ...valid, recurrence: { type: "hourly" } }),
      400,
      "recurrence.type must be one of: daily, weekly, monthly, cron",
    );
    await expect(
      create({ ...valid, recurrence: { type: "weekly", days: [0] } }),
      400,
      "recurrence.days must list weekdays from 1 (Monday) to 7 (Sunday)",
    );
    await expect(
      create({ ...valid, recurrence: { type: "cron", cron: "61 * * * *" } }),
      400,
      "recurrence.cron must be a five-field cron expression",
    );
    await expect(
      create({ ...valid, recurrence: { type: "daily" }, recurrence_until: "2026-01-01T00:00:00Z" }),
      400,
      "recurrence_until must not be before scheduled_at",
    );
    await expect(
      create({ ...valid, variables: { "595981999999": { name: "X" } } }),
      400,
      "variables must map recipients to objects of text values",
    );
    await expect(create({ ...valid, template_id: 999999 }), 404, "Template not found");
    // Nothing of the refused bodies was stored.
    const [{ n }] = await app.db.sql<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM taguato.scheduled_messages`;
    assertEquals(n, 1);
  });

  await t.step("a time without offset is read in the user's time zone (setting, then body)", async () => {
    const pref = await call(app, "GET", "/api/preferences", { token: anaToken });
    assertEquals(pref.body.effective_time_zone, "America/Asuncion");
    assertEquals(
      (await call(app, "PUT", "/api/preferences", { token: anaToken, body: { time_zone: "Nowhere/X" } }))
        .status,
      400,
    );
    const set = await call(app, "PUT", "/api/preferences", {
      token: anaToken,
      body: { time_zone: "Europe/Madrid" },
    });
    assertEquals([set.status, set.body.time_zone], [200, "Europe/Madrid"]);
    // 2026-04-18 is CEST (+02:00) in Madrid.
    const local = await create({ ...valid, scheduled_at: "2026-04-18 10:00" });
    assertEquals(local.body.message.scheduled_at, "2026-04-18T08:00:00.000Z");
    assertEquals(local.body.message.time_zone, "Europe/Madrid");
    assertEquals(local.body.message.scheduled_at_local, "2026-04-18T10:00:00+02:00");
    const inBody = await create({
      ...valid,
      scheduled_at: "2026-04-18T10:00",
      time_zone: "America/Asuncion",
    });
    assertEquals(inBody.body.message.scheduled_at, "2026-04-18T13:00:00.000Z");
  });

  await t.step("a template supplies the text and variables are kept per recipient", async () => {
    const tpl = await call(app, "POST", "/api/templates", {
      token: anaToken,
      body: { name: "promo", content: "Hola {{name|cliente}}" },
    });
    const r = await create({
      ...valid,
      message_content: undefined,
      template_id: tpl.body.template.id,
      variables: { "+595981000001": { name: "Ana" } },
    });
    assertEquals(r.status, 201);
    assertEquals(r.body.message.message_content, "Hola {{name|cliente}}");
    assertEquals(r.body.message.variables, { "595981000001": { name: "Ana" } });
    // Another tenant's template is not found.
    await expect(
      create({
        ...valid,
        message_content: undefined,
        instance_name: "beto-1",
        template_id: tpl.body.template.id,
      }, betoToken),
      404,
      "Template not found",
    );
  });

  await t.step(
    "a contact list adds its numbers, names and custom fields; another tenant's list is not found",
    async () => {
      const [list] = await app.db.sql<{ id: number }[]>`
      INSERT INTO taguato.contact_lists (user_id, name) VALUES (${ana}, 'clientes') RETURNING id`;
      await app.db.sql`INSERT INTO taguato.contact_list_items (list_id, phone_number, label, fields) VALUES
      (${list.id}, '595981000011', 'Carla', ${app.db.sql.json({ ciudad: "Luque" })}),
      (${list.id}, '595981000012', '', '{}')`;
      const r = await create({
        ...valid,
        recipients: ["595981000001"],
        contact_list_id: list.id,
        variables: { "595981000001": { name: "Ana" } },
      });
      assertEquals(r.status, 201, JSON.stringify(r.body));
      assertEquals(r.body.message.recipients, '["595981000001","595981000011","595981000012"]');
      assertEquals(r.body.message.variables, {
        "595981000001": { name: "Ana" },
        "595981000011": { ciudad: "Luque", name: "Carla", number: "595981000011" },
        "595981000012": { number: "595981000012" },
      });
      await expect(
        create({ ...valid, instance_name: "beto-1", contact_list_id: list.id }, betoToken),
        404,
        "List not found",
      );
      await app.db.sql`DELETE FROM taguato.scheduled_messages WHERE id = ${r.body.message.id}`;
    },
  );

  await t.step("GET lists mine (20 by default), filters by status, and finds one by id", async () => {
    const list = await call(app, "GET", "/api/scheduled", { token: anaToken });
    assertEquals(list.status, 200);
    assertEquals([list.body.total, list.body.limit, list.body.page], [4, 20, 1]);
    assert(list.body.messages.every((m: { instance_name: string }) => m.instance_name === "ana-1"));
    const none = await call(app, "GET", "/api/scheduled?status=cancelled", { token: anaToken });
    assertEquals(none.body.total, 0);
    await expect(
      call(app, "GET", "/api/scheduled?status=nope", { token: anaToken }),
      400,
      "status must be one of: pending, processing, completed, failed, cancelled",
    );
    const one = await call(app, "GET", `/api/scheduled/${id}`, { token: anaToken });
    assertEquals([one.status, one.body.message.id], [200, id]);
    await expect(
      call(app, "GET", `/api/scheduled/${id}`, { token: betoToken }),
      404,
      "Scheduled message not found",
    );
    await expect(
      call(app, "GET", "/api/scheduled/abc", { token: anaToken }),
      404,
      "Scheduled message not found",
    );
    assertEquals((await call(app, "GET", "/api/scheduled", { token: betoToken })).body.total, 0);
  });

  await t.step("PUT changes a pending message; the new instance must be one the caller can use", async () => {
    const put = (body: unknown, token = anaToken, target = id) =>
      call(app, "PUT", `/api/scheduled/${target}`, { body, token });
    await expect(put({ message_content: "x" }, betoToken), 404, "Scheduled message not found");
    await expect(put({ instance_name: "beto-1" }), 403, "You do not own this instance");
    await expect(
      put({ recipients: ["abc"] }),
      400,
      "Invalid recipient: Phone number must contain only digits",
    );
    await expect(put({ recipients: [] }), 400, "recipients must be a non-empty array");
    await expect(
      put({ message_content: "c".repeat(5001) }),
      400,
      "message_content must be at most 5000 characters",
    );
    await expect(put({}), 400, "No fields to update");
    const [before] = await app.db.sql`SELECT instance_name FROM taguato.scheduled_messages WHERE id = ${id}`;
    assertEquals(before.instance_name, "ana-1");
    const ok = await put({
      instance_name: "ana-2",
      scheduled_at: "2026-05-01T08:00:00Z",
      recipients: ["595981000003"],
    });
    assertEquals(ok.status, 200);
    assertEquals(
      [ok.body.message.instance_name, ok.body.message.scheduled_at, ok.body.message.recipients],
      ["ana-2", "2026-05-01T08:00:00.000Z", '["595981000003"]'],
    );
  });

  await t.step("a grantee may schedule on (and move to) an instance granted to them", async () => {
    await app.db.sql`INSERT INTO taguato.instance_permissions (instance_name, grantee_user_id, granted_by)
      VALUES ('beto-1', ${ana}, ${beto})`;
    const r = await call(app, "PUT", `/api/scheduled/${id}`, {
      body: { instance_name: "beto-1" },
      token: anaToken,
    });
    assertEquals([r.status, r.body.message?.instance_name], [200, "beto-1"]);
  });

  await t.step("DELETE cancels a pending message once; the contract's messages otherwise", async () => {
    await expect(
      call(app, "DELETE", `/api/scheduled/${id}`, { token: betoToken }),
      404,
      "Scheduled message not found",
    );
    const r = await call(app, "DELETE", `/api/scheduled/${id}`, { token: anaToken });
    assertEquals([r.status, r.body], [200, { message: { id, status: "cancelled" } }]);
    await expect(
      call(app, "DELETE", `/api/scheduled/${id}`, { token: anaToken }),
      400,
      "Only pending messages can be cancelled",
    );
    await expect(
      call(app, "PUT", `/api/scheduled/${id}`, { token: anaToken, body: { message_content: "x" } }),
      400,
      "Only pending messages can be updated",
    );
  });
});
