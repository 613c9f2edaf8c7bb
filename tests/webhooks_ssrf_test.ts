// Tenant webhooks against SSRF with a DNS the test controls: a URL is checked for syntax and literal
// private addresses when it is set (a name without DNS yet is accepted), and its addresses at every
// delivery, where a name that now resolves to a private address is not delivered and the log says only
// "blocked address". Failed attempts log generic reasons, never the raw socket error.
import { freePort } from "./_helpers/services.ts";
import { errorBody } from "./_helpers/errors.ts";
import { dispatchDueDeliveries } from "../lib/webhooks/mod.ts";
import { assertEquals } from "../lib/core/testing.ts";
import { startTestApp } from "./_helpers/app.ts";
import { call } from "./_helpers/auth_client.ts";
import { tenantWithInstance } from "./_helpers/engine.ts";
import { startFakeDns } from "./_helpers/dns.ts";

Deno.test("webhook URLs: unresolvable accepted at creation, private refused; a name rebound to a private address is not delivered", async (t) => {
  const dns = await startFakeDns();
  const hits: string[] = [];
  const receiver = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    hits.push(await req.text());
    return new Response("ok");
  });
  await using app = await startTestApp({
    cache: "memory",
    env: { WEBHOOK_DNS_SERVER: dns.address, WEBHOOK_RETRY_DELAYS: "0" },
  });
  try {
    const acme = await tenantWithInstance(app, "acme", "acme-wa");
    const post = (url: string) =>
      call(app, "POST", "/api/webhooks", {
        token: acme.token,
        body: { instance_name: "acme-wa", webhook_url: url, events: ["CALL"] },
      });
    const hookUrl = `http://hooks.rebind.example:${receiver.addr.port}/in`;
    let hookId = 0;

    await t.step("literal private addresses and localhost are refused at creation", async () => {
      for (
        const url of ["http://127.0.0.1/", "http://localhost/", "http://localhost:8080/x", "http://[::1]/"]
      ) {
        const r = await post(url);
        assertEquals(
          [r.status, r.body],
          [400, errorBody("webhook_url must not point to a private or loopback address")],
          url,
        );
      }
    });

    await t.step("a host that does not resolve yet is accepted (checked at delivery)", async () => {
      const r = await post(hookUrl);
      assertEquals(r.status, 201);
      hookId = (r.body.webhook as { id: number }).id;
    });

    // One fresh delivery per step, attempted once (earlier ones are dropped, their retries would be due).
    const deliverOnce = async () => {
      await app.db.sql`DELETE FROM taguato.webhook_deliveries`;
      await app.db.sql`
        INSERT INTO taguato.webhook_deliveries (webhook_id, event, body, next_attempt_at)
        VALUES (${hookId}, 'call', '{"event":"call"}', now())`;
      assertEquals(await dispatchDueDeliveries(app.deps), 1);
      const r = await call(app, "GET", `/api/webhooks/${hookId}/deliveries?limit=1`, { token: acme.token });
      return (r.body.deliveries as { last_error: string | null; last_status_code: number | null }[])[0];
    };

    await t.step("still without DNS at delivery: not delivered, 'unresolvable host'", async () => {
      const d = await deliverOnce();
      assertEquals([d.last_status_code, d.last_error], [null, "unresolvable host"]);
    });

    await t.step("the name now resolves to a private address: not delivered, 'blocked address'", async () => {
      dns.records.set("hooks.rebind.example", ["127.0.0.1"]);
      const d = await deliverOnce();
      assertEquals([d.last_status_code, d.last_error], [null, "blocked address"]);
      dns.records.set("hooks.rebind.example", ["93.184.215.14", "10.0.0.7"]);
      const mixed = await deliverOnce();
      assertEquals(mixed.last_error, "blocked address", "one private record is enough to refuse");
      assertEquals(hits, [], "the loopback receiver was never reached");
    });

    await t.step("a socket failure logs a generic reason, not the raw error", async () => {
      app.deps.config.webhookAllowPrivate = true;
      try {
        const port = freePort();
        const r = await call(app, "PUT", `/api/webhooks/${hookId}`, {
          token: acme.token,
          body: { webhook_url: `http://127.0.0.1:${port}/gone` },
        });
        assertEquals(r.status, 200);
        const d = await deliverOnce();
        assertEquals([d.last_status_code, d.last_error], [null, "connection refused"]);
      } finally {
        app.deps.config.webhookAllowPrivate = false;
      }
    });
  } finally {
    await receiver.shutdown();
    await dns.close();
  }
});
