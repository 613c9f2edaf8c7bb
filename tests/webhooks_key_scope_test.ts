// An API key limited to some instances reaches only their webhooks, deliveries and message-log rows: the
// owner's other instances are "not found" (or left out of lists) for it, as another tenant's would be.
import { errorBody } from "./_helpers/errors.ts";
import { sha256Hex } from "../lib/core/mod.ts";
import { ensureGatewayWebhook } from "../lib/messaging/mod.ts";
import { assertEquals } from "../lib/core/testing.ts";
import { startTestApp } from "./_helpers/app.ts";
import { call } from "./_helpers/auth_client.ts";
import { tenantWithInstance } from "./_helpers/engine.ts";

Deno.test("an API key for instance A cannot read, repoint, delete or rotate B's webhook, nor see B's rows", async (t) => {
  await using app = await startTestApp({ cache: "memory", env: { WEBHOOK_ALLOW_PRIVATE: "true" } });
  const { sql } = app.db;
  const alice = await tenantWithInstance(app, "alice", "alice-a");
  await sql`INSERT INTO taguato.user_instances (user_id, instance_name) VALUES (${alice.id}, 'alice-b')`;
  await app.deps.evolution.createInstance({ instanceName: "alice-b", integration: "WHATSAPP-BAILEYS" });
  await ensureGatewayWebhook(app.deps, "alice-b");
  const hook = async (instance: string) => {
    const r = await call(app, "POST", "/api/webhooks", {
      token: alice.token,
      body: { instance_name: instance, webhook_url: "http://127.0.0.1:9/hook", events: ["CALL"] },
    });
    assertEquals(r.status, 201);
    return (r.body.webhook as { id: number }).id;
  };
  const hookA = await hook("alice-a");
  const hookB = await hook("alice-b");
  const [delivery] = await sql<{ id: number }[]>`
    INSERT INTO taguato.webhook_deliveries (webhook_id, event, body, status, next_attempt_at)
    VALUES (${hookB}, 'call', '{}', 'failed', NULL) RETURNING id`;
  for (const instance of ["alice-a", "alice-b"]) {
    await sql`
      INSERT INTO taguato.message_logs (user_id, instance_name, phone_number, message_type, status)
      VALUES (${alice.id}, ${instance}, '595981000111', 'text', 'sent')`;
  }
  const key = "tg_only_alice_a_0123456789abcdef";
  await sql`
    INSERT INTO taguato.api_keys (user_id, name, key_hash, key_prefix, scope, instance_names)
    VALUES (${alice.id}, 'only-a', ${await sha256Hex(key)}, ${key.slice(0, 8)}, 'full', ${["alice-a"]})`;

  await t.step("the webhook list holds only the key's instances", async () => {
    const r = await call(app, "GET", "/api/webhooks", { token: key });
    assertEquals((r.body.webhooks as { id: number }[]).map((w) => w.id), [hookA]);
    const all = await call(app, "GET", "/api/webhooks", { token: alice.token });
    assertEquals((all.body.webhooks as unknown[]).length, 2, "the session still sees both");
  });

  await t.step("B's webhook, secret, deliveries and redelivery are not found with the key", async () => {
    for (
      const [method, path, body] of [
        ["PUT", `/api/webhooks/${hookB}`, { webhook_url: "http://127.0.0.1:10/evil" }],
        ["POST", `/api/webhooks/${hookB}/secret`, undefined],
        ["GET", `/api/webhooks/${hookB}/deliveries`, undefined],
        ["POST", `/api/webhooks/${hookB}/deliveries/${delivery.id}/redeliver`, undefined],
        ["DELETE", `/api/webhooks/${hookB}`, undefined],
      ] as const
    ) {
      const r = await call(app, method, path, { token: key, body });
      assertEquals([r.status, r.body], [404, errorBody("Webhook not found")], `${method} ${path}`);
    }
    const [row] = await sql`SELECT webhook_url FROM taguato.user_webhooks WHERE id = ${hookB}`;
    assertEquals(row.webhook_url, "http://127.0.0.1:9/hook", "B's webhook is untouched");
    const [{ n }] = await sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM taguato.webhook_deliveries WHERE webhook_id = ${hookB}`;
    assertEquals(n, 1, "nothing was redelivered");
    const create = await call(app, "POST", "/api/webhooks", {
      token: key,
      body: { instance_name: "alice-b", webhook_url: "http://127.0.0.1:10/evil" },
    });
    assertEquals([create.status, create.body], [403, errorBody("You do not own this instance")]);
  });

  await t.step("A's webhook stays fully usable with the key", async () => {
    const put = await call(app, "PUT", `/api/webhooks/${hookA}`, { token: key, body: { is_active: false } });
    assertEquals(put.status, 200);
    assertEquals((await call(app, "GET", `/api/webhooks/${hookA}/deliveries`, { token: key })).status, 200);
    assertEquals((await call(app, "POST", `/api/webhooks/${hookA}/secret`, { token: key })).status, 200);
  });

  await t.step("the message log, its export and the stats keep to the key's instances", async () => {
    const log = await call(app, "GET", "/api/messages/log", { token: key });
    assertEquals((log.body.logs as { instance_name: string }[]).map((l) => l.instance_name), ["alice-a"]);
    const filtered = await call(app, "GET", "/api/messages/log?instance_name=alice-b", { token: key });
    assertEquals(filtered.body.total, 0);
    const res = await fetch(`${app.url}/api/messages/export`, { headers: { apikey: key } });
    const csv = (await res.text()).trim().split("\n").slice(1);
    assertEquals(csv.map((line) => line.split(",")[1]), ["alice-a"]);
    const stats = await call(app, "GET", "/api/instance/stats/alice-b", { token: key });
    assertEquals(stats.status, 403);
    assertEquals((await call(app, "GET", "/api/instance/stats/alice-a", { token: key })).status, 200);
  });
});
