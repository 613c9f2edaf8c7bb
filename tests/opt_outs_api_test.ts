import { errorBody } from "./_helpers/errors.ts";
import { assertEquals } from "../lib/core/testing.ts";
import { startTestApp } from "./_helpers/app.ts";
import { call, createUser, login } from "./_helpers/auth_client.ts";
import { control, eventually, tenantWithInstance } from "./_helpers/engine.ts";

type Body = Record<string, unknown>;

Deno.test("/api/opt-outs: add, list, remove and the stop/start words, per tenant", async (t) => {
  await using app = await startTestApp({ cache: "memory" });
  await createUser(app, "oo_ana", "Passw0rd-ana");
  await createUser(app, "oo_beto", "Passw0rd-beto");
  const ana = await login(app, "oo_ana", "Passw0rd-ana");
  const beto = await login(app, "oo_beto", "Passw0rd-beto");
  const add = (body: unknown, token = ana) => call(app, "POST", "/api/opt-outs", { token, body });

  await t.step("POST adds a number (201), normalised; again is 200 and keeps the first entry", async () => {
    const r = await add({ phone_number: "+595 981 000-111", reason: "asked by phone" });
    assertEquals(r.status, 201);
    const row = r.body.opt_out as Body;
    assertEquals([row.phone_number, row.source, row.reason], ["595981000111", "api", "asked by phone"]);
    const again = await add({ phone_number: "595981000111@s.whatsapp.net" });
    assertEquals([again.status, (again.body.opt_out as Body).reason], [200, "asked by phone"]);
  });

  await t.step("POST refuses bad input with its message and stores nothing", async () => {
    const cases: [unknown, string][] = [
      [{}, "phone_number is required"],
      ["{x", "Invalid JSON body"],
      [{ phone_number: "12ab5678" }, "Phone number must contain only digits"],
      [{ phone_number: "123" }, "Phone number must be between 8 and 20 digits"],
      [{ phone_number: "120363000000000000@g.us" }, "phone_number must be a phone number, not a group"],
      [{ phone_number: "595981000222", reason: 5 }, "reason must be a string"],
      [{ phone_number: "595981000222", reason: "r".repeat(501) }, "reason must be at most 500 characters"],
    ];
    for (const [body, error] of cases) {
      const r = await add(body);
      assertEquals([r.status, r.body], [400, errorBody(error)], error);
    }
    const list = await call(app, "GET", "/api/opt-outs", { token: ana });
    assertEquals([list.status, list.body.total, list.body.page, list.body.pages], [200, 1, 1, 1]);
  });

  await t.step("GET pages and searches; another tenant sees nothing and cannot remove it", async () => {
    await add({ phone_number: "595981000222" });
    await add({ phone_number: "595981000333" });
    const page = await call(app, "GET", "/api/opt-outs?limit=2&page=2", { token: ana });
    assertEquals([page.body.total, (page.body.opt_outs as Body[]).length], [3, 1]);
    const found = await call(app, "GET", "/api/opt-outs?search=0222", { token: ana });
    assertEquals((found.body.opt_outs as Body[]).map((o) => o.phone_number), ["595981000222"]);
    assertEquals((await call(app, "GET", "/api/opt-outs?page=0", { token: ana })).status, 400);
    assertEquals((await call(app, "GET", "/api/opt-outs", { token: beto })).body.total, 0);
    const foreign = await call(app, "DELETE", "/api/opt-outs/595981000222", { token: beto });
    assertEquals([foreign.status, foreign.body], [404, errorBody("Number is not opted out")]);
  });

  await t.step("DELETE removes; a second time is 404", async () => {
    const r = await call(app, "DELETE", "/api/opt-outs/595981000222", { token: ana });
    assertEquals([r.status, r.body], [200, { deleted: { phone_number: "595981000222" } }]);
    assertEquals((await call(app, "DELETE", "/api/opt-outs/595981000222", { token: ana })).status, 404);
    assertEquals((await call(app, "DELETE", "/api/opt-outs/abc", { token: ana })).status, 400);
  });

  await t.step("words: the defaults, then the tenant's own, validated", async () => {
    const w = await call(app, "GET", "/api/opt-outs/words", { token: ana });
    assertEquals([w.body.opt_out_words, w.body.opt_in_words], [
      ["STOP", "BAJA", "SALIR", "CANCELAR", "UNSUBSCRIBE"],
      ["START", "ALTA"],
    ]);
    const put = (body: unknown) => call(app, "PUT", "/api/opt-outs/words", { token: ana, body });
    const set = await put({ opt_out_words: ["basta", "No más"] });
    assertEquals([set.status, set.body.opt_out_words, set.body.opt_in_words], [200, ["BASTA", "NO MAS"], [
      "START",
      "ALTA",
    ]]);
    const bad: [unknown, string][] = [
      [{}, "No fields to update"],
      [{ opt_out_words: "STOP" }, "opt_out_words must be a list of at most 50 words (null for the defaults)"],
      [
        { opt_in_words: ["!!"] },
        "opt_in_words: every word must have letters or digits and at most 40 characters",
      ],
      [{ opt_in_words: ["basta"] }, "A word cannot be both a stop and a start word: BASTA"],
    ];
    for (const [body, error] of bad) {
      const r = await put(body);
      assertEquals([r.status, r.body], [400, errorBody(error)], error);
    }
    const reset = await put({ opt_out_words: null });
    assertEquals(reset.body.opt_out_words, ["STOP", "BAJA", "SALIR", "CANCELAR", "UNSUBSCRIBE"]);
    // Beto's words never changed.
    assertEquals((await call(app, "GET", "/api/opt-outs/words", { token: beto })).body.opt_in_words, [
      "START",
      "ALTA",
    ]);
  });
});

Deno.test("a stop word sent to the instance opts the sender out; a direct send is refused unless overridden; ALTA opts back in", async () => {
  await using app = await startTestApp({ cache: "memory" });
  const owner = await tenantWithInstance(app, "stop_ana", "stop-ana");
  const phone = "595981444555";
  const send = (headers: Record<string, string> = {}) =>
    call(app, "POST", `/message/sendText/${owner.instance}`, {
      token: owner.token,
      body: { number: phone, text: "Promo" },
      headers,
    });
  const listed = async () =>
    ((await call(app, "GET", "/api/opt-outs", { token: owner.token })).body.opt_outs as Body[]).map((o) =>
      o.phone_number
    );

  assertEquals((await send()).status, 201);
  await control(app).inbound(owner.instance, { from: phone, text: "hola" });
  await control(app).inbound(owner.instance, { from: phone, text: " Stop! " });
  await eventually("the opt-out from the inbound STOP", async () => (await listed()).includes(phone));
  const [row] = await app.db.sql`SELECT source, reason FROM taguato.opt_outs WHERE phone_number = ${phone}`;
  assertEquals([row.source, row.reason], ["inbound", "keyword STOP"]);

  const refused = await send();
  assertEquals([refused.status, refused.body], [
    409,
    errorBody("opt_out_recipient", { number: phone, header: "X-Ignore-Opt-Out" }),
  ]);
  // Refused before the ledger: one row only (the first send), nothing for the refusal.
  const [{ n }] = await app.db.sql`
    SELECT count(*)::int AS n FROM taguato.message_logs WHERE phone_number = ${phone} AND direction = 'outbound'`;
  assertEquals(n, 1);
  assertEquals((await send({ "X-Ignore-Opt-Out": "true" })).status, 201);

  await control(app).inbound(owner.instance, { from: phone, text: "alta" });
  await eventually("the opt-in from the inbound ALTA", async () => !(await listed()).includes(phone));
  assertEquals((await send()).status, 201);
});
