import { assertEquals, assertRejects } from "./testing.ts";
import { deadline, timeoutSignal, withTimeout } from "./timeout.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("withTimeout: a promise that settles in time keeps its value or error", async () => {
  assertEquals(await withTimeout(Promise.resolve(7), 1_000), 7);
  const err = await assertRejects(() => withTimeout(Promise.reject(new Error("boom")), 1_000), Error);
  assertEquals(err.message, "boom");
});

Deno.test("withTimeout: a promise too slow rejects with a TimeoutError naming the operation", async () => {
  const err = await assertRejects(() => withTimeout(sleep(200), 20, "redis command"), DOMException);
  assertEquals(err.name, "TimeoutError");
  assertEquals(err.message, "redis command timed out after 20 ms");
});

Deno.test("deadline: fires once when due, never when cancelled, each on its own time", async () => {
  const fired: string[] = [];
  deadline(15, () => fired.push("short"));
  const cancel = deadline(15, () => fired.push("cancelled"));
  deadline(60, () => fired.push("long"));
  cancel();
  await sleep(40);
  assertEquals(fired, ["short"]);
  await sleep(60);
  assertEquals(fired, ["short", "long"]);
});

Deno.test("timeoutSignal: aborts with a TimeoutError after ms; a cleared one never aborts", async () => {
  const t = timeoutSignal(10, "engine call");
  const kept = timeoutSignal(10);
  kept.clear();
  await sleep(50);
  assertEquals(t.signal.aborted, true);
  assertEquals((t.signal.reason as DOMException).name, "TimeoutError");
  assertEquals(kept.signal.aborted, false);
});

Deno.test("many concurrent deadlines: each call settles by its own outcome", async () => {
  const fast = Array.from({ length: 1_000 }, (_, i) => withTimeout(Promise.resolve(i), 1_000));
  const slow = withTimeout(sleep(100), 30, "slow").then(() => "resolved", (e: DOMException) => e.name);
  assertEquals((await Promise.all(fast)).length, 1_000);
  assertEquals(await slow, "TimeoutError");
});
