// The send path's ledger writes batched across concurrent callers (group commit, lib/messaging/ledger.ts):
// each caller gets its own row's id, a bad row fails only its own caller, batched settlements apply the
// one-by-one rules, and an engine row committed under a waiting batch is folded into its send.
import { recordOutbound, settleOutbound } from "../lib/messaging/mod.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { rejects } from "node:assert/strict";
import { startTestApp } from "./_helpers/app.ts";

Deno.test("concurrent recordOutbound calls each get the id of their own row; one bad row fails only its caller", async () => {
  await using app = await startTestApp({ cache: "memory" });
  const [{ id: userId }] = await app.db.sql<{ id: number }[]>`
    INSERT INTO taguato.users (username, password_hash, role) VALUES ('batch', 'x', 'user') RETURNING id`;
  const rec = (phone: string) => ({
    userId,
    instanceName: "inst",
    phoneNumber: phone,
    messageType: "text",
    status: "sending" as const,
    source: "api" as const,
    bodyText: `to ${phone}`,
  });
  const phones = Array.from({ length: 40 }, (_, i) => `5959810${String(i).padStart(5, "0")}`);
  const ids = await Promise.all(phones.map((p) => recordOutbound(app.deps, rec(p))));
  // phone_number is at most 128 characters: this row fails its batch, which is then written row by row.
  const bad = rejects(recordOutbound(app.deps, rec("9".repeat(200))), /phone_number/);
  const neighbour = await recordOutbound(app.deps, rec("595981099999"));
  await bad;
  const [{ phone_number }] = await app.db
    .sql`SELECT phone_number FROM taguato.message_logs WHERE id = ${neighbour}`;
  assertEquals(phone_number, "595981099999");
  await app.db.sql`DELETE FROM taguato.message_logs WHERE id = ${neighbour}`;
  assertEquals(new Set(ids).size, phones.length);
  const rows = await app.db.sql<{ id: number; phone_number: string; body_text: string; status: string }[]>`
    SELECT id, phone_number, body_text, status FROM taguato.message_logs WHERE id = ANY(${ids}::bigint[])`;
  const byId = new Map(rows.map((r) => [r.id, r]));
  phones.forEach((p, i) => {
    const row = byId.get(ids[i])!;
    assertEquals([row.phone_number, row.body_text, row.status], [p, `to ${p}`, "sending"]);
  });
  const [{ n }] = await app.db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM taguato.message_logs`;
  assertEquals(n, phones.length);

  // Settled concurrently: each row gets its own outcome; a row already past `sending` keeps its status.
  await app.db.sql`UPDATE taguato.message_logs SET status = 'read' WHERE id = ${ids[0]}`;
  await Promise.all(
    ids.map((id, i) =>
      settleOutbound(
        app.deps,
        id,
        i % 2 ? { status: "failed", errorMessage: `e${i}` } : {
          status: "sent",
          engineMessageId: `3EB0${i}`,
        },
      )
    ),
  );
  const settled = await app.db.sql<
    { id: number; status: string; engine_message_id: string | null; error_message: string | null }[]
  >`
    SELECT id, status, engine_message_id, error_message FROM taguato.message_logs WHERE id = ANY(${ids}::bigint[])`;
  const s = new Map(settled.map((r) => [r.id, r]));
  ids.forEach((id, i) => {
    const r = s.get(id)!;
    if (i === 0) assertEquals([r.status, r.engine_message_id], ["read", "3EB00"]);
    else if (i % 2) assertEquals([r.status, r.error_message, r.engine_message_id], ["failed", `e${i}`, null]);
    else assertEquals([r.status, r.engine_message_id], ["sent", `3EB0${i}`]);
  });
  assert(settled.length === ids.length);
});

Deno.test("an engine row committed while a settlement batch waits on its engine id: that send folds it in, the others settle", async () => {
  await using app = await startTestApp({ cache: "memory" });
  const { sql } = app.db;
  const [{ id: userId }] = await sql<{ id: number }[]>`
    INSERT INTO taguato.users (username, password_hash, role) VALUES ('batch_race', 'x', 'user') RETURNING id`;
  const ids = await Promise.all(["1", "2", "3"].map((n) =>
    recordOutbound(app.deps, {
      userId,
      instanceName: "inst",
      phoneNumber: `59598100000${n}`,
      messageType: "text",
      status: "sending",
      source: "api",
    })
  ));
  // The engine's SEND_MESSAGE row for the first send, inserted and not yet committed.
  let commit!: () => void;
  const held = new Promise<void>((r) => commit = r);
  let inserted!: () => void;
  const pending = new Promise<void>((r) => inserted = r);
  const engineRow = sql.begin(async (tx) => {
    await tx`
      INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, status, engine_message_id, source)
      VALUES (${userId}, 'inst', '595981000001', 'delivered', 'RACE-1', 'engine')`;
    inserted();
    await held;
  });
  await pending;
  // One batch UPDATE for the three: it cannot see the uncommitted row, so it waits on the unique index.
  const settles = Promise.all(
    ids.map((id, i) => settleOutbound(app.deps, id, { status: "sent", engineMessageId: `RACE-${i + 1}` })),
  );
  let waited = false;
  for (let i = 0; i < 200 && !waited; i++) {
    const [{ waiting }] = await sql<{ waiting: number }[]>`
      SELECT count(*)::int AS waiting FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    waited = waiting > 0;
    if (!waited) await new Promise((r) => setTimeout(r, 10));
  }
  commit();
  assert(waited, "the settlement batch waited on the uncommitted engine row");
  await engineRow;
  await settles;
  const rows = await sql<{ id: number; status: string; engine_message_id: string; source: string }[]>`
    SELECT id, status, engine_message_id, source FROM taguato.message_logs ORDER BY engine_message_id`;
  assertEquals(rows.map((r) => [r.id, r.engine_message_id, r.status, r.source]), [
    [ids[0], "RACE-1", "delivered", "api"],
    [ids[1], "RACE-2", "sent", "api"],
    [ids[2], "RACE-3", "sent", "api"],
  ]);
});
