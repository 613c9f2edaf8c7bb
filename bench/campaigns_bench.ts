/**
 * Campaign dispatch with pacing at zero against the sandbox engine over HTTP: a 10,000-recipient campaign
 * sent by one dispatcher process, then by two dispatcher processes (real separate `deno` processes with
 * their own PostgreSQL pools, bench/campaigns_process.ts) sharing the campaign through FOR UPDATE SKIP
 * LOCKED. Each run prints messages/s from the start signal to the last process's exit, and checks the
 * sandbox's message store: every recipient reached the engine exactly once. Real PostgreSQL, like the tests.
 */
import { ENGINE_KEY } from "../tests/_helpers/app.ts";
import { startWithInstance } from "../tests/proxy_fixtures.ts";
import { createCampaign, engineRecipients, NO_BUDGET, numbers } from "../tests/_helpers/campaigns.ts";

// CAMPAIGN_BENCH_RECIPIENTS sizes a shorter run on a busy machine.
const RECIPIENTS = Number(Deno.env.get("CAMPAIGN_BENCH_RECIPIENTS") ?? 10_000);
const INST = "bench-camp";
const gw = await startWithInstance(INST, {
  cache: "memory",
  env: NO_BUDGET,
  sandbox: { ackDelaysMs: [60_000, 60_000, 60_000] },
});
let run = 0;

/** A dispatcher process, started and warmed up; `go()` lets it dispatch, `done` is its count of sends. */
async function dispatcherProcess() {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./campaigns_process.ts", import.meta.url).pathname],
    env: { DATABASE_URL: gw.db.url, SANDBOX_URL: gw.sandbox.url, ENGINE_KEY },
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("ready\n")) {
    const { value, done } = await lines.read();
    if (done) throw new Error("dispatcher process exited before it was ready");
    out += value;
  }
  const writer = child.stdin.getWriter();
  return {
    go: () => writer.write(new TextEncoder().encode("go\n")).then(() => writer.close()),
    done: (async () => {
      let rest = "";
      for (;;) {
        const { value, done } = await lines.read();
        if (done) break;
        rest += value;
      }
      await child.status;
      return JSON.parse(rest.trim().split("\n").at(-1)!).sent as number;
    })(),
  };
}

async function measure(name: string, processes: number) {
  const list = numbers(RECIPIENTS, run++ * RECIPIENTS);
  const r = await createCampaign(gw, gw.owner.token, { instance: INST, numbers: list });
  if (r.status !== 201) throw new Error(`create: ${r.status}`);
  const children = await Promise.all(Array.from({ length: processes }, dispatcherProcess));
  const t0 = performance.now();
  await Promise.all(children.map((c) => c.go()));
  const sent = await Promise.all(children.map((c) => c.done));
  const s = (performance.now() - t0) / 1000;
  const total = sent.reduce((a, b) => a + b, 0);
  const wanted = new Set(list);
  const onEngine = (await engineRecipients(gw, INST)).filter((p) => wanted.has(p));
  if (total !== RECIPIENTS || onEngine.length !== RECIPIENTS || new Set(onEngine).size !== RECIPIENTS) {
    throw new Error(
      `${name}: sent ${total}, engine got ${onEngine.length} (${new Set(onEngine).size} distinct)`,
    );
  }
  console.log(
    `${name}: ${RECIPIENTS} messages in ${s.toFixed(1)} s = ${(RECIPIENTS / s).toFixed(0)} messages/s ` +
      `(per process ${sent.join(" + ")}; no duplicate on the engine)`,
  );
}

Deno.bench(
  { name: `${RECIPIENTS}-recipient campaign, one dispatcher process`, group: "campaign", n: 1, warmup: 0 },
  async () => {
    await measure("one dispatcher process", 1);
  },
);

Deno.bench(
  { name: `${RECIPIENTS}-recipient campaign, two dispatcher processes`, group: "campaign", n: 1, warmup: 0 },
  async () => {
    await measure("two dispatcher processes", 2);
  },
);

globalThis.addEventListener("unload", async () => {
  await gw.close();
});
