/**
 * The sandbox engine's injected delays and the typed client's timeout, measured where the tests only check
 * behaviour (lib/sandbox/sandbox_send_test.ts, sandbox_webhook_test.ts, lib/gateway/engine_client_test.ts):
 * a send's `delay` holds the answer (~150 ms), the send-delay factor scales it (5000 ms × 0.01 ≈ 50 ms),
 * injected latency slows engine calls (~120 ms) but not the control routes, and a client with a 60 ms
 * timeout gives up near 60 ms on a 300 ms engine.
 */
import { createEvolutionClient, EvolutionError } from "../lib/gateway/mod.ts";
import { createWithWebhook, startSandboxHarness } from "../lib/sandbox/testing.ts";

const KEY = "bench-sandbox-key";
const t = await startSandboxHarness({ apiKey: KEY, ackDelaysMs: [5, 5, 5], webhookRetryDelaysMs: [10, 10] });
await createWithWebhook(t, "acme");
await t.control.scan("acme", { phone: "595981000100" });
await t.hook.waitFor((h) => h.body.instance === "acme" && h.body.data?.state === "open");

async function send(delay?: number) {
  const res = await t.call("POST", "/message/sendText/acme", { number: "595981000111", text: "x", delay });
  if (res.status !== 201) throw new Error(`sendText: ${res.status}`);
}

// Each bench sets the sandbox knob it measures and puts it back, so the order of the benches is irrelevant.
Deno.bench(
  { name: "sendText without delay", group: "send delay", baseline: true, n: 30, warmup: 3 },
  async () => {
    await send();
  },
);
Deno.bench(
  { name: "sendText with delay 150 ms (held in full)", group: "send delay", n: 10, warmup: 1 },
  async () => {
    await send(150);
  },
);
Deno.bench(
  { name: "sendText with delay 5000 ms × factor 0.01", group: "send delay", n: 10, warmup: 1 },
  async (b) => {
    await t.control.sendDelay(0.01);
    b.start();
    await send(5000);
    b.end();
    await t.control.sendDelay(1);
  },
);

Deno.bench(
  { name: "engine call without latency", group: "latency", baseline: true, n: 30, warmup: 3 },
  async () => {
    await t.call("GET", "/");
  },
);
Deno.bench({ name: "engine call with latency 120 ms", group: "latency", n: 10, warmup: 1 }, async (b) => {
  await t.control.latency(120);
  b.start();
  await t.call("GET", "/");
  b.end();
  await t.control.latency(0);
});
Deno.bench(
  { name: "control route with latency 120 ms (not delayed)", group: "latency", n: 30, warmup: 3 },
  async (b) => {
    await t.control.latency(120);
    b.start();
    await t.control.state();
    b.end();
    await t.control.latency(0);
  },
);

const impatient = createEvolutionClient({ baseUrl: t.sandbox.url, apiKey: KEY, timeoutMs: 60 });
Deno.bench(
  { name: "client timeout 60 ms against a 300 ms engine (gives up)", group: "timeout", n: 10, warmup: 1 },
  async (b) => {
    await t.control.latency(300);
    b.start();
    try {
      await impatient.root();
      throw new Error("expected a timeout");
    } catch (e) {
      if (!(e instanceof EvolutionError) || e.kind !== "timeout") throw e;
    }
    b.end();
    await t.control.latency(0);
  },
);

globalThis.addEventListener("unload", () => t[Symbol.asyncDispose]());
