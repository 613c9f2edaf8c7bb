// The send path's ledger writes batched across concurrent callers (group commit, lib/messaging/ledger.ts):
// each caller gets its own row's id, a bad row fails only its own caller, and batched settlements apply
// the one-by-one rules.
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
