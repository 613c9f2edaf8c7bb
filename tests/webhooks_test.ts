// Tenant webhooks over real HTTP: CRUD with v2 event validation and ownership, SSRF refusal, and signed
// deliveries by the gateway to a real loopback receiver that fails twice, with the delivery log and redelivery.
import { errorBody } from "./_helpers/errors.ts";
import { connect } from "../lib/core/mod.ts";
import { dispatchDueDeliveries } from "../lib/webhooks/mod.ts";
import { startWebhookDispatcher } from "../workers/webhook_dispatch.ts";
import { assert, assertEquals } from "../lib/core/testing.ts";
import { startTestApp } from "./_helpers/app.ts";
import { call } from "./_helpers/auth_client.ts";
import { control, eventually, tenantWithInstance } from "./_helpers/engine.ts";
import { needs } from "./_helpers/services.ts";

interface Hit {
  headers: Headers;
  body: string;
  verified: boolean;
}

/** A receiver that verifies X-Taguato-Signature with `secret()` and answers 500 `failures` times first. */
function startReceiver(secret: () => string, failures: number) {
  const hits: Hit[] = [];
  let failuresLeft = failures;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = await req.text();
    const sig = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(req.headers.get("x-taguato-signature") ?? "");
    let verified = false;
    if (sig) {
      const key = await crypto.subtle.importKey(
        "raw",
        new TextEncoder().encode(secret()),
        { name: "HMAC", hash: "SHA-256" },
        false,
        ["verify"],
      );
      const mac = Uint8Array.from(sig[2].match(/../g)!, (h) => parseInt(h, 16));
      verified =
        await crypto.subtle.verify("HMAC", key, mac, new TextEncoder().encode(`${sig[1]}.${body}`)) &&
        Math.abs(Date.now() / 1000 - Number(sig[1])) < 300;
    }
    hits.push({ headers: req.headers, body, verified });
    if (failuresLeft > 0) {
      failuresLeft--;
      return new Response("boom", { status: 500 });
    }
    return new Response("ok");
  });
  return { url: `http://127.0.0.1:${server.addr.port}/hooks/wa`, hits, stop: () => server.shutdown() };
}

Deno.test("tenant webhooks: validation, ownership, SSRF, signed retried deliveries", async (t) => {
  const app = await startTestApp({
    cache: "memory",
    env: {
      WEBHOOK_ALLOW_PRIVATE: "true",
      WEBHOOK_RETRY_DELAYS: "30,30,30,30,30",
      WEBHOOK_TIMEOUT_MS: "2000",
    },
  });
  const dispatcher = startWebhookDispatcher(app.deps, { intervalMs: 10 });
  let secret = "";
  const receiver = startReceiver(() => secret, 2);
  try {
    const acme = await tenantWithInstance(app, "acme", "acme-wa", "595981000001");
    const rival = await tenantWithInstance(app, "rival", "rival-wa", "595981000002");
    const post = (token: string, body: unknown) => call(app, "POST", "/api/webhooks", { token, body });
    let hookId = 0;

    await t.step("create validates fields and events against the engine's v2 names", async () => {
      const bad = async (body: unknown, message: string, status = 400) => {
        const r = await post(acme.token, body);
        assertEquals([r.status, r.body], [status, errorBody(message)]);
      };
      await bad("{oops", "Invalid JSON body");
      await bad({ webhook_url: receiver.url }, "instance_name is required");
      await bad({ instance_name: "acme-wa" }, "webhook_url is required");
      await bad(
        { instance_name: "acme-wa", webhook_url: "ftp://x.example" },
        "webhook_url must start with http:// or https://",
      );
      await bad(
        { instance_name: "acme-wa", webhook_url: receiver.url, events: ["MESSAGE"] },
        "Invalid event: MESSAGE",
      );
      await bad(
        { instance_name: "acme-wa", webhook_url: receiver.url, events: ["GROUPS_UPDATE"] },
        "Invalid event: GROUPS_UPDATE",
      );
      await bad(
        { instance_name: "acme-wa", webhook_url: receiver.url, events: "MESSAGES_UPSERT" },
        "events must be an array",
      );
      await bad(
        { instance_name: "rival-wa", webhook_url: receiver.url },
        "You do not own this instance",
        403,
      );
      await bad(
        { instance_name: "ghost-wa", webhook_url: receiver.url },
        "You do not own this instance",
        403,
      );
      assertEquals((await call(app, "POST", "/api/webhooks", { body: {} })).status, 401);
    });

    await t.step(
      "create answers the secret once; the engine is told to send the subscribed events",
      async () => {
        const r = await post(acme.token, {
          instance_name: "acme-wa",
          webhook_url: receiver.url,
          events: ["MESSAGES_UPSERT", "CONTACTS_UPSERT"],
        });
        assertEquals(r.status, 201);
        const hook = r.body.webhook as Record<string, unknown>;
        assert(typeof hook.secret === "string" && hook.secret.startsWith("whsec_"));
        secret = hook.secret as string;
        hookId = hook.id as number;
        assertEquals([hook.instance_name, hook.webhook_url, hook.events, hook.is_active], [
          "acme-wa",
          receiver.url,
          ["MESSAGES_UPSERT", "CONTACTS_UPSERT"],
          true,
        ]);
        const list = await call(app, "GET", "/api/webhooks", { token: acme.token });
        const listed = (list.body.webhooks as Record<string, unknown>[])[0];
        assertEquals([listed.id, "secret" in listed], [hookId, false]);
        const [stored] = await app.db.sql`SELECT secret_enc FROM taguato.user_webhooks WHERE id = ${hookId}`;
        assert(!String(stored.secret_enc).includes(secret.slice(6)), "the secret is stored sealed");
        const engineHook = await app.deps.evolution.findWebhook("acme-wa");
        assert(
          engineHook && engineHook.url.includes("/internal/engine-events/"),
          "the engine still calls the gateway",
        );
        assert(
          engineHook.events.includes("CONTACTS_UPSERT") && engineHook.events.includes("MESSAGES_UPDATE"),
        );
        const dup = await post(acme.token, { instance_name: "acme-wa", webhook_url: receiver.url });
        assertEquals([dup.status, dup.body], [
          409,
          errorBody("Webhook already exists for this instance"),
        ]);
      },
    );

    await t.step("update validates events too; another tenant's webhook is not found", async () => {
      const put = (token: string, body: unknown, id = hookId) =>
        call(app, "PUT", `/api/webhooks/${id}`, { token, body });
      let r = await put(acme.token, { events: ["NOPE"] });
      assertEquals([r.status, r.body], [400, errorBody("Invalid event: NOPE")]);
      r = await put(acme.token, { webhook_url: "" });
      assertEquals([r.status, r.body], [400, errorBody("webhook_url cannot be empty")]);
      r = await put(acme.token, {});
      assertEquals([r.status, r.body], [400, errorBody("No fields to update")]);
      r = await put(acme.token, { events: ["MESSAGES_UPSERT"] });
      assertEquals([r.status, (r.body.webhook as Record<string, unknown>).events], [200, [
        "MESSAGES_UPSERT",
      ]]);
      for (
        const [method, path] of [
          ["PUT", `/api/webhooks/${hookId}`],
          ["DELETE", `/api/webhooks/${hookId}`],
          ["GET", `/api/webhooks/${hookId}/deliveries`],
          ["POST", `/api/webhooks/${hookId}/deliveries/1/redeliver`],
        ]
      ) {
        const body = method === "GET" ? undefined : { is_active: false };
        const other = await call(app, method, path, { token: rival.token, body });
        assertEquals(
          [other.status, other.body],
          [404, errorBody("Webhook not found")],
          `${method} ${path}`,
        );
      }
      assertEquals((await call(app, "GET", "/api/webhooks", { token: rival.token })).body.webhooks, []);
    });

    await t.step("URLs on private, loopback, link-local or metadata addresses are refused", async () => {
      app.deps.config.webhookAllowPrivate = false;
      try {
        for (
          const url of [
            "http://127.0.0.1:9000/x",
            "http://localhost/x",
            "http://[::1]/x",
            "http://10.1.2.3/x",
            "http://192.168.0.10/x",
            "http://169.254.169.254/latest/meta-data",
            "http://metadata.google.internal/",
            "http://2130706433/",
            "http://user@127.0.0.1/",
            "http://[::ffff:127.0.0.1]/",
            "http://[fd00:ec2::254]/",
          ]
        ) {
          const r = await post(rival.token, { instance_name: "rival-wa", webhook_url: url });
          assertEquals([r.status, r.body.error], [
            400,
            "webhook_url must not point to a private or loopback address",
          ], url);
          const u = await call(app, "PUT", `/api/webhooks/${hookId}`, {
            token: acme.token,
            body: { webhook_url: url },
          });
          assertEquals(u.status, 400, url);
        }
      } finally {
        app.deps.config.webhookAllowPrivate = true;
      }
    });

    await t.step(
      "an inbound message reaches the receiver signed, after two failures, with 3 attempts logged",
      async () => {
        await control(app).inbound("acme-wa", { from: "595981777888", text: "hola", pushName: "Cliente" });
        const ok = await eventually(
          "third attempt",
          () => receiver.hits.length >= 3 && receiver.hits[2],
        );
        assertEquals(receiver.hits.length, 3);
        assert(
          receiver.hits.every((h) => h.verified),
          "every attempt carries a valid signature",
        );
        assertEquals(ok.headers.get("x-taguato-event"), "messages.upsert");
        const envelope = JSON.parse(ok.body);
        assertEquals([envelope.event, envelope.instance, envelope.sender], [
          "messages.upsert",
          "acme-wa",
          "595981000001@s.whatsapp.net",
        ]);
        assertEquals(envelope.data.key.remoteJid, "595981777888@s.whatsapp.net");
        assert(!("destination" in envelope) && !("apikey" in envelope), "engine-only fields are not relayed");
        const deliveryId = Number(ok.headers.get("x-taguato-delivery"));
        const log = await eventually("succeeded", async () => {
          const r = await call(app, "GET", `/api/webhooks/${hookId}/deliveries`, { token: acme.token });
          const d = (r.body.deliveries as Record<string, unknown>[])[0];
          return d?.status === "succeeded" && r;
        });
        assertEquals([log.body.total, log.body.page, log.body.pages], [1, 1, 1]);
        const d = (log.body.deliveries as Record<string, unknown>[])[0];
        assertEquals([d.id, d.event, d.attempt_count, d.last_status_code], [
          deliveryId,
          "messages.upsert",
          3,
          200,
        ]);
        const attempts = d.attempts as Record<string, unknown>[];
        assertEquals(attempts.map((a) => [a.attempt, a.status_code, a.error]), [
          [1, 500, "HTTP 500"],
          [2, 500, "HTTP 500"],
          [3, 200, null],
        ]);
        assert(attempts[0].next_attempt_at && attempts[1].next_attempt_at && !attempts[2].next_attempt_at);
        // Events the webhook does not take (messages.update, contacts.upsert...) were not queued.
        assertEquals(
          receiver.hits.every((h) => h.headers.get("x-taguato-event") === "messages.upsert"),
          true,
        );
      },
    );

    await t.step("redeliver queues a fresh delivery of the same body", async () => {
      const first = receiver.hits[2];
      const deliveryId = first.headers.get("x-taguato-delivery");
      const r = await call(app, "POST", `/api/webhooks/${hookId}/deliveries/${deliveryId}/redeliver`, {
        token: acme.token,
      });
      assertEquals(r.status, 202);
      const again = await eventually("redelivery", () => receiver.hits[3]);
      assertEquals(again.body, first.body);
      assert(again.verified);
      assertEquals(
        again.headers.get("x-taguato-delivery"),
        String((r.body.delivery as Record<string, unknown>).id),
      );
      const missing = await call(app, "POST", `/api/webhooks/${hookId}/deliveries/999999/redeliver`, {
        token: acme.token,
      });
      assertEquals([missing.status, missing.body], [404, errorBody("Delivery not found")]);
      const list = await call(app, "GET", `/api/webhooks/${hookId}/deliveries?limit=1`, {
        token: acme.token,
      });
      assertEquals([list.body.total, list.body.pages], [2, 2]);
      assertEquals((list.body.deliveries as Record<string, unknown>[])[0].redelivery_of, Number(deliveryId));
      const bad = await call(app, "GET", `/api/webhooks/${hookId}/deliveries?page=0`, { token: acme.token });
      assertEquals(bad.status, 400);
    });

    await t.step("a rotated secret signs every later attempt", async () => {
      const old = secret;
      const r = await call(app, "POST", `/api/webhooks/${hookId}/secret`, { token: acme.token });
      assertEquals(r.status, 200);
      secret = (r.body.webhook as { secret: string }).secret;
      assert(secret.startsWith("whsec_") && secret !== old);
      const other = await call(app, "POST", `/api/webhooks/${hookId}/secret`, { token: rival.token });
      assertEquals([other.status, other.body], [404, errorBody("Webhook not found")]);
      const deliveryId = receiver.hits[2].headers.get("x-taguato-delivery");
      await call(app, "POST", `/api/webhooks/${hookId}/deliveries/${deliveryId}/redeliver`, {
        token: acme.token,
      });
      const hit = await eventually("redelivery", () => receiver.hits[4]);
      assert(hit.verified, "signed with the new secret");
    });

    await t.step("delete removes the webhook and its log; later events queue nothing", async () => {
      const r = await call(app, "DELETE", `/api/webhooks/${hookId}`, { token: acme.token });
      assertEquals([r.status, r.body.deleted], [200, { id: hookId }]);
      const [{ n }] = await app.db.sql<
        { n: number }[]
      >`SELECT count(*)::int AS n FROM taguato.webhook_deliveries`;
      assertEquals(n, 0);
      const engineHook = await app.deps.evolution.findWebhook("acme-wa");
      assert(engineHook?.enabled && !engineHook.events.includes("CONTACTS_UPSERT"));
    });
  } finally {
    await dispatcher.stop();
    await receiver.stop();
    await app.close();
  }
});

const onPostgres = needs("postgres");
onPostgres.test("two replicas dispatching one queue attempt every delivery exactly once (SKIP LOCKED)", async () => {
  const app = await startTestApp({ cache: "memory", env: { WEBHOOK_ALLOW_PRIVATE: "true" } });
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    await req.body?.cancel();
    seen.push(req.headers.get("x-taguato-delivery")!);
    await new Promise((r) => setTimeout(r, 5));
    return new Response("ok");
  });
  // A second replica: its own pool on the same database.
  const replica = { ...app.deps, sql: connect(app.db.url, 5) };
  try {
    const acme = await tenantWithInstance(app, "acme", "acme-wa");
    const r = await call(app, "POST", "/api/webhooks", {
      token: acme.token,
      // CALL only: the engine's own late events from the scan queue nothing here.
      body: {
        instance_name: "acme-wa",
        webhook_url: `http://127.0.0.1:${server.addr.port}/h`,
        events: ["CALL"],
      },
    });
    assertEquals(r.status, 201);
    await app.db.sql`
      INSERT INTO taguato.webhook_deliveries (webhook_id, event, body, next_attempt_at)
      SELECT ${(r.body.webhook as { id: number }).id}, 'messages.upsert', '{"n":' || n || '}', now()
      FROM generate_series(1, 60) AS n`;
    const drain = async (deps: typeof app.deps) => {
      while (await dispatchDueDeliveries(deps, 7) > 0) { /* next batch */ }
    };
    await Promise.all([drain(app.deps), drain(replica), drain(app.deps), drain(replica)]);
    assertEquals(seen.length, 60);
    assertEquals(new Set(seen).size, 60);
    const [{ n }] = await app.db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM taguato.webhook_deliveries WHERE status = 'succeeded' AND attempt_count = 1`;
    assertEquals(n, 60);
  } finally {
    await replica.sql.end();
    await server.shutdown();
    await app.close();
  }
});
