/**
 * migration 0017's per-day counts stay equal to counting message_logs itself through inserts (bulk and
 * upsert), receipts, moves between users, deletes and a user's deletion (which must not fail).
 */
import { assertEquals } from "../lib/core/testing.ts";
import { createTestDatabase } from "./_helpers/db.ts";

Deno.test("message_daily always equals the outbound rows counted by user, UTC day and status", async () => {
  await using db = await createTestDatabase();
  const { sql } = db;
  const users = await sql<{ id: number }[]>`
    INSERT INTO taguato.users (username, password_hash) VALUES ('daily_a', 'x'), ('daily_b', 'x') RETURNING id`;
  const [a, b] = users.map((u) => u.id);
  const same = async (what: string) => {
    const daily = await sql`SELECT user_id, day::text, status, n::int FROM taguato.message_daily
      ORDER BY 1, 2, 3`;
    const raw = await sql`
      SELECT user_id, (created_at AT TIME ZONE 'UTC')::date::text AS day, status, count(*)::int AS n
      FROM taguato.message_logs WHERE direction = 'outbound' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;
    assertEquals([...daily], [...raw], what);
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
