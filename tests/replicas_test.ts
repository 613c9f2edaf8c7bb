// Three gateway processes (`deno run -A main.ts`) on one PostgreSQL database and one Redis, one sandbox
// engine: what DESIGN.md §6 promises, checked as steps on one cluster (started once for the file). A session
// revoked on one replica is refused by the others at once; the per-user rate limit, login lockouts, quotas
// and idempotency keys hold across all three together; engine events posted to any replica are applied
// once; each worker tick runs once; scheduled and campaign sends are never duplicated; a replica killed with
// SIGKILL mid-campaign loses nothing.
import { assert, assertEquals } from "../lib/core/testing.ts";
import { hashPassword } from "../lib/auth/mod.ts";
import { dispatchCampaigns } from "../lib/campaigns/mod.ts";
import { engineEventsToken } from "../lib/gateway/mod.ts";
import {
  type Answer,
  clusterUser,
  engineMessages,
  engineSendCalls,
  openInstance,
  startCluster,
  until,
} from "./_helpers/replicas.ts";
import { needs } from "./_helpers/services.ts";
import { NO_BUDGET } from "./_helpers/campaigns.ts";

const TICK_MS = 2000;
const STALE_MS = 10 * 60_000;
const WORKERS = ["reconnect", "cleanup", "log-rotation", "webhook-dispatch", "campaigns", "scheduled"];

const statusesOf = (answers: Answer[]) => answers.map((a) => a.status).sort((a, b) => a - b);
const count = (answers: Answer[], status: number) => answers.filter((a) => a.status === status).length;

needs("postgres", "redis").test(
  "three replicas on one database and Redis behave as one gateway",
  async (t) => {
    const backups = await Deno.makeTempDir({ prefix: "taguato-replicas-" });
    await using cluster = await startCluster({
      env: {
        WORKER_TICK_MS: String(TICK_MS),
        BACKUP_DIR: backups,
        SCHEDULED_SEND_DELAY_MS: "0",
        // A new number's warm-up budget (40 campaign sends a day) would hold the 600-recipient campaign back.
        ...NO_BUDGET,
      },
    });
    const { db } = cluster;
    const since = new Date();
    const all = [0, 1, 2];
    const passwordUser = async (username: string, password: string) => {
      const [row] = await db.sql<{ id: number }[]>`
      INSERT INTO taguato.users (username, password_hash, role, must_change_password)
      VALUES (${username}, ${await hashPassword(password)}, 'user', false) RETURNING id`;
      return row.id;
    };
    const loginAt = (replica: number, username: string, password: string) =>
      cluster.call(replica, "POST", "/api/auth/login", { body: { username, password } });

    await t.step("a session revoked through one replica is refused by the other two at once", async () => {
      await passwordUser("rev_ana", "Passw0rd!x");
      const login = await loginAt(0, "rev_ana", "Passw0rd!x");
      assertEquals(login.status, 200);
      const token = login.body.token as string;
      // Each replica resolves (and caches) the session first.
      const before = await Promise.all(all.map((i) => cluster.call(i, "GET", "/api/auth/me", { token })));
      assertEquals(before.map((a) => a.status), [200, 200, 200]);
      assertEquals((await cluster.call(1, "POST", "/api/auth/logout", { token })).status, 200);
      const after = await Promise.all(all.map((i) => cluster.call(i, "GET", "/api/auth/me", { token })));
      assertEquals(after.map((a) => a.status), [401, 401, 401]);
      const proxied = await cluster.call(2, "GET", "/instance/fetchInstances", { token });
      assertEquals(proxied.status, 401);
    });

    await t.step("the per-user rate limit counts the three replicas together, exactly", async () => {
      const limit = 24;
      const user = await clusterUser(cluster, { rateLimit: limit });
      const engineBefore = cluster.engineLog.filter((l) =>
        l.startsWith("GET /instance/fetchInstances ")
      ).length;
      const answers = await Promise.all(
        Array.from(
          { length: limit + 12 },
          (_, i) => cluster.call(i % 3, "GET", "/instance/fetchInstances", { token: user.token }),
        ),
      );
      assertEquals(count(answers, 200), limit, JSON.stringify(statusesOf(answers)));
      assertEquals(count(answers, 429), 12);
      assert(answers.filter((a) => a.status === 429).every((a) => a.body.error === "Rate limit exceeded"));
      // Refused requests never reached the engine.
      const engineAfter =
        cluster.engineLog.filter((l) => l.startsWith("GET /instance/fetchInstances ")).length;
      assertEquals(engineAfter - engineBefore, limit);
    });

    await t.step("a login lockout counts failures on every replica and holds on all of them", async () => {
      await passwordUser("lock_bea", "Passw0rd!x");
      // Four wrong passwords, each on another replica: still open.
      for (let i = 0; i < 4; i++) {
        assertEquals((await loginAt(i % 3, "lock_bea", "wrong-password")).status, 401);
      }
      assertEquals((await loginAt(2, "lock_bea", "Passw0rd!x")).status, 200, "the 4th failure does not lock");
      for (let i = 0; i < 5; i++) await loginAt(i % 3, "lock_bea", "wrong-password");
      // The right password is refused everywhere now.
      const locked = await Promise.all(all.map((i) => loginAt(i, "lock_bea", "Passw0rd!x")));
      assertEquals(locked.map((a) => [a.status, a.body.code]), Array(3).fill([429, "account_locked"]));
      const [row] = await db.sql<{ n: number; locked: boolean }[]>`
      SELECT failed_login_attempts AS n, locked_until > now() AS locked FROM taguato.users
      WHERE username = 'lock_bea'`;
      assertEquals(row, { n: 5, locked: true });
    });

    const owner = await clusterUser(cluster, { maxInstances: 10 });
    // The instance's engine webhook points at replica 0; sends go through all three.
    await openInstance(cluster, owner, "rep-a", 0);

    await t.step("a daily quota is not passed by sends racing on three replicas", async () => {
      const cap = 10;
      const user = await clusterUser(cluster);
      await db.sql`INSERT INTO taguato.instance_permissions (instance_name, grantee_user_id, granted_by)
      VALUES ('rep-a', ${user.id}, ${owner.id})`;
      await db.sql`INSERT INTO taguato.user_quotas (user_id, daily_limit) VALUES (${user.id}, ${cap})`;
      const engineBefore = engineSendCalls(cluster, "rep-a");
      const answers = await Promise.all(
        Array.from({ length: cap + 8 }, (_, i) =>
          cluster.call(i % 3, "POST", "/message/sendText/rep-a", {
            token: user.token,
            body: { number: `5959821${String(i).padStart(5, "0")}`, text: "cuota" },
          })),
      );
      assertEquals(count(answers, 201), cap, JSON.stringify(statusesOf(answers)));
      assertEquals(
        answers.filter((a) => a.status === 429).map((a) => a.body.code),
        Array(8).fill("quota_daily_exceeded"),
      );
      assertEquals(engineSendCalls(cluster, "rep-a") - engineBefore, cap);
      const [ledger] = await db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM taguato.message_logs WHERE user_id = ${user.id} AND direction = 'outbound'`;
      assertEquals(ledger.n, cap);
    });

    let keyed = "";
    await t.step("one Idempotency-Key sent to the three replicas at once makes one send", async () => {
      await cluster.control.acks("manual");
      const engineBefore = engineSendCalls(cluster, "rep-a");
      const body = { number: "595982200001", text: "una sola vez" };
      const answers = await Promise.all(all.map((i) =>
        cluster.call(i, "POST", "/message/sendText/rep-a", {
          token: owner.token,
          body,
          headers: { "idempotency-key": "replicas-key-1" },
        })
      ));
      assertEquals(answers.map((a) => a.status), [201, 201, 201]);
      assertEquals(answers.filter((a) => a.headers.get("idempotent-replayed") === "true").length, 2);
      keyed = answers[0].body.key.id;
      assert(answers.every((a) => a.body.key.id === keyed), "every replica answers the one send");
      assertEquals(engineSendCalls(cluster, "rep-a") - engineBefore, 1);
      const rows = await db.sql`SELECT 1 FROM taguato.message_logs WHERE phone_number = '595982200001'`;
      assertEquals(rows.length, 1);
    });

    await t.step("engine events posted to every replica at once are applied once", async () => {
      const token = await engineEventsToken(cluster.deps, "rep-a");
      const post = (replica: number, envelope: Record<string, unknown>) =>
        cluster.call(replica, "POST", `/internal/engine-events/${token}`, {
          body: { instance: "rep-a", date_time: new Date().toISOString(), ...envelope },
        });
      const receipt = {
        event: "messages.update",
        data: {
          keyId: keyed,
          remoteJid: "595982200001@s.whatsapp.net",
          fromMe: true,
          status: "DELIVERY_ACK",
        },
      };
      assertEquals((await Promise.all(all.map((i) => post(i, receipt)))).map((a) => a.status), [
        200,
        200,
        200,
      ]);
      const rows = await db.sql<{ status: string; source: string }[]>`
      SELECT status, source FROM taguato.message_logs WHERE engine_message_id = ${keyed}`;
      assertEquals([...rows], [{ status: "delivered", source: "api" }]);
      // The same inbound STOP three times: one inbound row, one opt-out.
      const inbound = {
        event: "messages.upsert",
        data: {
          key: { id: "INBOUND-REPLICAS-1", remoteJid: "595982200002@s.whatsapp.net", fromMe: false },
          messageType: "conversation",
          message: { conversation: "STOP" },
        },
      };
      assertEquals((await Promise.all(all.map((i) => post(i, inbound)))).map((a) => a.status), [
        200,
        200,
        200,
      ]);
      const stored = await db.sql`
      SELECT 1 FROM taguato.message_logs WHERE engine_message_id = 'INBOUND-REPLICAS-1' AND direction = 'inbound'`;
      assertEquals(stored.length, 1);
      const optOuts = await db.sql`SELECT 1 FROM taguato.opt_outs WHERE phone_number = '595982200002'`;
      assertEquals(optOuts.length, 1);
      // The engine's own receipt reaches the replica its webhook names and moves the row on.
      await cluster.control.ack(keyed, "READ");
      await until("the READ receipt", async () => {
        const [r] = await db.sql<{ status: string }[]>`
        SELECT status FROM taguato.message_logs WHERE engine_message_id = ${keyed}`;
        return r.status === "read";
      });
      await cluster.control.acks("auto", [5, 5, 5]);
    });

    await t.step("scheduled sends are made once across three replicas", async () => {
      const recipients = (m: number) =>
        Array.from({ length: 60 }, (_, i) => `595983${m}${String(i).padStart(5, "0")}`);
      const created = await Promise.all(all.map((i) =>
        cluster.call(i, "POST", "/api/scheduled", {
          token: owner.token,
          body: {
            instance_name: "rep-a",
            message_content: "programado",
            recipients: recipients(i),
            scheduled_at: new Date(Date.now() + 1000).toISOString(),
          },
        })
      ));
      assertEquals(created.map((a) => a.status), [201, 201, 201], JSON.stringify(created.map((a) => a.body)));
      const ids = created.map((a) => Number(a.body.message.id));
      await until("the scheduled messages to complete", async () => {
        const rows = await db.sql`
        SELECT 1 FROM taguato.scheduled_messages WHERE id = ANY(${ids}) AND status = 'completed'`;
        return rows.length === 3;
      }, 60_000);
      const engine = [...(await engineMessages(cluster, "rep-a")).values()];
      for (const m of all) {
        for (const n of recipients(m)) assertEquals(engine.filter((e) => e === n).length, 1, n);
      }
      const ledger = await db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM taguato.message_logs WHERE scheduled_message_id = ANY(${ids})`;
      assertEquals(ledger[0].n, 180);
    });

    await t.step("each worker's tick runs in exactly one replica", async () => {
      await until("four slots of every worker", async () => {
        const rows = await db.sql<{ name: string; n: number }[]>`
        SELECT name, count(*)::int AS n FROM taguato.worker_runs WHERE slot > ${since} GROUP BY name`;
        return WORKERS.every((w) => (rows.find((r) => r.name === w)?.n ?? 0) >= 4);
      }, 60_000);
      const runs = await db.sql<{ name: string; slot: Date; holder: string }[]>`
      SELECT name, slot, holder FROM taguato.worker_runs WHERE slot IS NOT NULL`;
      const perSlot = new Map<string, number>();
      for (const r of runs) {
        perSlot.set(
          `${r.name}@${r.slot.toISOString()}`,
          (perSlot.get(`${r.name}@${r.slot.toISOString()}`) ?? 0) + 1,
        );
      }
      assertEquals([...perSlot].filter(([, n]) => n > 1), [], "no slot ran twice");
      const logs = cluster.replicas.map((r) => r.stderr).join("\n");
      assert(!logs.includes("worker tick failed"), logs);
    });

    await t.step(
      "campaign sends are never duplicated, and a replica killed with SIGKILL loses nothing",
      async () => {
        const total = 600;
        const numbers = Array.from({ length: total }, (_, i) => String(595984000000 + i));
        const created = await cluster.call(1, "POST", "/api/campaigns", {
          token: owner.token,
          body: {
            name: "Replicas",
            instance: "rep-a",
            numbers,
            variants: ["Hola"],
            pacing: { min_gap_s: 0, max_gap_s: 0 },
          },
        });
        assertEquals(created.status, 201, JSON.stringify(created.body));
        const id = created.body.campaign.id;
        const progress = async () =>
          (await db.sql<{ queued: number; sending: number; stale: number }[]>`
        SELECT count(*) FILTER (WHERE status = 'queued')::int AS queued,
          count(*) FILTER (WHERE status = 'sending')::int AS sending,
          count(*) FILTER (WHERE status = 'sending' AND claimed_at < now() - interval '10 seconds')::int AS stale
        FROM taguato.campaign_recipients WHERE campaign_id = ${id}`)[0];
        await until("a fifth of the campaign", async () => (await progress()).queued <= total * 0.8, 60_000);
        const killed = await cluster.kill(2);
        assertEquals(killed.signal, "SIGKILL");
        await cluster.restart(2);
        // Once the queue is empty, a row still `sending` seconds later belonged to the dead process.
        await until("the queue to drain", async () => {
          const p = await progress();
          return p.queued === 0 && p.sending === p.stale;
        }, 90_000);
        const recovered = await dispatchCampaigns(cluster.later(STALE_MS + 1000), { maxClaims: 0 });
        await until("the campaign to complete", async () => {
          const [c] = await db.sql<
            { status: string }[]
          >`SELECT status FROM taguato.campaigns WHERE id = ${id}`;
          return c.status === "completed";
        }, 60_000);
        const rows = await db.sql<{ phone_number: string; status: string }[]>`
      SELECT phone_number, status FROM taguato.campaign_recipients WHERE campaign_id = ${id}`;
        assertEquals(rows.filter((r) => !["sent", "unknown"].includes(r.status)), []);
        const unknown = new Set(rows.filter((r) => r.status === "unknown").map((r) => r.phone_number));
        assertEquals(unknown.size, recovered.recovered);
        // The killed process had at most its loop's send and a worker pass's send in flight.
        assert(unknown.size <= 2, `unknown: ${[...unknown]}`);
        const engine = [...(await engineMessages(cluster, "rep-a")).values()].filter((n) =>
          n.startsWith("59598400")
        );
        assertEquals(new Set(engine).size, engine.length, "no recipient reached the engine twice");
        const sentRows = new Set(rows.filter((r) => r.status === "sent").map((r) => r.phone_number));
        const onEngine = new Set(engine);
        assert([...sentRows].every((n) => onEngine.has(n)), "every sent recipient is on the engine");
        assert(engine.every((n) => sentRows.has(n) || unknown.has(n)), "the engine got nothing else");
        console.log(`campaign: ${sentRows.size} sent, ${unknown.size} unknown after the kill`);
      },
    );

    await Deno.remove(backups, { recursive: true });
  },
);
