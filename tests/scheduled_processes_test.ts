// Three worker processes against one database with 3,000 due recipients: each is sent exactly once (the
// sandbox's own message store), and a process killed with SIGKILL mid-run loses none: its in-flight
// recipient ends `unknown`, never re-sent, and the rest of its message is sent by a later takeover.
import { assert, assertEquals } from "../lib/core/testing.ts";
import { createScheduled, LEASE_MS } from "../lib/messaging/mod.ts";
import { ENGINE_KEY, startTestApp } from "./_helpers/app.ts";
import { createUser } from "./_helpers/auth_client.ts";
import { control } from "./_helpers/engine.ts";
import { engineSends, runAt } from "./_helpers/scheduled.ts";
import { needs } from "./_helpers/services.ts";

const MESSAGES = Number(Deno.env.get("SCHEDULED_TEST_MESSAGES") ?? 6);
const PER_MESSAGE = Number(Deno.env.get("SCHEDULED_TEST_PER_MESSAGE") ?? 500);
const WORKER = new URL("./_helpers/scheduled_worker_process.ts", import.meta.url).pathname;

needs("postgres").test(
  "three worker processes send 3,000 recipients exactly once, a SIGKILL loses none",
  async () => {
    await using app = await startTestApp({ cache: "memory", env: { SCHEDULED_SEND_DELAY_MS: "0" } });
    // An open instance without the gateway's engine webhook: this test counts sends, not receipts.
    const ana = { id: await createUser(app, "proc_ana", "Passw0rd!x"), instance: "proc-ana" };
    await app.db
      .sql`INSERT INTO taguato.user_instances (user_id, instance_name) VALUES (${ana.id}, ${ana.instance})`;
    await app.deps.evolution.createInstance({ instanceName: ana.instance, integration: "WHATSAPP-BAILEYS" });
    await control(app).scan(ana.instance, { phone: "595981000001" });
    await control(app).acks("manual");
    // A little engine latency keeps each process inside the engine call most of the time, where the kill lands.
    await control(app).latency(10);
    const numbers = (m: number) =>
      Array.from({ length: PER_MESSAGE }, (_, i) => `5959${m}${String(i).padStart(7, "0")}`);
    const ids: number[] = [];
    for (let m = 0; m < MESSAGES; m++) {
      const row = await createScheduled(app.db.sql, ana.id, {
        instanceName: ana.instance,
        messageType: "text",
        messageContent: "hola {{number}}",
        recipients: numbers(m),
        scheduledAt: Date.now() - 1000,
        timeZone: "UTC",
        recurrence: null,
        recurrenceUntil: null,
        templateId: null,
        variables: null,
      });
      ids.push(row.id);
    }

    const spawn = (owner: string) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", WORKER],
        env: { DATABASE_URL: app.db.url, SANDBOX_URL: app.sandbox.url, ENGINE_KEY, WORKER_OWNER: owner },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    const t0 = Date.now();
    const victim = spawn("proc-0");
    const others = [spawn("proc-1"), spawn("proc-2")];

    // Kill proc-0 once it has sent 100 recipients of its message and holds one in flight.
    const until = Date.now() + 120_000;
    for (;;) {
      const [state] = await app.db.sql<{ sent: number; sending: number }[]>`
      SELECT count(*) FILTER (WHERE m.status = 'sent')::int AS sent,
        count(*) FILTER (WHERE m.status = 'sending')::int AS sending
      FROM taguato.message_logs m JOIN taguato.scheduled_messages s ON s.id = m.scheduled_message_id
      WHERE s.lease_owner = 'proc-0' AND s.status = 'processing'`;
      if (state.sent >= PER_MESSAGE / 5 && state.sending > 0) break;
      if (Date.now() > until) throw new Error(`proc-0 never got going: ${JSON.stringify(state)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    victim.kill("SIGKILL");
    assertEquals((await victim.output()).signal, "SIGKILL");
    for (const p of others) {
      const out = await p.output();
      assert(out.success, new TextDecoder().decode(out.stderr));
    }

    // The victim's message is still leased; once the lease passes, a takeover finishes it.
    const [held] = await app.db.sql<{ id: number }[]>`
    SELECT id FROM taguato.scheduled_messages WHERE lease_owner = 'proc-0' AND status = 'processing'`;
    assert(held, "the killed process held a message");
    const takeover = await runAt(app, new Date(Date.now() + LEASE_MS + 5_000).toISOString());
    assertEquals(takeover.messages, 1);

    const rows = await app.db.sql<{ status: string; phone_number: string; scheduled_message_id: number }[]>`
    SELECT status, phone_number, scheduled_message_id FROM taguato.message_logs
    WHERE scheduled_message_id = ANY(${ids})`;
    assertEquals(rows.length, MESSAGES * PER_MESSAGE, "one ledger row per recipient");
    const unknown = rows.filter((r) => r.status === "unknown");
    // Receipts may have moved a sent row on (delivered, read); unknown and failed did not go out for sure.
    const sent = rows.filter((r) => ["sent", "delivered", "read"].includes(r.status));
    assert(unknown.length <= 1, `at most the one in-flight recipient is unknown, got ${unknown.length}`);
    assert(unknown.every((r) => r.scheduled_message_id === held.id), "only the killed process's message");
    assertEquals(sent.length + unknown.length, MESSAGES * PER_MESSAGE);

    const engine = await engineSends(app.sandbox.url, ana.instance);
    const perNumber = new Map<string, number>();
    for (const s of engine) perNumber.set(s.number, (perNumber.get(s.number) ?? 0) + 1);
    assertEquals([...perNumber.values()].filter((n) => n > 1), [], "no number was sent twice");
    for (const r of sent) assertEquals(perNumber.get(r.phone_number), 1, r.phone_number);
    // The in-flight recipient went out at most once (the kill may have landed before or after the engine).
    assert(engine.length === sent.length || engine.length === sent.length + unknown.length);

    const statuses = await app.db.sql<{ status: string }[]>`
    SELECT status FROM taguato.scheduled_messages WHERE id = ANY(${ids})`;
    assertEquals(statuses.map((s) => s.status), Array(MESSAGES).fill("completed"));
    console.log(
      `${Date.now() - t0} ms: sent ${sent.length}, unknown ${unknown.length}, engine ${engine.length}`,
    );
  },
);
