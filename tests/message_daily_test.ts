/**
 * The per-day counts (migrations 0017 and 0026) stay equal to counting message_logs itself through inserts
 * (bulk and upsert), receipts, moves between users, deletes and a user's deletion (which must not fail),
 * before and after the rollup merges their deltas; and writers of one user no longer wait for each other.
 */
import { assert, assertEquals } from "../lib/core/testing.ts";
import { rollupDailyCounts } from "../lib/messaging/mod.ts";
import { createTestDatabase } from "./_helpers/db.ts";

Deno.test("message_daily always equals the outbound rows counted by user, UTC day and status", async () => {
  await using db = await createTestDatabase();
  const { sql } = db;
  const users = await sql<{ id: number }[]>`
    INSERT INTO taguato.users (username, password_hash) VALUES ('daily_a', 'x'), ('daily_b', 'x') RETURNING id`;
  const [a, b] = users.map((u) => u.id);
  const counts = (table: "message_daily" | "message_daily_counts") =>
    sql`SELECT user_id, day::text, status, n::int FROM ${sql("taguato." + table)} ORDER BY 1, 2, 3`;
  // The view is right at once; the rollup then leaves the same numbers in message_daily and no delta.
  const same = async (what: string) => {
    const raw = [
      ...await sql`
      SELECT user_id, (created_at AT TIME ZONE 'UTC')::date::text AS day, status, count(*)::int AS n
      FROM taguato.message_logs WHERE direction = 'outbound' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    ];
    assertEquals([...await counts("message_daily_counts")], raw, what);
    assert(await rollupDailyCounts(sql) > 0, what);
    assertEquals([...await counts("message_daily")], raw, `${what}: merged`);
    assertEquals([...await counts("message_daily_counts")], raw, `${what}: merged, read through the view`);
    assertEquals(await rollupDailyCounts(sql), 0, `${what}: nothing left to merge`);
  };
  await sql`
    INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, status, direction, created_at,
      engine_message_id)
    SELECT CASE WHEN g % 2 = 0 THEN ${a} ELSE ${b}::bigint END, 'wa', '595981000111',
      (ARRAY['sent', 'delivered', 'read'])[1 + g % 3], CASE WHEN g % 7 = 0 THEN 'inbound' ELSE 'outbound' END,
      '2026-03-01T23:30:00Z'::timestamptz + g * interval '7 minutes', 'E' || g
    FROM generate_series(1, 500) AS g`;
  await same("bulk insert");
  await sql`UPDATE taguato.message_logs SET status = 'read' WHERE id % 3 = 0`;
  await sql`UPDATE taguato.message_logs SET error_message = 'x' WHERE id % 5 = 0`;
  await same("receipts and a no-op update");
  await sql`
    INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, status, engine_message_id)
    VALUES (${a}, 'wa', '1', 'failed', 'E10'), (${a}, 'wa', '2', 'sending', 'NEW')
    ON CONFLICT (instance_name, engine_message_id) WHERE engine_message_id IS NOT NULL
    DO UPDATE SET status = EXCLUDED.status`;
  await same("upsert: one update, one insert");
  await sql`UPDATE taguato.message_logs SET user_id = ${b} WHERE id % 4 = 0`;
  await sql`DELETE FROM taguato.message_logs WHERE id % 6 = 0`;
  await same("moved between users and deleted");
  await sql`DELETE FROM taguato.users WHERE id = ${a}`;
  await same("the user's deletion");
  const [{ left }] = await sql<{ left: number }[]>`
    SELECT count(*)::int AS left FROM taguato.message_daily WHERE user_id = ${a}`;
  assertEquals(left, 0);
});

Deno.test("two uncommitted writers of one user's day do not wait for each other; concurrent rollups merge each delta once", async () => {
  await using db = await createTestDatabase();
  const { sql } = db;
  const [{ id: u }] = await sql<{ id: number }[]>`
    INSERT INTO taguato.users (username, password_hash) VALUES ('daily_c', 'x') RETURNING id`;
  const ids = await sql<{ id: number }[]>`
    INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, status)
    SELECT ${u}, 'wa', '59598100' || g, 'sending' FROM generate_series(1, 40) AS g RETURNING id`;
  // One transaction moves a row to `sent` and stays open; another moves a second row the same way. Both
  // change the same buckets (sending −1, sent +1): with the counts upserted in place, the second waited for
  // the first's commit (here: its 1 s lock_timeout, 55P03).
  let release!: () => void;
  const held = new Promise<void>((r) => release = r);
  let updated!: () => void;
  const first = new Promise<void>((r) => updated = r);
  const open = sql.begin(async (tx) => {
    await tx`UPDATE taguato.message_logs SET status = 'sent' WHERE id = ${ids[0].id}`;
    updated();
    await held;
  });
  await first;
  try {
    const moved = await sql.begin(async (tx) => {
      await tx`SET LOCAL lock_timeout = '1s'`;
      return (await tx`UPDATE taguato.message_logs SET status = 'sent' WHERE id = ${ids[1].id}`).count;
    });
    assertEquals(moved, 1);
  } finally {
    release();
    await open;
  }
  // Rollups racing receipts: every delta merged exactly once.
  await Promise.all([
    rollupDailyCounts(sql),
    ...ids.slice(2).map((r, i) =>
      sql`UPDATE taguato.message_logs SET status = ${i % 2 ? "read" : "delivered"} WHERE id = ${r.id}`
    ),
    rollupDailyCounts(sql),
    rollupDailyCounts(sql),
  ]);
  await rollupDailyCounts(sql);
  const daily = await sql<{ status: string; n: number }[]>`
    SELECT status, n::int FROM taguato.message_daily WHERE user_id = ${u} ORDER BY status`;
  assertEquals(daily.map((d) => [d.status, d.n]), [["delivered", 19], ["read", 19], ["sent", 2]]);
  const [{ left }] = await sql<
    { left: number }[]
  >`SELECT count(*)::int AS left FROM taguato.message_daily_deltas`;
  assertEquals(left, 0);
});
