// The ledger's write side as D's send paths use it: a `sending` row before the engine call, settled with
// the engine's answer, and the gateway's own engine webhook registered on an instance.
import {
  ensureGatewayWebhook,
  type OutboundRecord,
  recordOutbound,
  settleOutbound,
} from "../lib/messaging/mod.ts";
import { engineCallbackUrl } from "../lib/gateway/mod.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { startTestApp } from "./_helpers/app.ts";

Deno.test("the ledger settles a send from the engine's answer or an earlier receipt, never backwards, and registers the gateway webhook", async (t) => {
  await using app = await startTestApp({ cache: "memory" });
  const { sql } = app.deps;
  const [user] = await sql<{ id: number }[]>`
    INSERT INTO taguato.users (username, password_hash) VALUES ('ledger_user', 'x') RETURNING id`;
  await sql`INSERT INTO taguato.user_instances (user_id, instance_name) VALUES (${user.id}, 'ledger-wa')`;
  const row = (id: number) =>
    sql<
      { status: string; engine_message_id: string | null; source: string; error_message: string | null }[]
    >`
      SELECT status, engine_message_id, source, error_message FROM taguato.message_logs WHERE id = ${id}`
      .then((r) => r[0]);
  const base = { userId: user.id, instanceName: "ledger-wa", phoneNumber: "595981000111" } as const;
  const sending = (messageType: OutboundRecord["messageType"], source: OutboundRecord["source"]) =>
    recordOutbound(app.deps, { ...base, messageType, status: "sending", source });

  await t.step("a sending row settles to sent with the engine id", async () => {
    const id = await sending("text", "panel");
    assertEquals((await row(id)).status, "sending");
    await settleOutbound(app.deps, id, { status: "sent", engineMessageId: "3EB0AAA" });
    assertEquals(await row(id), {
      status: "sent",
      engine_message_id: "3EB0AAA",
      source: "panel",
      error_message: null,
    });
  });

  await t.step("a failed engine call keeps its error", async () => {
    const id = await sending("image", "api");
    await settleOutbound(app.deps, id, { status: "failed", errorMessage: "Connection Closed" });
    assertEquals((await row(id)).status, "failed");
    assertEquals((await row(id)).error_message, "Connection Closed");
  });

  await t.step("a receipt that beat the engine's answer is folded into the gateway's row", async () => {
    // What the ingest route writes when MESSAGES_UPDATE READ arrives before the send's HTTP answer.
    await sql`
      INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, status, engine_message_id, source)
      VALUES (${user.id}, 'ledger-wa', '595981000111', 'read', '3EB0BBB', 'engine')`;
    const id = await sending("text", "api");
    await settleOutbound(app.deps, id, { status: "sent", engineMessageId: "3EB0BBB" });
    assertEquals((await row(id)).status, "read");
    const [{ n }] = await sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM taguato.message_logs WHERE engine_message_id = '3EB0BBB'`;
    assertEquals(n, 1);
  });

  await t.step(
    "an early row not ahead of ours (PENDING) is folded and ours settles; the counts follow",
    async () => {
      await sql`
      INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, status, engine_message_id, source,
        status_updated_at)
      VALUES (${user.id}, 'ledger-wa', '595981000111', 'sending', '3EB0DDD', 'engine', '2026-01-01T00:00:00Z')`;
      const id = await sending("text", "api");
      await settleOutbound(app.deps, id, { status: "sent", engineMessageId: "3EB0DDD" });
      const [mine] = await sql<{ status: string; source: string; fresh: boolean }[]>`
      SELECT status, source, status_updated_at > now() - interval '1 minute' AS fresh
      FROM taguato.message_logs WHERE engine_message_id = '3EB0DDD'`;
      assertEquals(mine, { status: "sent", source: "api", fresh: true });
      const [{ n }] = await sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM taguato.message_logs WHERE engine_message_id = '3EB0DDD'`;
      assertEquals(n, 1);
      const counted = await sql<{ status: string; n: number }[]>`
      SELECT status, sum(n)::int AS n FROM taguato.message_daily_counts WHERE user_id = ${user.id}
      GROUP BY status ORDER BY status`;
      const raw = await sql<{ status: string; n: number }[]>`
      SELECT status, count(*)::int AS n FROM taguato.message_logs WHERE user_id = ${user.id}
        AND direction = 'outbound' GROUP BY status ORDER BY status`;
      assertEquals([...counted], [...raw]);
    },
  );

  await t.step("settling never moves an advanced row back", async () => {
    const id = await recordOutbound(app.deps, {
      ...base,
      messageType: "text",
      status: "sent",
      engineMessageId: "3EB0CCC",
      source: "api",
    });
    await sql`UPDATE taguato.message_logs SET status = 'delivered' WHERE id = ${id}`;
    await settleOutbound(app.deps, id, { status: "sent", engineMessageId: "3EB0CCC" });
    assertEquals((await row(id)).status, "delivered");
  });

  await t.step("ensureGatewayWebhook points the engine at the ingest route", async () => {
    await app.deps.evolution.createInstance({ instanceName: "ledger-wa", integration: "WHATSAPP-BAILEYS" });
    await ensureGatewayWebhook(app.deps, "ledger-wa");
    const hook = await app.deps.evolution.findWebhook("ledger-wa");
    assert(hook);
    assertEquals(hook.url, await engineCallbackUrl(app.deps, "ledger-wa"));
    assert(hook.url.startsWith(`${app.url}/internal/engine-events/`), hook.url);
    assertEquals(hook.enabled, true);
    for (const ev of ["SEND_MESSAGE", "MESSAGES_UPSERT", "MESSAGES_UPDATE", "CONNECTION_UPDATE"]) {
      assert(hook.events.includes(ev), ev);
    }
  });
});
