import { errorBody } from "./_helpers/errors.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { startTestApp } from "./_helpers/app.ts";
import { call, createUser, login } from "./_helpers/auth_client.ts";

Deno.test("/api/templates: list, create, update, delete with the contract's messages", async (t) => {
  await using app = await startTestApp({ cache: "memory" });
  await createUser(app, "tpl_ana", "Passw0rd-ana");
  await createUser(app, "tpl_beto", "Passw0rd-beto");
  const ana = await login(app, "tpl_ana", "Passw0rd-ana");
  const beto = await login(app, "tpl_beto", "Passw0rd-beto");
  const create = (body: unknown, token = ana) => call(app, "POST", "/api/templates", { body, token });
  const expect400 = async (
    r: Promise<{ status: number; body: Record<string, unknown> }>,
    error: string,
  ) => {
    const res = await r;
    assertEquals([res.status, res.body], [400, errorBody(error)]);
  };

  await t.step("every route needs a credential", async () => {
    for (
      const [method, path] of [["GET", "/api/templates"], ["POST", "/api/templates"], [
        "PUT",
        "/api/templates/1",
      ], ["DELETE", "/api/templates/1"]]
    ) {
      const r = await call(app, method, path, method === "GET" || method === "DELETE" ? {} : { body: {} });
      assertEquals([r.status, r.body.error], [401, "Missing apikey header"], `${method} ${path}`);
    }
  });

  let firstId = 0;
  await t.step("POST creates a template (201) and keeps placeholders verbatim", async () => {
    const r = await create({ name: "Bienvenida", content: "Hola {{name}}, *gracias* 👋" });
    assertEquals(r.status, 201);
    const tpl = r.body.template as Record<string, unknown>;
    assertEquals(tpl.name, "Bienvenida");
    assertEquals(tpl.content, "Hola {{name}}, *gracias* 👋");
    assert(
      typeof tpl.id === "number" && typeof tpl.created_at === "string" &&
        typeof tpl.updated_at === "string",
    );
    assertEquals(Object.keys(tpl).sort(), ["content", "created_at", "id", "name", "updated_at", "variables"]);
    firstId = tpl.id as number;
  });

  await t.step("POST validates in the contract's order with its messages", async () => {
    await expect400(create("{not json"), "Invalid JSON body");
    await expect400(create("[1, 2]"), "Invalid JSON body");
    await expect400(create({}), "name and content are required");
    await expect400(create({ name: "x" }), "name and content are required");
    await expect400(create({ content: "x" }), "name and content are required");
    await expect400(create({ name: null, content: "x" }), "name and content are required");
    // Missing beats a wrong type on the other field.
    await expect400(create({ name: 5 }), "name and content are required");
    await expect400(create({ name: 5, content: "x" }), "name is required");
    await expect400(create({ name: "x", content: ["x"] }), "content is required");
    await expect400(create({ name: "", content: "x" }), "name must be at least 1 characters");
    await expect400(create({ name: "x", content: "" }), "content must be at least 1 characters");
    await expect400(create({ name: "n".repeat(101), content: "x" }), "name must be at most 100 characters");
    await expect400(
      create({ name: "x", content: "c".repeat(5001) }),
      "content must be at most 5000 characters",
    );
  });

  await t.step("lengths are bytes, not characters", async () => {
    // 50 × "ñ" = 100 bytes: fits; 51 × "ñ" = 102 bytes: too long although only 51 characters.
    assertEquals((await create({ name: "ñ".repeat(50), content: "x" })).status, 201);
    await expect400(create({ name: "ñ".repeat(51), content: "x" }), "name must be at most 100 characters");
    // 1250 four-byte emoji = 5000 bytes.
    assertEquals((await create({ name: "emoji", content: "😀".repeat(1250) })).status, 201);
    await expect400(
      create({ name: "emoji", content: "😀".repeat(1251) }),
      "content must be at most 5000 characters",
    );
    assertEquals((await create({ name: "x".repeat(100), content: "c".repeat(5000) })).status, 201);
  });

  await t.step("GET lists only the caller's templates, newest update first, paginated", async () => {
    const r = await call(app, "GET", "/api/templates", { token: ana });
    assertEquals(r.status, 200);
    assertEquals(r.body.total, 4);
    assertEquals([r.body.page, r.body.limit, r.body.pages], [1, 50, 1]);
    const names = (r.body.templates as { name: string }[]).map((t) => t.name);
    assertEquals(names[3], "Bienvenida");
    const page2 = await call(app, "GET", "/api/templates?page=2&limit=3", { token: ana });
    assertEquals([page2.body.total, page2.body.page, page2.body.limit, page2.body.pages], [4, 2, 3, 2]);
    assertEquals((page2.body.templates as { name: string }[]).map((t) => t.name), ["Bienvenida"]);
    const clamped = await call(app, "GET", "/api/templates?limit=500", { token: ana });
    assertEquals(clamped.body.limit, 100);
    const other = await call(app, "GET", "/api/templates", { token: beto });
    assertEquals([other.status, other.body.total, other.body.templates], [200, 0, []]);
    for (const q of ["page=0", "page=-1", "limit=0", "limit=abc"]) {
      const bad = await call(app, "GET", `/api/templates?${q}`, { token: ana });
      assertEquals(bad.status, 400, q);
    }
  });

  await t.step("PUT changes fields, validates lengths too, and moves the template to the top", async () => {
    const put = (id: number | string, body: unknown, token = ana) =>
      call(app, "PUT", `/api/templates/${id}`, { body, token });
    const r = await put(firstId, { content: "Hola {{name}} 🎉" });
    assertEquals(r.status, 200);
    const tpl = r.body.template as Record<string, unknown>;
    assertEquals([tpl.id, tpl.name, tpl.content], [firstId, "Bienvenida", "Hola {{name}} 🎉"]);
    const renamed = (await put(firstId, { name: "Saludo" })).body.template as Record<string, unknown>;
    assertEquals([renamed.name, renamed.content, renamed.created_at], [
      "Saludo",
      tpl.content,
      tpl.created_at,
    ]);
    assert(String(renamed.updated_at) >= String(tpl.updated_at));
    const top = (await call(app, "GET", "/api/templates?limit=1", { token: ana })).body.templates as {
      id: number;
    }[];
    assertEquals(top[0].id, firstId);

    await expect400(put(firstId, "{oops"), "Invalid JSON body");
    await expect400(put(firstId, {}), "No fields to update");
    await expect400(put(firstId, { other: 1 }), "No fields to update");
    await expect400(put(firstId, { name: "" }), "name must be at least 1 characters");
    await expect400(put(firstId, { name: "ñ".repeat(51) }), "name must be at most 100 characters");
    await expect400(put(firstId, { content: "" }), "content must be at least 1 characters");
    await expect400(put(firstId, { content: "c".repeat(5001) }), "content must be at most 5000 characters");
    await expect400(put(firstId, { name: 7 }), "name must be a string");
    await expect400(put(firstId, { content: null }), "content must be a string");
    // Nothing changed by the refused updates.
    const [row] = await app.db.sql<{ name: string; content: string }[]>`
      SELECT name, content FROM taguato.message_templates WHERE id = ${firstId}`;
    assertEquals(row, { name: "Saludo", content: "Hola {{name}} 🎉" });
  });

  await t.step(
    "another user's template, or an id that cannot exist, is 404 Template not found",
    async () => {
      for (
        const [method, path, body] of [
          ["PUT", `/api/templates/${firstId}`, { name: "mine now" }],
          ["DELETE", `/api/templates/${firstId}`, undefined],
          ["PUT", "/api/templates/999999", { name: "x" }],
          ["DELETE", "/api/templates/999999", undefined],
          ["PUT", "/api/templates/abc", { name: "x" }],
          ["DELETE", "/api/templates/0", undefined],
        ] as const
      ) {
        const token = path.endsWith(String(firstId)) ? beto : ana;
        const r = await call(app, method, path, { body, token });
        assertEquals([r.status, r.body], [404, errorBody("Template not found")], `${method} ${path}`);
      }
      const [row] = await app.db.sql<{ name: string }[]>`
      SELECT name FROM taguato.message_templates WHERE id = ${firstId}`;
      assertEquals(row.name, "Saludo");
    },
  );

  await t.step("DELETE answers the deleted id and name; a second delete is 404", async () => {
    const r = await call(app, "DELETE", `/api/templates/${firstId}`, { token: ana });
    assertEquals([r.status, r.body], [200, { deleted: { id: firstId, name: "Saludo" } }]);
    const again = await call(app, "DELETE", `/api/templates/${firstId}`, { token: ana });
    assertEquals([again.status, again.body.error], [404, "Template not found"]);
    assertEquals((await call(app, "GET", "/api/templates", { token: ana })).body.total, 3);
  });

  await t.step("the routes are documented in /api/openapi.json", async () => {
    const doc = await call(app, "GET", "/api/openapi.json");
    const paths = doc.body.paths as Record<string, Record<string, unknown>>;
    assertEquals(Object.keys(paths["/api/templates"]).sort(), ["get", "post"]);
    assertEquals(Object.keys(paths["/api/templates/{id}"]).sort(), ["delete", "put"]);
  });
});
