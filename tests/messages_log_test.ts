// GET /api/messages/log and /api/messages/export: the caller's rows only, the contract's filters and
// pagination, validated dates (400, not a silent empty list) and a streamed CSV with the contract's quoting.
import { errorBody } from "./_helpers/errors.ts";
import { assertEquals } from "../lib/core/testing.ts";
import { startTestApp } from "./_helpers/app.ts";
import { call, createUser, login } from "./_helpers/auth_client.ts";

// Fields every message-log row carries on the wire.
const LOG_FIELDS = "id instance_name phone_number message_type status error_message created_at".split(" ");

Deno.test("GET /api/messages/log lists only the caller's rows with validated filters, and the export is the same rows as CSV", async (t) => {
  await using app = await startTestApp({ cache: "memory" });
  const { sql } = app.db;
  const aliceId = await createUser(app, "alice", "Passw0rd!x");
  const bobId = await createUser(app, "bob", "Passw0rd!x");
  const alice = await login(app, "alice", "Passw0rd!x");
  const bob = await login(app, "bob", "Passw0rd!x");
  const insert = (
    user: number,
    instance: string,
    status: string,
    at: string,
    extra: { type?: string; error?: string } = {},
  ) =>
    sql`
      INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, message_type, status, error_message, created_at)
      VALUES (${user}, ${instance}, '595981000111', ${extra.type ?? "text"}, ${status}, ${
      extra.error ?? null
    }, ${at})`;
  await insert(aliceId, "a-wa", "read", "2026-01-10T10:00:00Z");
  await insert(aliceId, "a-wa", "failed", "2026-01-15T23:30:00Z", { error: 'Bad "quote", comma\nnewline' });
  await insert(aliceId, "b-wa", "delivered", "2026-01-20T08:00:00Z", { type: "image" });
  await insert(bobId, "bob-wa", "sent", "2026-01-12T00:00:00Z");
  const log = (token: string, query = "") => call(app, "GET", `/api/messages/log${query}`, { token });

  await t.step("only the caller's rows, newest first, paginated", async () => {
    const r = await log(alice);
    assertEquals(r.status, 200);
    const logs = r.body.logs as Record<string, unknown>[];
    assertEquals(logs.map((l) => l.instance_name), ["b-wa", "a-wa", "a-wa"]);
    assertEquals([r.body.total, r.body.page, r.body.limit, r.body.pages], [3, 1, 50, 1]);
    for (const k of LOG_FIELDS) assertEquals(k in logs[0], true, k);
    const p2 = await log(alice, "?limit=2&page=2");
    assertEquals([(p2.body.logs as unknown[]).length, p2.body.pages], [1, 2]);
    assertEquals((await log(alice, "?limit=500")).body.limit, 100);
    assertEquals((await log(bob)).body.total, 1);
    assertEquals((await log(alice, "?limit=0")).status, 400);
  });

  await t.step("filters: status, type, instance and an inclusive date range", async () => {
    const ids = async (q: string) =>
      ((await log(alice, q)).body.logs as Record<string, unknown>[]).map((l) => l.status);
    assertEquals(await ids("?status=failed"), ["failed"]);
    assertEquals(await ids("?message_type=image"), ["delivered"]);
    assertEquals(await ids("?instance_name=a-wa"), ["failed", "read"]);
    // A date-only date_to covers that whole day (the 23:30 row of the 15th included).
    assertEquals(await ids("?date_from=2026-01-10&date_to=2026-01-15"), ["failed", "read"]);
    assertEquals(await ids("?date_from=2026-01-15T23:30:00Z&date_to=2026-01-20T08:00:00"), [
      "delivered",
      "failed",
    ]);
    assertEquals(await ids("?date_from=2026-01-16T01:00:00%2B02:00"), ["delivered", "failed"]);
    assertEquals(await ids("?date_from=2026-01-16T02:00:00%2B0200"), ["delivered"]);
  });

  await t.step("garbage filters are a 400 instead of a silent empty list", async () => {
    for (
      const [q, msg] of [
        ["?date_from=yesterday", "date_from must be a date (YYYY-MM-DD or ISO 8601)"],
        ["?date_to=2026-02-31", "date_to must be a date (YYYY-MM-DD or ISO 8601)"],
        ["?date_to=2026-01-01T25:00:00", "date_to must be a date (YYYY-MM-DD or ISO 8601)"],
        [
          "?status=bogus",
          "status must be one of: sending, sent, delivered, read, played, failed, cancelled, unknown",
        ],
        [
          "?message_type=fax",
          "message_type must be one of: text, image, document, audio, video, sticker, location, contact, reaction, poll, list, buttons, other",
        ],
      ]
    ) {
      const r = await log(alice, q);
      assertEquals([r.status, r.body], [400, errorBody(msg)], q);
    }
    assertEquals((await call(app, "GET", "/api/messages/log")).status, 401);
  });

  await t.step("export: CSV with the contract's header and quoting, same filters", async () => {
    const res = await fetch(`${app.url}/api/messages/export?instance_name=a-wa`, {
      headers: { apikey: alice },
    });
    assertEquals(res.status, 200);
    assertEquals(res.headers.get("content-type"), "text/csv; charset=utf-8");
    assertEquals(res.headers.get("content-disposition"), "attachment; filename=message_history.csv");
    const [failed, read] = (await log(alice, "?instance_name=a-wa")).body.logs as Record<string, unknown>[];
    assertEquals(
      new TextDecoder("utf-8", { ignoreBOM: true }).decode(await res.arrayBuffer()),
      "\uFEFFID,Instance,Phone,Type,Status,Error,Date\n" +
        `${failed.id},a-wa,595981000111,text,failed,"Bad ""quote"", comma\nnewline",2026-01-15T23:30:00.000Z\n` +
        `${read.id},a-wa,595981000111,text,read,,2026-01-10T10:00:00.000Z\n`,
    );
    const bad = await fetch(`${app.url}/api/messages/export?date_from=nope`, {
      headers: { apikey: alice },
    });
    assertEquals([bad.status, (await bad.json()).error], [
      400,
      "date_from must be a date (YYYY-MM-DD or ISO 8601)",
    ]);
    const empty = await fetch(`${app.url}/api/messages/export`, { headers: { apikey: bob } });
    assertEquals((await empty.text()).split("\n").length, 3);
  });

  await t.step("export: any method but GET is a JSON 405", async () => {
    for (const method of ["POST", "HEAD", "DELETE"]) {
      const res = await fetch(`${app.url}/api/messages/export`, { method, headers: { apikey: alice } });
      assertEquals(res.status, 405, method);
      if (method !== "HEAD") assertEquals((await res.json()).error, "Method not allowed");
      else await res.body?.cancel();
    }
  });

  await t.step("the ledger and webhook routes are documented in /api/openapi.json", async () => {
    const doc = (await call(app, "GET", "/api/openapi.json")).body as { paths: Record<string, object> };
    for (
      const path of [
        "/api/messages/log",
        "/api/messages/export",
        "/api/user/dashboard",
        "/api/usage",
        "/admin/users/{id}/quota",
        "/api/webhooks",
        "/api/webhooks/{id}",
        "/api/webhooks/{id}/secret",
        "/api/webhooks/{id}/deliveries",
        "/api/webhooks/{id}/deliveries/{deliveryId}/redeliver",
      ]
    ) assertEquals(path in doc.paths, true, path);
  });
});
