import { errorBody } from "./_helpers/errors.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { startTestApp, type TestApp } from "./_helpers/app.ts";
import { call, createUser, login } from "./_helpers/auth_client.ts";
import { control, tenantWithInstance } from "./_helpers/engine.ts";

type Body = Record<string, unknown>;

async function twoTenants(app: TestApp, prefix: string) {
  await createUser(app, `${prefix}_ana`, "Passw0rd-ana");
  await createUser(app, `${prefix}_beto`, "Passw0rd-beto");
  return {
    ana: await login(app, `${prefix}_ana`, "Passw0rd-ana"),
    beto: await login(app, `${prefix}_beto`, "Passw0rd-beto"),
  };
}

const itemCount = async (app: TestApp) =>
  (await app.db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM taguato.contact_list_items`)[0].n;

Deno.test("/api/contacts: lists and items with the contract's answers and messages", async (t) => {
  await using app = await startTestApp({ cache: "memory" });
  const { ana, beto } = await twoTenants(app, "ct");
  const expect = async (r: Promise<{ status: number; body: Body }>, status: number, error: string) => {
    const res = await r;
    assertEquals([res.status, res.body], [status, errorBody(error)]);
  };

  await t.step("every route needs a credential", async () => {
    for (
      const [method, path] of [["GET", "/api/contacts"], ["POST", "/api/contacts"], [
        "GET",
        "/api/contacts/1",
      ]]
    ) {
      const r = await call(app, method, path, method === "POST" ? { body: {} } : {});
      assertEquals(r.status, 401, `${method} ${path}`);
    }
  });

  let listId = 0;
  await t.step("POST creates a list (201); name is required and at most 100 characters", async () => {
    const r = await call(app, "POST", "/api/contacts", { token: ana, body: { name: "Clientes" } });
    assertEquals(r.status, 201);
    const list = r.body.list as Body;
    assertEquals(Object.keys(list).sort(), ["created_at", "id", "name", "updated_at"]);
    assertEquals(list.name, "Clientes");
    listId = list.id as number;
    for (const body of [{}, { name: "" }, { name: 5 }, "{oops", "[1]", { name: null }]) {
      await expect(call(app, "POST", "/api/contacts", { token: ana, body }), 400, "name is required");
    }
    await expect(
      call(app, "POST", "/api/contacts", { token: ana, body: { name: "n".repeat(101) } }),
      400,
      "name must be at most 100 characters",
    );
  });

  await t.step("POST items: one or many, all validated before any is stored", async () => {
    const one = await call(app, "POST", `/api/contacts/${listId}/items`, {
      token: ana,
      body: { phone_number: "595 981 000 111", label: "Ana", fields: { Ciudad: "Asunción" } },
    });
    assertEquals(one.status, 201);
    const [item] = one.body.items as Body[];
    assertEquals([item.phone_number, item.label, item.fields, item.whatsapp], [
      "595981000111",
      "Ana",
      { ciudad: "Asunción" },
      null,
    ]);
    const many = await call(app, "POST", `/api/contacts/${listId}/items`, {
      token: ana,
      body: { items: [{ phone_number: "595981000222" }, { phone_number: "" }, { label: "no number" }] },
    });
    assertEquals([many.status, (many.body.items as Body[]).map((i) => [i.phone_number, i.label])], [201, [[
      "595981000222",
      "",
    ]]]);

    const before = await itemCount(app);
    const bad = (body: unknown) => call(app, "POST", `/api/contacts/${listId}/items`, { token: ana, body });
    await expect(
      bad({ items: [{ phone_number: "595981000333" }, { phone_number: "12ab5678" }] }),
      400,
      "Phone number must contain only digits (12ab5678)",
    );
    await expect(
      bad({ items: [{ phone_number: "595981000333" }, { phone_number: "1234" }] }),
      400,
      "Phone number must be between 8 and 20 digits (1234)",
    );
    await expect(
      bad({ phone_number: "595981000333", label: "l".repeat(101) }),
      400,
      "label must be at most 100 characters",
    );
    await expect(bad("{nope"), 400, "Invalid JSON body");
    await expect(bad({ items: "x" }), 400, "items must be an array");
    await expect(
      bad({ phone_number: "595981000333", fields: [1] }),
      400,
      "fields must be an object of texts with named keys",
    );
    // The contract stored the items before the bad one (§14 #23): nothing is stored now.
    assertEquals(await itemCount(app), before);
  });

  await t.step("GET lists with item counts; GET one with its items by id", async () => {
    const lists = await call(app, "GET", "/api/contacts", { token: ana });
    assertEquals(lists.status, 200);
    const [list] = lists.body.lists as Body[];
    assertEquals([list.id, list.name, list.item_count], [listId, "Clientes", 2]);
    const one = await call(app, "GET", `/api/contacts/${listId}`, { token: ana });
    const got = one.body.list as Body;
    assertEquals((got.items as Body[]).map((i) => i.phone_number), ["595981000111", "595981000222"]);
    const page = await call(app, "GET", `/api/contacts/${listId}/items?limit=1&page=2`, { token: ana });
    assertEquals([page.body.total, page.body.pages, (page.body.items as Body[])[0].phone_number], [
      2,
      2,
      "595981000222",
    ]);
    const search = await call(app, "GET", `/api/contacts/${listId}/items?search=Ana`, { token: ana });
    assertEquals(search.body.total, 1);
    await expect(
      call(app, "GET", `/api/contacts/${listId}/items?whatsapp=maybe`, { token: ana }),
      400,
      "whatsapp must be one of: valid, invalid, unchecked",
    );
    assertEquals(
      (await call(app, "GET", `/api/contacts/${listId}/items?page=0`, { token: ana })).status,
      400,
    );
  });

  await t.step("another tenant's list, and ids that name nothing, are 'List not found'", async () => {
    for (
      const [method, path, body] of [
        ["GET", `/api/contacts/${listId}`],
        ["PUT", `/api/contacts/${listId}`, { name: "x" }],
        ["DELETE", `/api/contacts/${listId}`],
        ["GET", `/api/contacts/${listId}/items`],
        ["POST", `/api/contacts/${listId}/items`, { phone_number: "595981000999" }],
        ["DELETE", `/api/contacts/${listId}/items/1`],
        ["POST", `/api/contacts/${listId}/import`, "number\n595981000999\n"],
        ["POST", `/api/contacts/${listId}/check`, { instance_name: "x" }],
        ["GET", "/api/contacts/abc"],
      ] as [string, string, unknown?][]
    ) {
      await expect(call(app, method, path, { token: beto, body }), 404, "List not found");
    }
    assertEquals((await call(app, "GET", "/api/contacts", { token: beto })).body.lists, []);
  });

  await t.step("PUT renames; DELETE item and list", async () => {
    await expect(
      call(app, "PUT", `/api/contacts/${listId}`, { token: ana, body: {} }),
      400,
      "name is required",
    );
    const put = await call(app, "PUT", `/api/contacts/${listId}`, { token: ana, body: { name: "VIP" } });
    assertEquals([put.status, Object.keys(put.body.list as Body).sort()], [200, [
      "id",
      "name",
      "updated_at",
    ]]);
    const items = ((await call(app, "GET", `/api/contacts/${listId}`, { token: ana })).body.list as Body)
      .items as Body[];
    const del = await call(app, "DELETE", `/api/contacts/${listId}/items/${items[0].id}`, { token: ana });
    assertEquals([del.status, del.body], [200, { deleted: { id: items[0].id } }]);
    await expect(
      call(app, "DELETE", `/api/contacts/${listId}/items/${items[0].id}`, { token: ana }),
      404,
      "Item not found",
    );
    const gone = await call(app, "DELETE", `/api/contacts/${listId}`, { token: ana });
    assertEquals([gone.status, gone.body], [200, { deleted: { id: listId, name: "VIP" } }]);
    assertEquals(await itemCount(app), 0);
    await expect(call(app, "DELETE", `/api/contacts/${listId}`, { token: ana }), 404, "List not found");
  });
});

const importCsv = (
  app: TestApp,
  token: string,
  id: number,
  csv: string | Uint8Array<ArrayBuffer>,
  query = "",
) =>
  fetch(`${app.url}/api/contacts/${id}/import${query}`, {
    method: "POST",
    headers: { apikey: token, "content-type": "text/csv" },
    body: csv,
  }).then(async (r) => ({ status: r.status, body: await r.json() as Body }));

Deno.test("CSV import: BOM, `;`, header mapping, normalised numbers, duplicates and a report per row", async () => {
  await using app = await startTestApp({ cache: "memory" });
  const { ana } = await twoTenants(app, "csv");
  const id =
    ((await call(app, "POST", "/api/contacts", { token: ana, body: { name: "Import" } })).body.list as Body)
      .id as number;
  await call(app, "POST", `/api/contacts/${id}/items`, {
    token: ana,
    body: { phone_number: "595981000004" },
  });
  const csv = "\uFEFFNombre;Teléfono;Ciudad;Fecha de pago\n" +
    "Ana;+595 (981) 000-001;Asunción;2026-01-05\n" +
    '"Beto; el segundo";0981.000.002;Luque;\n' +
    "Caro;595981000001;Encarnación;x\n" +
    "Dani;12ab;CDE;\n" +
    "Eva;;CDE;\n" +
    "Fito;595981000004;CDE;\n";
  const r = await importCsv(app, ana, id, csv);
  assertEquals(r.status, 200);
  assertEquals([r.body.total, r.body.accepted, r.body.duplicates, r.body.invalid, r.body.delimiter], [
    6,
    2,
    2,
    2,
    ";",
  ]);
  assertEquals(r.body.columns, { number: "Teléfono", name: "Nombre", fields: ["ciudad", "fecha_de_pago"] });
  assertEquals((r.body.report as Body[]).map((x) => [x.row, x.status, x.phone_number, x.code ?? null]), [
    [2, "accepted", "595981000001", null],
    [3, "accepted", "0981000002", null],
    [4, "duplicate", "595981000001", "csv_duplicate_in_file"],
    [5, "invalid", "12ab", "phone_digits"],
    [6, "invalid", "", "csv_number_missing"],
    [7, "duplicate", "595981000004", "csv_duplicate_in_list"],
  ]);
  const items = ((await call(app, "GET", `/api/contacts/${id}`, { token: ana })).body.list as Body)
    .items as Body[];
  assertEquals(items.map((i) => [i.phone_number, i.label, i.fields]), [
    ["595981000004", "", {}],
    ["595981000001", "Ana", { ciudad: "Asunción", fecha_de_pago: "2026-01-05" }],
    ["0981000002", "Beto; el segundo", { ciudad: "Luque" }],
  ]);

  // Named columns; a comma file.
  const mapped = await importCsv(
    app,
    ana,
    id,
    "who,cell,extra\nZoe,595981000009,1\n",
    "?number_column=CELL&name_column=who",
  );
  assertEquals([mapped.status, mapped.body.accepted, mapped.body.columns], [200, 1, {
    number: "cell",
    name: "who",
    fields: ["extra"],
  }]);
});

Deno.test("CSV import: a bad file is a 400 and changes nothing", async () => {
  await using app = await startTestApp({ cache: "memory" });
  const { ana } = await twoTenants(app, "csvbad");
  const id =
    ((await call(app, "POST", "/api/contacts", { token: ana, body: { name: "Bad" } })).body.list as Body)
      .id as number;
  const before = await itemCount(app);
  const cases: [string | Uint8Array<ArrayBuffer>, string, string?][] = [
    [
      new Uint8Array([0x6e, 0x75, 0x6d, 0x62, 0x65, 0x72, 0x0a, 0xff, 0xfe, 0x31]),
      "The CSV file must be UTF-8 text",
    ],
    ["", "The CSV file is empty"],
    [
      'number,name\n595981000001,"Ana\n595981000002,Beto\n',
      "The CSV file is malformed (unbalanced quotes near row 2)",
    ],
    ["nombre,ciudad\nAna,Asunción\n", errorBody("csv_no_number_column").error],
    ["number\n595981000001\n", "The CSV header has no column movil", "?number_column=movil"],
    [`number\n${"595981000001\n".repeat(50_001)}`, "The CSV file has more than 50000 rows"],
    [Array.from({ length: 51 }, (_, i) => `c${i}`).join(",") + "\n", "The CSV file has more than 50 columns"],
  ];
  for (const [csv, error, query] of cases) {
    const r = await importCsv(app, ana, id, csv, query);
    assertEquals([r.status, r.body], [400, errorBody(error)], error);
  }
  assertEquals(await itemCount(app), before);
});

Deno.test("CSV import of 50,000 rows stores every number once", async () => {
  await using app = await startTestApp({ cache: "memory" });
  const { ana } = await twoTenants(app, "csvbig");
  const id =
    ((await call(app, "POST", "/api/contacts", { token: ana, body: { name: "Big" } })).body.list as Body)
      .id as number;
  const lines = ["number,name,plan"];
  for (let i = 0; i < 50_000; i++) {
    lines.push(`5959810${String(i % 49_990).padStart(5, "0")},Cliente ${i},gold`);
  }
  const r = await importCsv(app, ana, id, lines.join("\r\n"));
  assertEquals([r.status, r.body.total, r.body.accepted, r.body.duplicates, r.body.invalid], [
    200,
    50_000,
    49_990,
    10,
    0,
  ]);
  const [{ n, distinct }] = await app.db.sql<{ n: number; distinct: number }[]>`
    SELECT count(*)::int AS n, count(DISTINCT phone_number)::int AS distinct
    FROM taguato.contact_list_items WHERE list_id = ${id}`;
  assertEquals([n, distinct], [49_990, 49_990]);
  const list = (await call(app, "GET", "/api/contacts", { token: ana })).body.lists as Body[];
  assert(list[0].item_count === 49_990);
});

Deno.test("WhatsApp check: batches through the engine's whatsappNumbers and marks each item", async () => {
  await using app = await startTestApp({ cache: "memory" });
  const owner = await tenantWithInstance(app, "wa_ana", "wa-ana");
  const { beto } = await twoTenants(app, "wachk");
  const id = ((await call(app, "POST", "/api/contacts", { token: owner.token, body: { name: "WA" } })).body
    .list as Body).id as number;
  const numbers = Array.from({ length: 120 }, (_, i) => `5959820${String(i).padStart(5, "0")}`);
  await call(app, "POST", `/api/contacts/${id}/items`, {
    token: owner.token,
    body: { items: numbers.map((phone_number) => ({ phone_number })) },
  });
  // Every third number has WhatsApp.
  await control(app).directory({ knownNumbers: numbers.filter((_, i) => i % 3 === 0) });
  const check = (body: unknown, token = owner.token) =>
    call(app, "POST", `/api/contacts/${id}/check`, { token, body });

  const first = await check({ instance_name: owner.instance, limit: 70 });
  assertEquals([first.status, first.body], [200, { checked: 70, valid: 24, invalid: 46, remaining: 50 }]);
  const rest = await check({ instance_name: owner.instance });
  assertEquals(rest.body, { checked: 50, valid: 16, invalid: 34, remaining: 0 });
  const valid = await call(app, "GET", `/api/contacts/${id}/items?whatsapp=valid&limit=100`, {
    token: owner.token,
  });
  assertEquals(valid.body.total, 40);
  assert((valid.body.items as Body[]).every((i) => typeof i.whatsapp_checked_at === "string"));
  const again = await check({ instance_name: owner.instance, recheck: true });
  assertEquals(again.body, { checked: 120, valid: 40, invalid: 80, remaining: 0 });

  assertEquals([(await check({})).status, (await check({})).body], [
    400,
    errorBody("instance_name is required"),
  ]);
  assertEquals((await check({ instance_name: owner.instance, limit: 0 })).status, 400);
  const foreign = await check({ instance_name: "someone-else" });
  assertEquals([foreign.status, foreign.body.code], [403, "engine_instance_not_owned"]);
  assertEquals((await check({ instance_name: owner.instance }, beto)).status, 404);
  await control(app).phoneLogout(owner.instance);
  const closed = await check({ instance_name: owner.instance, recheck: true });
  assertEquals([closed.status, closed.body], [409, errorBody(`Instance ${owner.instance} is not connected`)]);
});
