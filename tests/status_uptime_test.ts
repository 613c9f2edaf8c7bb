// The uptime worker against a sandbox engine of the test's own that it stops and starts again: the
// service goes down → the alert reaches a loopback receiver → an automatic incident opens after the
// configured failures → recovery resolves it. Also the alert channels (retry, cooldown, e-mail).
import { assert, assertEquals } from "../lib/core/testing.ts";
import { type AppDeps, connect } from "../lib/core/mod.ts";
import { createEvolutionClient } from "../lib/gateway/mod.ts";
import { startSandbox } from "../lib/sandbox/mod.ts";
import { startWebhookReceiver } from "../lib/sandbox/testing.ts";
import { alertPayload, runUptime, sendAlert, serviceDownAlert } from "../lib/status/mod.ts";
import { uptimeWorker } from "../workers/uptime.ts";
import { call } from "./_helpers/accounts.ts";
import { ENGINE_KEY, startTestApp } from "./_helpers/app.ts";
import { freePort } from "./_helpers/services.ts";
import { smtpEnv } from "./_helpers/recovery.ts";
import { startSmtpSink } from "./_helpers/smtp.ts";

const fast = { retryDelayMs: () => 10 };

Deno.test("uptime: engine down → alert → automatic incident after 3 failures → recovery resolves it", async (s) => {
  await using t = await startTestApp();
  const receiver = startWebhookReceiver();
  const port = freePort();
  let engine = await startSandbox({ apiKey: ENGINE_KEY, port, hostname: "127.0.0.1" });
  const deps: AppDeps = {
    ...t.deps,
    config: { ...t.deps.config, alertWebhookUrl: receiver.url, autoIncidentThreshold: 3 },
    evolution: createEvolutionClient({ baseUrl: engine.url, apiKey: ENGINE_KEY, timeoutMs: 2_000 }),
  };
  try {
    await s.step("the worker spec is the 5-minute 'uptime' job; the first run only seeds", async () => {
      assertEquals([uptimeWorker.name, uptimeWorker.schedule], ["uptime", "*/5 * * * *"]);
      const summary = await uptimeWorker.run(deps);
      assertEquals(summary, {
        down: [],
        alerts: [],
        incidents_opened: [],
        incidents_resolved: [],
        recorded: true,
      });
      const rows = await t.deps.sql`SELECT service_name, status FROM taguato.uptime_checks ORDER BY id`;
      assertEquals(rows.map((r) => r.service_name), ["Gateway", "Evolution API", "PostgreSQL", "Redis"]);
      assert(rows.every((r) => r.status === "operational"));
      assertEquals(receiver.received.length, 0);
    });

    await engine.stop();

    await s.step("the first failed check alerts with the contract's payload", async () => {
      const r = await runUptime(deps, fast);
      assertEquals(r.checks.find((c) => c.name === "Evolution API")?.status, "major_outage");
      assertEquals(r.alerts.map((a) => [a.key, a.result.outcome, a.result.webhook]), [
        ["svc_down:Evolution API", "sent", "delivered"],
      ]);
      const hook = await receiver.waitFor(() => true);
      assertEquals(hook.body, {
        text: "[TAGUATO-SEND] Service DOWN: Evolution API - major_outage",
        username: "TAGUATO-SEND Alerts",
        embeds: [{ title: "Service DOWN: Evolution API", description: "major_outage", color: 14495300 }],
      });
      assertEquals(r.incidents_opened, []);
    });

    await s.step("still down: no second alert; the third failure opens one automatic incident", async () => {
      assertEquals((await runUptime(deps, fast)).alerts, []);
      const third = await runUptime(deps, fast);
      assertEquals(third.incidents_opened, ["Evolution API"]);
      assertEquals((await runUptime(deps, fast)).incidents_opened, [], "one incident while it stays down");
      const rows = await t.deps.sql`
        SELECT i.title, i.automatic, i.status, s.name FROM taguato.incidents i
        JOIN taguato.incident_services x ON x.incident_id = i.id JOIN taguato.services s ON s.id = x.service_id`;
      assertEquals(rows.map((r) => [r.title, r.automatic, r.status, r.name]), [
        ["Evolution API is not responding", true, "investigating", "Evolution API"],
      ]);
      assertEquals(receiver.received.length, 1);
    });

    await s.step("the public status shows the outage and the automatic incident", async () => {
      const res = await call(t, "GET", "/api/status");
      // The app's own engine is up; the incident alone raises the overall state (major → partial).
      assertEquals(res.body.overall_status, "partial_outage");
      assertEquals(res.body.active_incidents[0].automatic, true);
      assertEquals(res.body.active_incidents[0].affected_services, ["Evolution API"]);
      assert(res.body.uptime["Evolution API"] < 100);
    });

    engine = await startSandbox({ apiKey: ENGINE_KEY, port, hostname: "127.0.0.1" });

    await s.step("recovery alerts once and resolves the incident automatically", async () => {
      const r = await runUptime(deps, fast);
      assertEquals(r.incidents_resolved, ["Evolution API"]);
      assertEquals(r.alerts.map((a) => a.key), ["svc_up:Evolution API"]);
      const hook = await receiver.waitFor((h) => h.body?.text?.includes("RECOVERED"));
      assertEquals(hook.body.embeds[0], {
        title: "Service RECOVERED: Evolution API",
        description: "Service is operational again",
        color: 5763719,
      });
      const [row] = await t.deps.sql`SELECT status, resolved_at FROM taguato.incidents`;
      assert(row.status === "resolved" && row.resolved_at instanceof Date);
      const updates = await t.deps.sql`SELECT status, message FROM taguato.incident_updates ORDER BY id`;
      assertEquals(updates.map((u) => u.status), ["investigating", "resolved"]);
      const status = await call(t, "GET", "/api/status");
      assertEquals([status.body.active_incidents.length, status.body.recent_incidents.length], [0, 1]);
    });
  } finally {
    await engine.stop().catch(() => {});
    await receiver.stop();
  }
});

Deno.test("sendAlert retries a 5xx, gives up on a 4xx, honours the cooldown and mails the admins", async (s) => {
  const sink = await startSmtpSink();
  await using t = await startTestApp({ env: smtpEnv(sink) });
  const receiver = startWebhookReceiver();
  await t.deps.sql`UPDATE taguato.users SET email = 'ops@taguato.test' WHERE role = 'admin'`;
  const deps = { ...t.deps, config: { ...t.deps.config, alertWebhookUrl: receiver.url } };
  try {
    await s.step("a 503 is retried and then delivered; the e-mail reaches the admin", async () => {
      receiver.failNext(2, 503);
      const r = await sendAlert(deps, serviceDownAlert("Redis", "major_outage"), fast);
      assertEquals(r, { outcome: "sent", webhook: "delivered", mailed: 1 });
      assertEquals(receiver.received.length, 1);
      const mail = await sink.waitFor("ops@taguato.test");
      assertEquals(mail.subject, alertPayload(serviceDownAlert("Redis", "major_outage")).text);
    });
    await s.step("the same key within the cooldown is suppressed", async () => {
      const r = await sendAlert(deps, serviceDownAlert("Redis", "major_outage"), fast);
      assertEquals(r.outcome, "suppressed");
      assertEquals(receiver.received.length, 1);
    });
    await s.step("a 400 is not retried", async () => {
      receiver.failNext(1, 400);
      const r = await sendAlert(deps, serviceDownAlert("PostgreSQL"), fast);
      assertEquals(r.webhook, "failed");
      assertEquals(receiver.received.length, 1);
    });
    await s.step("without ALERT_WEBHOOK_URL only the e-mail goes out", async () => {
      const r = await sendAlert(t.deps, serviceDownAlert("Gateway"), fast);
      assertEquals([r.webhook, r.mailed], ["disabled", 1]);
    });
  } finally {
    await receiver.stop();
    await sink.stop();
  }
});

Deno.test("the uptime worker stores nothing but still alerts when PostgreSQL is unreachable", async () => {
  await using t = await startTestApp();
  const receiver = startWebhookReceiver();
  try {
    const deps: AppDeps = { ...t.deps, config: { ...t.deps.config, alertWebhookUrl: receiver.url } };
    await runUptime(deps, fast);
    // A pool pointed at a port nothing listens on stands in for a database that went away.
    const dead = connect(`postgres://postgres@127.0.0.1:${freePort()}/none`, 1);
    const r = await runUptime({ ...deps, sql: dead }, fast);
    await dead.end({ timeout: 0 });
    assertEquals(r.recorded, false);
    assertEquals(r.checks.find((c) => c.name === "PostgreSQL")?.status, "major_outage");
    assertEquals(r.alerts.map((a) => a.key), ["svc_down:PostgreSQL"]);
  } finally {
    await receiver.stop();
  }
});
