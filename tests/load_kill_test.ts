// The load test of issue #12 (`deno task test:load`): a burst of 5,000 sends (LOAD_TEST_SENDS) spread over three gateway processes
// while one of them is killed with SIGKILL and started again. Every accepted send (2xx) has exactly one
// ledger row and one engine call (the sandbox's message store and request log, by message id and number);
// every row reaches its final receipt status within 60 s of the burst, and none stays `sending`: the few
// the kill interrupted end `unknown` through the cleanup worker's stale-sending sweep, run here at a clock
// past its threshold instead of waiting ten minutes.
import { assert, assertEquals } from "../lib/core/testing.ts";
import { runCleanup, STALE_SENDING_MS } from "../lib/ops/mod.ts";
import {
  clusterUser,
  engineMessages,
  engineSendCalls,
  openInstance,
  startCluster,
  until,
} from "./_helpers/replicas.ts";
import { needs } from "./_helpers/services.ts";

const SENDS = Number(Deno.env.get("LOAD_TEST_SENDS") ?? 0);
const CONCURRENCY = 24;
const VICTIM = 1;
// The engine posts one instance's events one after another, so the receipts of a burst drain through as
// many streams as there are instances: ten per replica (load-0, load-3, … on replica 0).
const INSTANCES = Array.from(
  { length: Number(Deno.env.get("LOAD_TEST_INSTANCES") ?? 30) },
  (_, i) => `load-${i}`,
);
const numberOf = (i: number) => `595985${String(i).padStart(6, "0")}`;

const NAME = "5,000 sends over three replicas, one killed and restarted: each accepted send once, none stuck";

// Minutes on two shared cores, so not part of `deno task test`: `deno task test:load` runs it.
if (SENDS <= 0) Deno.test({ name: `${NAME} (deno task test:load)`, ignore: true, fn: () => {} });
else {needs("postgres", "redis").test(
    NAME.replace("5,000", String(SENDS)),
    async () => {
      await using cluster = await startCluster({ sandbox: { ackDelaysMs: [20, 20, 20] } });
      const { db } = cluster;
      const owner = await clusterUser(cluster, { maxInstances: INSTANCES.length });
      // One instance per replica: each instance's engine events go to the replica that created it, so the
      // victim's instance gets its receipts only through the engine's retries once the victim is back.
      for (const [i, name] of INSTANCES.entries()) await openInstance(cluster, owner, name, i % 3);

      const accepted = new Map<string, string>(); // number → engine message id
      const interrupted = new Set<string>(); // no answer: the request may or may not have been handled
      const refused: number[] = [];
      const down = new Set<number>();
      let next = 0;
      let rr = 0;
      let restarted: Promise<void> | undefined;
      const worker = async () => {
        for (let i = next++; i < SENDS; i = next++) {
          const live = [0, 1, 2].filter((r) => !down.has(r));
          const replica = live[rr++ % live.length];
          const number = numberOf(i);
          try {
            const a = await cluster.call(
              replica,
              "POST",
              `/message/sendText/${INSTANCES[i % INSTANCES.length]}`,
              {
                token: owner.token,
                body: { number, text: `carga ${i}` },
              },
            );
            if (a.status >= 200 && a.status < 300) accepted.set(number, a.body.key.id);
            else refused.push(a.status);
          } catch {
            interrupted.add(number);
          }
          if (i === Math.floor(SENDS / 3)) {
            // Killed with requests in flight; the balancer (this loop) leaves it out until it is healthy.
            await cluster.kill(VICTIM);
            down.add(VICTIM);
            restarted = cluster.restart(VICTIM).then(() => {
              down.delete(VICTIM);
            });
          }
        }
      };
      const t0 = Date.now();
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const burstEnd = Date.now();
      await restarted;
      console.log(
        `burst: ${SENDS} sends in ${
          burstEnd - t0
        } ms, accepted ${accepted.size}, interrupted ${interrupted.size}, ` +
          `refused ${refused.length}`,
      );
      assertEquals(refused, [], "no send was refused");
      assertEquals(accepted.size + interrupted.size, SENDS);
      assert(interrupted.size <= CONCURRENCY, `at most the in-flight sends were cut: ${interrupted.size}`);

      // Every answer is in, so a row still `sending` was the victim's: the sweep, as if ten minutes had passed.
      const swept = await runCleanup(cluster.later(STALE_SENDING_MS + 1000));
      type Row = { phone_number: string; status: string; engine_message_id: string | null; source: string };
      const rows = () =>
        db.sql<Row[]>`
        SELECT phone_number, status, engine_message_id, source FROM taguato.message_logs
        WHERE user_id = ${owner.id} AND direction = 'outbound'`;
      // The 60 s bound of the issue: every row final (read, or unknown for the interrupted).
      const final = await until("every row at its final status", async () => {
        const all = await rows();
        return all.every((r) => r.status === "read" || r.status === "unknown") && all;
      }, Math.max(1, burstEnd + 60_000 - Date.now())).catch(async (err) => {
        const left = await db
          .sql`SELECT instance_name, status, source, count(*)::int AS n FROM taguato.message_logs
        WHERE status NOT IN ('read', 'unknown') GROUP BY 1, 2, 3`;
        throw new Error(`${err.message}: ${JSON.stringify(left)}`);
      });
      console.log(
        `final ${Date.now() - burstEnd} ms after the burst; swept to unknown: ${swept.sending_to_unknown}`,
      );
      // The next cleanup pass folds an interrupted send the engine did make into the engine's record of it.
      const refolded = await runCleanup(cluster.later(STALE_SENDING_MS + 1000));
      final.splice(0, final.length, ...await rows());

      const ledger = new Map<string, Row[]>();
      for (const r of final) ledger.set(r.phone_number, [...(ledger.get(r.phone_number) ?? []), r]);
      const engine = new Map<string, string[]>(); // number → engine message ids
      for (const inst of INSTANCES) {
        for (const [id, n] of await engineMessages(cluster, inst)) {
          engine.set(n, [...(engine.get(n) ?? []), id]);
        }
      }
      // The request log agrees with the store: one engine call per message, nothing else sent.
      const calls = INSTANCES.reduce((sum, inst) => sum + engineSendCalls(cluster, inst), 0);
      assertEquals(calls, [...engine.values()].flat().length);

      for (const [number, id] of accepted) {
        const own = ledger.get(number) ?? [];
        assertEquals(
          own.map((r) => [r.engine_message_id, r.status, r.source]),
          [[id, "read", "api"]],
          number,
        );
        assertEquals(engine.get(number), [id], number);
      }
      const unknown = final.filter((r) => r.status === "unknown").map((r) => r.phone_number);
      assertEquals(unknown.length, swept.sending_to_unknown - refolded.interrupted_sends_folded);
      for (const number of interrupted) {
        assert((ledger.get(number) ?? []).length <= 1, `${number}: one ledger row at most`);
        assert((engine.get(number) ?? []).length <= 1, `${number} reached the engine at most once`);
      }
      assert(unknown.every((n) => interrupted.has(n)), "only interrupted sends are unknown");
      // Nothing reached the engine that the ledger had not recorded first.
      for (const number of engine.keys()) {
        assert((ledger.get(number) ?? []).some((r) => r.source === "api"), `${number} has a ledger row`);
      }
      const engineOnly = final.filter((r) => r.source === "engine").map((r) => r.phone_number);
      assertEquals(engineOnly, [], "no engine-logged row beside a gateway send");
      console.log(
        `unknown ${unknown.length}, interrupted sends that reached the engine ${
          [...interrupted].filter((n) => engine.has(n)).length
        }, engine-logged rows ${engineOnly.length}`,
      );
    },
  );}
