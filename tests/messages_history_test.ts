/**
 * History beyond the contract's list: POST /api/messages/log (a client's own report, merged into the
 * gateway's row so nothing is counted twice), text search and direction, the formula-safe BOM export of
 * any number of rows, and /api/user/dashboard with its per-day delivery and read rates.
 */
import { errorBody } from "./_helpers/errors.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { ManualClock } from "../lib/core/mod.ts";
import { call, type Gateway, grant, makeInstance, makeUser, startWithInstance } from "./proxy_fixtures.ts";

const FAST = { env: { SEND_RATE_LIMIT_PER_SECOND: "1000" } };
type Gw = Gateway & { owner: { id: number; token: string } };
const logs = async (gw: Gw, query = "", token = gw.owner.token) =>
  (await call(gw, "GET", `/api/messages/log${query}`, { token })).body;
const exportText = async (gw: Gw, query = "") => {
  const res = await fetch(`${gw.url}/api/messages/export${query}`, { headers: { apikey: gw.owner.token } });
  assertEquals(res.status, 200);
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(await res.arrayBuffer());
};

Deno.test("POST /api/messages/log: the contract's validation order, ownership, and no double counting", async (t) => {
  await using gw = await startWithInstance("h-inst", FAST) as Gw;
  const post = (body: unknown, token = gw.owner.token) =>
    call(gw, "POST", "/api/messages/log", { token, body });

  await t.step("each validation message, in the contract's order, and nothing stored", async () => {
    for (
      const [body, msg] of [
        ["{bad", "Invalid JSON body"],
        [{ message_type: "sticker" }, "message_type must be one of: text, image, document, audio, video"],
        [{ message_type: "text", status: "read" }, "status must be one of: sent, failed, cancelled"],
        [{ instance_name: "h-inst" }, "instance_name and phone_number are required"],
        [{ instance_name: "h-inst", phone_number: 595981 }, "phone_number must be a string"],
        [{ instance_name: "h-inst", phone_number: "+ -" }, "instance_name and phone_number are required"],
        [
          { instance_name: "h-inst", phone_number: "1".repeat(129) },
          "phone_number must be at most 128 characters",
        ],
        [
          { instance_name: "h-inst", phone_number: "595981", error_message: 5 },
          "error_message must be a string",
        ],
      ] as [unknown, string][]
    ) {
      const r = await post(body);
      assertEquals([r.status, r.body], [400, errorBody(msg)], JSON.stringify(body));
    }
    assertEquals((await logs(gw)).total, 0);
  });

  await t.step("another tenant's instance is 403; a grantee may report", async () => {
    const other = await makeUser(gw);
    await makeInstance(gw, other, "other-inst");
    const r = await post({ instance_name: "other-inst", phone_number: "595981000222" });
    assertEquals([r.status, r.body], [403, errorBody("You do not own this instance")]);
    const grantee = await makeUser(gw);
    await grant(gw, "h-inst", grantee, gw.owner as never);
    const ok = await post({ instance_name: "h-inst", phone_number: "595981000333" }, grantee.token);
    assertEquals([ok.status, ok.body.merged, ok.body.log.status], [201, false, "sent"]);
  });

  await t.step("a report of a send the gateway made is merged into its row", async () => {
    const sent = await call(gw, "POST", "/message/sendText/h-inst", {
      token: gw.owner.token,
      body: { number: "595981000111", text: "hola" },
    });
    assertEquals(sent.status, 201);
    const r = await post({ instance_name: "h-inst", phone_number: "+595 981 000111", status: "sent" });
    assertEquals([r.status, r.body.merged, r.body.log.phone_number], [201, true, "595981000111"]);
    const mine = await logs(gw);
    assertEquals(mine.total, 1);
    assertEquals([mine.logs[0].source, typeof mine.logs[0].client_reported_at], ["api", "string"]);
    // By engine id: exact, and a second report of the same message is a client row of its own.
    const byId = await call(gw, "POST", "/message/sendText/h-inst", {
      token: gw.owner.token,
      body: { number: "595981000444", text: "otra" },
    });
    const id = byId.body.key.id as string;
    const m = await post({ instance_name: "h-inst", phone_number: "595981000444", message_id: id });
    assertEquals(m.body.merged, true);
    const fresh = await post({ instance_name: "h-inst", phone_number: "595981000555", status: "failed" });
    assertEquals([fresh.body.merged, fresh.body.log.status], [false, "failed"]);
    const after = await logs(gw);
    assertEquals(after.total, 3);
    assertEquals(after.logs.map((l: { source: string }) => l.source), ["client", "api", "api"]);
    const dash = await call(gw, "GET", "/api/user/dashboard", { token: gw.owner.token });
    assertEquals(dash.body.messages_total, 3);
  });

  await t.step("without a credential, 401", async () => {
    assertEquals((await post({ instance_name: "h-inst", phone_number: "1" }, "")).status, 401);
  });
});

Deno.test("GET /api/messages/log: text search over number, text and error; direction; export is formula-safe", async () => {
  await using gw = await startWithInstance("h-inst", FAST) as Gw;
  for (const text of ["Hola María, su pedido 100% listo", "Buenos días"]) {
    await call(gw, "POST", "/message/sendText/h-inst", {
      token: gw.owner.token,
      body: { number: "595981000111", text },
    });
  }
  await gw.db.sql`
    INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, status, direction, source,
      error_message)
    VALUES (${gw.owner.id}, 'h-inst', '595991777888', 'sent', 'inbound', 'engine', '=HYPERLINK("x")'),
      (${gw.owner.id}, 'h-inst', '+595991000000', 'failed', 'outbound', 'client', '@SUM(A1)')`;
  const texts = async (q: string) => (await logs(gw, q)).logs.map((l: { body_text: string }) => l.body_text);
  assertEquals(await texts("?q=maría"), ["Hola María, su pedido 100% listo"]);
  assertEquals(await texts("?q=100%25"), ["Hola María, su pedido 100% listo"]);
  assertEquals(await texts("?q=0%25_"), []);
  assertEquals((await logs(gw, "?q=777")).total, 1);
  assertEquals((await logs(gw, "?q=hyperlink")).total, 1);
  assertEquals((await logs(gw, "?direction=inbound")).logs[0].phone_number, "595991777888");
  assertEquals((await logs(gw, "?direction=outbound&status=failed")).total, 1);
  const long = await call(gw, "GET", `/api/messages/log?q=${"x".repeat(101)}`, { token: gw.owner.token });
  assertEquals([long.status, long.body], [400, errorBody("q must be at most 100 characters")]);
  const bad = await call(gw, "GET", "/api/messages/log?direction=up", { token: gw.owner.token });
  assertEquals([bad.status, bad.body], [400, errorBody("direction must be one of: outbound, inbound")]);

  const csv = await exportText(gw, "?q=%3D");
  assertEquals(csv.startsWith("\uFEFFID,Instance,Phone,Type,Status,Error,Date\n"), true);
  assertEquals(
    csv.split("\n")[1].split(",").slice(1, 6).join(","),
    `h-inst,595991777888,text,sent,"'=HYPERLINK(""x"")"`,
  );
  const client = (await exportText(gw, "?status=failed")).split("\n")[1];
  assertEquals(client.split(",").slice(2, 6), ["'+595991000000", "text", "failed", "'@SUM(A1)"]);
});

Deno.test("GET /api/messages/export streams every row (25 000, past the contract's 10 000 cap)", async () => {
  await using gw = await startWithInstance("h-inst", FAST) as Gw;
  await gw.db.sql`
    INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, status, created_at)
    SELECT ${gw.owner.id}, 'h-inst', '5959810' || lpad(g::text, 5, '0'), 'delivered',
      '2026-01-01T00:00:00Z'::timestamptz + g * interval '1 second'
    FROM generate_series(1, 25000) AS g`;
  const lines = (await exportText(gw)).split("\n");
  assertEquals(lines.length, 25_002);
  assertEquals(lines.at(-1), "");
  assert(lines[1].includes(",595981025000,text,delivered,,2026-01-01T06:56:40.000Z"));
  assert(lines[25_000].includes(",595981000001,"));
});

Deno.test("GET /api/user/dashboard: rolling counts, rates, the daily series with delivery and read rates", async (t) => {
  const clock = new ManualClock(Date.UTC(2026, 3, 18, 12));
  await using gw = await startWithInstance("h-inst", { ...FAST, clock }) as Gw;
  const other = await makeUser(gw);
  const row = (user: number, hoursAgo: number, status: string, direction = "outbound") =>
    gw.db.sql`
      INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, status, direction, created_at)
      VALUES (${user}, 'h-inst', '595981000111', ${status}, ${direction},
        ${new Date(clock.now() - hoursAgo * 3600_000)})`;
  await row(gw.owner.id, 1, "read");
  await row(gw.owner.id, 2, "delivered");
  await row(gw.owner.id, 3, "failed");
  await row(gw.owner.id, 5, "sent");
  await row(gw.owner.id, 30, "read");
  await row(gw.owner.id, 24 * 10, "delivered");
  await row(gw.owner.id, 24 * 100, "sent");
  await row(gw.owner.id, 1, "read", "inbound");
  await row(other.id, 1, "read");
  const get = (q = "", token = gw.owner.token) => call(gw, "GET", `/api/user/dashboard${q}`, { token });

  await t.step("the caller's outbound rows only", async () => {
    const r = await get();
    assertEquals(r.status, 200);
    const { daily, ...top } = r.body;
    assertEquals(top, {
      messages_today: 4,
      messages_week: 5,
      messages_month: 6,
      messages_total: 7,
      delivery_rate: 85,
      read_rate: 28,
      instances: 1,
      max_instances: 5,
    });
    assertEquals(daily.length, 7);
    assertEquals(daily[6], {
      day: "2026-04-18",
      count: 4,
      sent: 3,
      delivered: 2,
      read: 1,
      failed: 1,
      delivery_rate: 50,
      read_rate: 25,
    });
    assertEquals(daily[5], { ...daily[5], day: "2026-04-17", count: 1, read_rate: 100 });
    assertEquals(daily[0], { ...daily[0], day: "2026-04-12", count: 0, delivery_rate: 0 });
    assertEquals((await get("", other.token)).body.messages_total, 1);
  });

  await t.step("days: 1 to 90, else the catalogue's 400", async () => {
    assertEquals((await get("?days=30")).body.daily.length, 30);
    assertEquals((await get("?days=30")).body.daily[19].count, 1);
    for (const q of ["?days=0", "?days=91", "?days=abc", "?days=2.5"]) {
      const r = await get(q);
      assertEquals([r.status, r.body], [400, errorBody("days must be a number between 1 and 90")], q);
    }
  });

  await t.step("not GET: 405; no credential: 401", async () => {
    const r = await call(gw, "POST", "/api/user/dashboard", { token: gw.owner.token, body: {} });
    assertEquals([r.status, r.body], [405, errorBody("Method not allowed")]);
    assertEquals((await get("", "")).status, 401);
  });
});

Deno.test("GET /api/instance/stats/{name}: the days carry delivery and read rates", async () => {
  await using gw = await startWithInstance("h-inst", FAST) as Gw;
  for (const status of ["read", "read", "delivered", "sent", "failed"]) {
    await gw.db.sql`
      INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, status)
      VALUES (${gw.owner.id}, 'h-inst', '595981000111', ${status})`;
  }
  const r = await call(gw, "GET", "/api/instance/stats/h-inst", { token: gw.owner.token });
  assertEquals(r.status, 200);
  const { day: _, ...today } = r.body.daily[6];
  assertEquals(today, {
    total: 5,
    sent: 4,
    delivered: 3,
    read: 2,
    failed: 1,
    delivery_rate: 60,
    read_rate: 40,
  });
});
