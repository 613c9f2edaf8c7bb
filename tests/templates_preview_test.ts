import { errorBody } from "./_helpers/errors.ts";
import { assertEquals } from "../lib/core/testing.ts";
import { startTestApp } from "./_helpers/app.ts";
import { call, createUser, login } from "./_helpers/auth_client.ts";

type Body = Record<string, unknown>;

Deno.test("templates report their variables and preview for a sample contact, inline or by item id", async (t) => {
  await using app = await startTestApp({ cache: "memory" });
  await createUser(app, "tv_ana", "Passw0rd-ana");
  await createUser(app, "tv_beto", "Passw0rd-beto");
  const ana = await login(app, "tv_ana", "Passw0rd-ana");
  const beto = await login(app, "tv_beto", "Passw0rd-beto");
  const content = "Hola {{name|cliente}}, tu número {{number}}. Ciudad: {{ciudad}}. {{Nombre}}";
  const created = await call(app, "POST", "/api/templates", { token: ana, body: { name: "Vars", content } });
  const tpl = created.body.template as Body;
  const preview = (body: unknown, token = ana, id = tpl.id) =>
    call(app, "POST", `/api/templates/${id}/preview`, { token, body });

  await t.step("create, list and update answers carry `variables` in order of first use", async () => {
    assertEquals(tpl.variables, ["name", "number", "ciudad", "Nombre"]);
    const list = await call(app, "GET", "/api/templates", { token: ana });
    assertEquals((list.body.templates as Body[])[0].variables, ["name", "number", "ciudad", "Nombre"]);
    const put = await call(app, "PUT", `/api/templates/${tpl.id}`, {
      token: ana,
      body: { content: "Sin variables" },
    });
    assertEquals((put.body.template as Body).variables, []);
    await call(app, "PUT", `/api/templates/${tpl.id}`, { token: ana, body: { content } });
  });

  await t.step(
    "an inline contact fills name, number and custom fields; unknown ones are reported, no braces",
    async () => {
      const r = await preview({
        contact: { name: "Ana", number: "595981000111", fields: { Ciudad: "Luque" } },
      });
      assertEquals(r.status, 200);
      assertEquals(r.body.text, "Hola Ana, tu número 595981000111. Ciudad: Luque. ");
      assertEquals(r.body.unknown, ["Nombre"]);
      const empty = await preview({});
      assertEquals([empty.body.text, empty.body.unknown], ["Hola cliente, tu número . Ciudad: . ", [
        "number",
        "ciudad",
        "Nombre",
      ]]);
    },
  );

  await t.step("a contact id uses that item of one of the caller's lists", async () => {
    const list = (await call(app, "POST", "/api/contacts", { token: ana, body: { name: "L" } })).body
      .list as Body;
    const items = await call(app, "POST", `/api/contacts/${list.id}/items`, {
      token: ana,
      body: { phone_number: "595981000222", label: "Beto", fields: { ciudad: "CDE", nombre: "Roberto" } },
    });
    const itemId = (items.body.items as Body[])[0].id;
    const r = await preview({ contact_id: itemId });
    assertEquals([r.body.text, r.body.unknown], [
      "Hola Beto, tu número 595981000222. Ciudad: CDE. Roberto",
      [],
    ]);
    // Another tenant's item is not theirs to read.
    const beTpl =
      (await call(app, "POST", "/api/templates", { token: beto, body: { name: "x", content: "{{name}}" } }))
        .body.template as Body;
    const foreign = await preview({ contact_id: itemId }, beto, beTpl.id);
    assertEquals([foreign.status, foreign.body], [404, errorBody("Item not found")]);
  });

  await t.step("bad bodies and other tenants' templates", async () => {
    const cases: [unknown, string][] = [
      ["{x", "Invalid JSON body"],
      ["[1]", "Invalid JSON body"],
      [{ contact: "Ana" }, "contact must be an object {name?, number?, fields?}"],
      [{ contact: { name: 5 } }, "contact.name must be a string"],
      [{ contact: { fields: [1] } }, "fields must be an object of texts with named keys"],
      [{ contact_id: "1" }, "contact_id must be a positive integer"],
    ];
    for (const [body, error] of cases) {
      const r = await preview(body);
      assertEquals([r.status, r.body], [400, errorBody(error)], error);
    }
    const other = await preview({}, beto);
    assertEquals([other.status, other.body], [404, errorBody("Template not found")]);
    assertEquals((await preview({}, ana, "abc")).status, 404);
  });
  await t.step("the new routes are documented in /api/openapi.json", async () => {
    const paths = (await call(app, "GET", "/api/openapi.json")).body.paths as Record<
      string,
      Record<string, unknown>
    >;
    assertEquals(Object.keys(paths["/api/templates/{id}/preview"]), ["post"]);
    for (
      const p of ["/api/contacts", "/api/contacts/{id}/import", "/api/contacts/{id}/check", "/api/opt-outs"]
    ) {
      assertEquals(typeof paths[p], "object", p);
    }
  });
});
