import { rejects } from "node:assert/strict";
import { assertEquals } from "./testing.ts";
import { createGroupCommit } from "./group_commit.ts";

Deno.test("group commit: an idle caller is written alone, callers arriving during a write share the next one", async () => {
  const writes: number[][] = [];
  let release!: () => void;
  let gate = new Promise<void>((r) => release = r);
  const g = createGroupCommit<number>(async (items) => {
    writes.push(items);
    await gate;
  });
  const first = g.add(1);
  await Promise.resolve();
  await Promise.resolve();
  // While the first write waits, three more arrive: they go together in the second write.
  const rest = [g.add(2), g.add(3), g.add(4)];
  const gateOfFirst = release;
  gate = new Promise<void>((r) => release = r);
  gateOfFirst();
  await first;
  release();
  await Promise.all(rest);
  assertEquals(writes, [[1], [2, 3, 4]]);
});

Deno.test("group commit: a failed write rejects exactly its callers, later writes still run; batches respect maxItems", async () => {
  const writes: string[][] = [];
  const g = createGroupCommit<string>((items) => {
    writes.push(items);
    return items.includes("bad") ? Promise.reject(new Error("boom")) : Promise.resolve();
  }, 2);
  const a = g.add("bad");
  const b = g.add("ok1");
  const c = g.add("ok2");
  await rejects(a, /boom/);
  await rejects(b, /boom/);
  await c;
  assertEquals(writes, [["bad", "ok1"], ["ok2"]]);
  await g.add("later");
  assertEquals(writes.at(-1), ["later"]);
});
